"""The organisers' pages of knowledge checks: the event's tests, a test's window and question bank,
copying the pre-test's questions to the post-test, scheduling the follow-up survey."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404
from app.learning import banks, followup, queries
from app.learning.banks import LearningError
from app.learning.forms import FollowUpScheduleForm, NewCheckForm, QuestionForm, WindowForm
from app.learning.models import CheckKind, QuestionKind
from app.learning.views import bp


def _check_or_404(event, check_id: int):
    check = queries.check_of_event(event, check_id)
    if check is None:
        abort(404)
    return check


def _manage_page(event, follow_form=None, code: int = 200):
    scopes, counts = queries.organiser_scopes(event)
    survey = followup.survey_of(event)
    form = follow_form or FollowUpScheduleForm(weeks_after=survey.weeks_after if survey else 6)
    return render_template("learning/manage.html", event=event, scopes=scopes, counts=counts, survey=survey,
                           follow_form=form, new_form=NewCheckForm(formdata=None)), code


@bp.get("/events/<int:event_id>/learning")
@login_required
def manage(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return _manage_page(event)


@bp.post("/events/<int:event_id>/learning/checks")
@login_required
def create_check(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = NewCheckForm()
    if not form.validate_on_submit():
        flash(_("Choose a pre-test or a post-test."), "warning")
        return redirect(url_for("learning.manage", event_id=event.id))
    session_id = int(form.session_id.data) if (form.session_id.data or "").isdigit() else None
    try:
        check = banks.create_check(event, session_id, CheckKind(form.kind.data), current_user)
    except LearningError as error:
        flash(str(error), "warning")
        return redirect(url_for("learning.manage", event_id=event.id))
    return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check.id))


def _edit_page(event, check, window_form=None, question_form=None, code: int = 200):
    unit = 1 if check.kind == CheckKind.PRE else 60
    window_form = window_form or WindowForm(window=check.window_minutes // unit)
    return render_template(
        "learning/edit.html", event=event, check=check, window_form=window_form,
        question_form=question_form or QuestionForm(formdata=None), locked=banks.has_submissions(check),
        pre_kind=CheckKind.PRE), code


@bp.route("/events/<int:event_id>/learning/checks/<int:check_id>", methods=["GET", "POST"])
@login_required
def edit_check(event_id: int, check_id: int):
    event = get_managed_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    form = WindowForm()
    if form.validate_on_submit():
        unit = 1 if check.kind == CheckKind.PRE else 60
        try:
            banks.set_window(check, form.window.data * unit, current_user)
        except LearningError as error:
            form.window.errors.append(str(error))
        else:
            flash(_("The window is saved."), "success")
            return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check.id))
    if form.is_submitted():
        return _edit_page(event, check, window_form=form, code=422)
    return _edit_page(event, check)


@bp.post("/events/<int:event_id>/learning/checks/<int:check_id>/questions")
@login_required
def add_question(event_id: int, check_id: int):
    event = get_managed_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            banks.add_question(check, QuestionKind(form.kind.data), form.text.data, form.points.data or 1,
                               form.options.data, current_user)
        except LearningError as error:
            target = getattr(form, error.field, None) if error.field else None
            (target.errors if target is not None else form.form_errors).append(str(error))
        else:
            flash(_("The question is added."), "success")
            return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check.id) + "#add-question")
    return _edit_page(event, check, question_form=form, code=422)


@bp.post("/events/<int:event_id>/learning/questions/<int:question_id>/delete")
@login_required
def delete_question(event_id: int, question_id: int):
    event = get_managed_or_404(event_id, current_user)
    question = queries.question_of_event(event, question_id)
    if question is None:
        abort(404)
    check_id = question.check_id
    try:
        banks.delete_question(question, current_user)
    except LearningError as error:
        flash(str(error), "warning")
    else:
        flash(_("The question is removed."), "success")
    return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check_id))


@bp.post("/events/<int:event_id>/learning/checks/<int:check_id>/copy")
@login_required
def copy_bank(event_id: int, check_id: int):
    event = get_managed_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    try:
        post = banks.copy_to_post(check, current_user)
    except LearningError as error:
        flash(str(error), "warning")
        return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check.id))
    flash(_("The questions are copied to the post-test."), "success")
    return redirect(url_for("learning.edit_check", event_id=event.id, check_id=post.id))


@bp.post("/events/<int:event_id>/learning/checks/<int:check_id>/delete")
@login_required
def delete_check(event_id: int, check_id: int):
    event = get_managed_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    try:
        banks.delete_check(check, current_user)
    except LearningError as error:
        flash(str(error), "warning")
        return redirect(url_for("learning.edit_check", event_id=event.id, check_id=check.id))
    flash(_("The test is deleted."), "success")
    return redirect(url_for("learning.manage", event_id=event.id))


@bp.post("/events/<int:event_id>/learning/follow-up")
@login_required
def schedule_follow_up(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = FollowUpScheduleForm()
    if form.validate_on_submit():
        try:
            banks.schedule_follow_up(event, form.weeks_after.data, current_user)
        except LearningError as error:
            form.weeks_after.errors.append(str(error))
        else:
            flash(_("The follow-up survey is scheduled."), "success")
            return redirect(url_for("learning.manage", event_id=event.id))
    return _manage_page(event, follow_form=form, code=422)
