"""Follow-up actions: mine (as on "My actions"), one action I may see, and updating its status with a
progress note — through app.lessons.actions and its permission rule."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.auth import needs
from app.api.paging import envelope
from app.api.problems import refuse
from app.api.schemas import ActionArgs, ActionSchema, ActionUpdateArgs, page_of
from app.lessons import actions, permissions, queries
from app.lessons.workflow import LessonError

blp = Blueprint("api_actions", __name__, description="Follow-up actions (scope lessons)")


def _visible_or_404(action_id: int):
    action = queries.action_with_notes(action_id)
    if action is None or not permissions.can_see_action(current_user, action):
        abort(404)
    return action


@blp.route("/me/actions")
@needs("lessons:read")
@blp.arguments(ActionArgs, location="query")
@blp.response(200, page_of(ActionSchema, "ActionPage"))
def list_my_actions(args):
    """The actions assigned to me, soonest due first (open ones unless `all`)."""
    page = queries.my_actions(current_user, args["all"], args["page"], args["per_page"])
    return envelope(page, [action for action, _entry in page.items])


@blp.route("/actions/<int:action_id>")
@needs("lessons:read")
@blp.response(200, ActionSchema)
def get_action(action_id: int):
    """One follow-up action (as visible as its entry)."""
    return _visible_or_404(action_id)


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@needs("lessons:write")
@blp.arguments(ActionUpdateArgs)
@blp.response(200, ActionSchema)
def update_action(args, action_id: int):
    """Change the status and/or add a progress note (its owner, creator, organisers, coordinators)."""
    action = _visible_or_404(action_id)
    if not permissions.can_update_action(current_user, action):
        abort(403)
    try:
        actions.update_action(action, current_user, args["status"], args["note"])
    except LessonError as error:
        refuse(422, str(error), error.field or "status")
    return _visible_or_404(action_id)
