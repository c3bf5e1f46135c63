"""The organiser's registration questions: list and add, change, remove, copy from another event."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404
from app.forms_common import form_status, saved, show_rule_error
from app.registrations import questions as service
from app.registrations.answer_retention import answers_erased_after
from app.registrations.question_forms import CopyQuestionsForm, QuestionForm
from app.registrations.rules import RegistrationError
from app.registrations.views import bp


def _copy_form(event, submitted: bool = False):
    form = CopyQuestionsForm() if submitted else CopyQuestionsForm(formdata=None)
    form.source.choices = service.copy_sources(event, current_user)
    return form


def _page(event, form, copy_form, status: int = 200):
    items = service.questions_of(event.id)
    erased = {q.id: answers_erased_after(q, event) for q in items}
    return render_template("registrations/questions.html", event=event, form=form, copy_form=copy_form,
                           items=items, erased=erased), status


@bp.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
@login_required
def questions(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = QuestionForm()
    done = saved(form, lambda: service.save_question(event, form.data_for_service(), current_user),
                 _("The question is added."), url_for("registrations.questions", event_id=event_id))
    return done or _page(event, form, _copy_form(event), form_status())


@bp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(event_id: int, question_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = service.get_question(event.id, question_id)
    if item is None:
        abort(404)
    form = QuestionForm(obj=item)
    done = saved(form, lambda: service.save_question(event, form.data_for_service(), current_user, item),
                 _("The question is saved."), url_for("registrations.questions", event_id=event_id))
    if done:
        return done
    return render_template("registrations/question.html", event=event, form=form, item=item), form_status()


@bp.post("/events/<int:event_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(event_id: int, question_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = service.get_question(event.id, question_id)
    if item is None:
        abort(404)
    service.delete_question(item, current_user)
    flash(_("The question and its answers are deleted."), "info")
    return redirect(url_for("registrations.questions", event_id=event_id))


@bp.post("/events/<int:event_id>/questions/copy")
@login_required
def copy_questions(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    copy_form = _copy_form(event, submitted=True)
    if copy_form.validate():
        try:
            count = service.copy_questions(event, copy_form.source.data, current_user)
        except RegistrationError as error:
            show_rule_error(copy_form, error)
        else:
            flash(ngettext("%(num)d question copied.", "%(num)d questions copied.", count), "success")
            return redirect(url_for("registrations.questions", event_id=event_id))
    return _page(event, QuestionForm(formdata=None), copy_form, 422)
