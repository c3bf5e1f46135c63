"""An entry's pages: record, edit, read (with its history and actions), take a workflow step,
change the marking, delete a draft."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.db import row_id
from app.events import access as event_access
from app.lessons import permissions, queries, visibility, workflow
from app.lessons.forms import LessonForm, MarkingForm, TransitionForm
from app.lessons.models import TLP, Lesson, LessonKind, LessonStatus
from app.lessons.views import bp
from app.lessons.views.common import form_status, visible_lesson_or_404
from app.lessons.workflow import LessonError
from app.roles import is_signed_in
from app.timeutil import now


def _entry_data(form: LessonForm) -> workflow.EntryData:
    return workflow.EntryData(
        kind=LessonKind(form.kind.data),
        title=form.title.data or "",
        tlp=TLP(form.tlp.data),
        observation=form.observation.data,
        analysis=form.analysis.data,
        recommendation=form.recommendation.data,
        recommendation_type=form.recommendation_type.data or None,
        addressed_to=form.addressed_to.data or None,
        problem_addressed=form.problem_addressed.data,
        how_it_works=form.how_it_works.data,
        evidence=form.evidence.data,
        replication_needs=form.replication_needs.data,
        session_id=form.session_id.data,
        theme_ids=tuple(form.themes.data or ()),
    )


@bp.route("/events/<int:event_id>/lessons/new", methods=["GET", "POST"])
@login_required
def new(event_id: int):
    event = event_access.get_visible_or_404(event_id, current_user)
    allowed, reason = permissions.may_record(current_user, event)
    if not allowed:
        return render_template("lessons/cannot_record.html", event=event, reason=reason), 403
    form = LessonForm()
    form.set_choices(queries.session_choices(event), queries.theme_choices())
    if form.validate_on_submit():
        try:
            lesson = workflow.record_entry(event, current_user, _entry_data(form), submit=bool(form.submit.data))
        except LessonError as error:
            form.form_errors.append(str(error))
        else:
            # The entry is submitted exactly when asked (record_entry raises otherwise); its id
            # without reading the row again after the commit.
            flash(_("Entry submitted for validation.") if form.submit.data
                  else _("Draft saved. You can finish it later."), "success")
            return redirect(url_for("lessons.detail", lesson_id=row_id(lesson)))
    return render_template("lessons/form.html", form=form, event=event, lesson=None), form_status(form)


def _fill_from(form: LessonForm, lesson: Lesson) -> None:
    """The choice fields of the edit form, from the entry (on GET)."""
    form.kind.data = lesson.kind.value
    form.tlp.data = lesson.tlp.value
    form.recommendation_type.data = lesson.recommendation_type.value if lesson.recommendation_type else ""
    form.addressed_to.data = lesson.addressed_to.value if lesson.addressed_to else ""
    form.themes.data = [t.id for t in lesson.themes]


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit(lesson_id: int):
    lesson = visible_lesson_or_404(lesson_id)
    if not permissions.can_edit(current_user, lesson):
        abort(403)
    event = lesson.event
    form = LessonForm(obj=lesson if request.method == "GET" else None)
    form.set_choices(queries.session_choices(event), queries.theme_choices())
    if request.method == "GET":
        _fill_from(form, lesson)
    if form.validate_on_submit():
        try:
            workflow.update_entry(lesson, current_user, _entry_data(form), submit=bool(form.submit.data))
        except LessonError as error:
            lesson = visible_lesson_or_404(lesson_id)
            form.form_errors.append(str(error))
        else:
            flash(_("Entry submitted for validation.") if form.submit.data and lesson.status == LessonStatus.SUBMITTED
                  else _("Entry saved."), "success")
            return redirect(url_for("lessons.detail", lesson_id=lesson.id))
    return render_template("lessons/form.html", form=form, event=event, lesson=lesson), form_status(form)


def _render_detail(lesson: Lesson, transition_form=None, marking_form=None, status: int = 200):
    is_author = is_signed_in(current_user) and lesson.author_id == current_user.id
    may_mark = is_signed_in(current_user) and (is_author or visibility.can_validate(current_user, lesson))
    marking_form = marking_form or MarkingForm(tlp=lesson.tlp.value)
    if may_mark and not (is_author or visibility.is_coordinator(current_user)):
        # Organisers may only raise the marking.
        marking_form.tlp.choices = [(t.value, t.label) for t in TLP if t.rank >= lesson.tlp.rank]
    return render_template(
        "lessons/detail.html",
        lesson=lesson,
        history=queries.lesson_history(lesson),
        actions=queries.lesson_actions(lesson),
        steps=permissions.allowed_transitions(current_user, lesson),
        can_edit=permissions.can_edit(current_user, lesson),
        can_add_action=permissions.can_add_action_to_lesson(current_user, lesson),
        actions_done=permissions.all_actions_done(lesson) if lesson.status == LessonStatus.ACTIONED else False,
        may_mark=may_mark,
        transition_form=transition_form or TransitionForm(),
        marking_form=marking_form,
        today=now().date(),
    ), status


@bp.get("/lessons/<int:lesson_id>")
def detail(lesson_id: int):
    return _render_detail(visible_lesson_or_404(lesson_id))


def _after_change(lesson: Lesson, message: str):
    """Back to the entry, or to the library when the change hid it from the viewer."""
    flash(message, "success")
    if not visibility.can_see(current_user, lesson):
        return redirect(url_for("lessons.library"))
    return redirect(url_for("lessons.detail", lesson_id=lesson.id))


def _change_entry(lesson_id: int, form, change, error_field: str, form_name: str):
    """A posted change to the entry: `change(lesson)` (a service call) returns the message to
    flash; a refusal shows the entry again with the error under the form's `error_field`."""
    lesson = visible_lesson_or_404(lesson_id)
    if not form.validate_on_submit():
        return _render_detail(lesson, status=422, **{form_name: form})
    try:
        message = change(lesson)
    except LessonError as error:
        lesson = visible_lesson_or_404(lesson_id)
        getattr(form, error_field).errors = [str(error)]
        return _render_detail(lesson, status=422, **{form_name: form})
    return _after_change(lesson, message)


@bp.post("/lessons/<int:lesson_id>/transition")
@login_required
def transition(lesson_id: int):
    form = TransitionForm()

    def take_step(lesson: Lesson) -> str:
        status = workflow.transition(lesson, current_user, form.step.data, form.comment.data)
        return _("Entry is now %(status)s.", status=status.label.lower())

    return _change_entry(lesson_id, form, take_step, "comment", "transition_form")


@bp.post("/lessons/<int:lesson_id>/delete")
@login_required
def delete(lesson_id: int):
    lesson = visible_lesson_or_404(lesson_id)
    try:
        workflow.delete_draft(lesson, current_user)
    except LessonError as error:
        flash(str(error), "danger")
        return redirect(url_for("lessons.detail", lesson_id=lesson_id))
    flash(_("Draft deleted."), "success")
    return redirect(url_for("lessons.library", mine=1))


@bp.post("/lessons/<int:lesson_id>/marking")
@login_required
def marking(lesson_id: int):
    form = MarkingForm()

    def change_marking(lesson: Lesson) -> str:
        workflow.change_marking(lesson, current_user, form.tlp.data, form.comment.data)
        return _("Marking is now %(marking)s.", marking=lesson.tlp.label)

    return _change_entry(lesson_id, form, change_marking, "tlp", "marking_form")
