"""Follow-up action pages: add one to an entry or an event, read and update it, my actions, the
coordinators' overview."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required, role_required
from app.accounts.models import Role
from app.events import access as event_access
from app.lessons import actions, permissions, queries, visibility
from app.lessons.forms import ActionForm, ActionUpdateForm
from app.lessons.models import ActionStatus, FollowUpAction
from app.lessons.views import bp
from app.lessons.views.common import PER_PAGE, form_status, visible_lesson_or_404
from app.lessons.workflow import LessonError
from app.timeutil import now


def _action_form() -> ActionForm:
    form = ActionForm()
    form.set_choices(*queries.owner_choices())
    return form


def _action_data(form: ActionForm) -> actions.ActionData:
    return actions.ActionData(
        title=form.title.data or "",
        description=form.description.data,
        owner_user_id=form.owner_user_id.data,
        owner_organisation_id=form.owner_organisation_id.data,
        owner_contact=form.owner_contact.data,
        due_on=form.due_on.data,
    )


@bp.route("/lessons/<int:lesson_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(lesson_id: int):
    lesson = visible_lesson_or_404(lesson_id)
    if not permissions.can_add_action_to_lesson(current_user, lesson):
        abort(403)
    form = _action_form()
    if form.validate_on_submit():
        try:
            actions.add_action(current_user, _action_data(form), lesson=lesson)
        except LessonError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Follow-up action added."), "success")
            return redirect(url_for("lessons.detail", lesson_id=lesson_id))
    return render_template("lessons/action_form.html", form=form, lesson=lesson, event=lesson.event), form_status(form)


@bp.route("/events/<int:event_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_event_action(event_id: int):
    event = event_access.get_managed_or_404(event_id, current_user)
    form = _action_form()
    if form.validate_on_submit():
        try:
            action = actions.add_action(current_user, _action_data(form), event=event)
        except LessonError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Follow-up action added."), "success")
            return redirect(url_for("lessons.action_detail", action_id=action.id))
    return render_template("lessons/action_form.html", form=form, lesson=None, event=event), form_status(form)


def _action_or_404(action_id: int) -> FollowUpAction:
    action = queries.action_with_notes(action_id)
    if action is None or not permissions.can_see_action(current_user, action):
        abort(404)
    return action


def _render_action(action: FollowUpAction, form: ActionUpdateForm | None = None, status: int = 200):
    lesson_visible = action.lesson is not None and visibility.can_see(current_user, action.lesson)
    form = form or ActionUpdateForm(status=action.status.value)
    return render_template(
        "lessons/action_detail.html", action=action, form=form, lesson_visible=lesson_visible,
        can_update=permissions.can_update_action(current_user, action), today=now().date(),
    ), status


@bp.get("/lessons/actions/<int:action_id>")
@login_required
def action_detail(action_id: int):
    return _render_action(_action_or_404(action_id))


@bp.post("/lessons/actions/<int:action_id>")
@login_required
def update_action(action_id: int):
    action = _action_or_404(action_id)
    if not permissions.can_update_action(current_user, action):
        abort(403)
    form = ActionUpdateForm()
    if form.validate_on_submit():
        try:
            actions.update_action(action, current_user, form.status.data, form.note.data)
        except LessonError as error:
            action = _action_or_404(action_id)
            form.note.errors = [str(error)]
            return _render_action(action, form, 422)
        flash(_("Action updated."), "success")
        return redirect(url_for("lessons.action_detail", action_id=action_id))
    return _render_action(action, form, 422)


@bp.get("/lessons/my-actions")
@login_required
def my_actions():
    show = request.args.get("show", "open")
    page = queries.my_actions(current_user, show == "all", request.args.get("page"), PER_PAGE)
    return render_template("lessons/my_actions.html", page=page, show=show, today=now().date())


@bp.get("/lessons/actions")
@role_required(Role.COORDINATOR)
def actions_overview():
    status = request.args.get("status", "")
    overdue_only = request.args.get("overdue") == "1"
    today = now().date()
    try:
        chosen = ActionStatus(status) if status else None
    except ValueError:
        status, chosen = "", None
    page, overdue = queries.actions_overview(current_user, chosen, overdue_only, today,
                                             request.args.get("page"), 50)
    return render_template("lessons/actions_overview.html", page=page, status=status, statuses=list(ActionStatus),
                           overdue_only=overdue_only, overdue=overdue, today=today)
