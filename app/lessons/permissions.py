"""Who may do what with entries and follow-up actions (who may *see* an entry is visibility.py)."""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, exists, select

from app.accounts.permissions import is_signed_in
from app.cache import raw
from app.events import access as event_access
from app.events.models import Event, EventStatus
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import (
    OPEN_ACTION_STATES,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonStatus,
)
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now

EDITABLE_STATUSES = (LessonStatus.DRAFT, LessonStatus.SUBMITTED, LessonStatus.REJECTED)


def may_record(user, event: Event, *, with_reason: bool = True) -> tuple[bool, str]:
    """Attendees (once the event is over) and the event's organisers record entries (the reason: a
    lazy string, shown to the user).

    `with_reason=False`: only the answer is wanted (the event page's button), so an event that is
    not over yet answers without asking whether the user attends it (the reason may differ)."""
    if not is_signed_in(user):
        return False, _l("Sign in to record an entry.")
    if event.status == EventStatus.CANCELLED:
        return False, _l("This event was cancelled.")
    if event_access.is_organiser_of(user, event):
        return True, ""
    if not with_reason and event.ends_at > now():
        return False, ""
    if not _confirmed_for(user.id, event.id):
        return False, _l("Only the event's participants and organisers record entries.")
    if event.ends_at > now():
        return False, _l("Participants record entries once the event is over.")
    return True, ""


_G_KEY = "_lessons_confirmed_for"


def _confirmed_statement():
    """Built once, run on the DBAPI cursor (app.cache.raw): the entry form asks it on every view."""
    return select(exists().where(
        Registration.event_id == bindparam("event_id", type_=Integer),
        Registration.user_id == bindparam("user_id", type_=Integer),
        Registration.status == RegistrationStatus.CONFIRMED))


def _confirmed_for(user_id: int, event_id: int) -> bool:
    """Whether the user holds a confirmed registration of the event, asked once per request (the
    record form's page asks may_record, then record_entry asks it again before writing)."""
    held = g.get(_G_KEY) if has_request_context() else None
    owner = request._get_current_object() if has_request_context() else None
    if held is not None and held[0] is owner and (user_id, event_id) in held[1]:
        return held[1][(user_id, event_id)]
    row, _plan = raw.read(db.session, _confirmed_statement, _confirmed_statement,
                          {"event_id": event_id, "user_id": user_id})
    found = bool(row and row[0])
    if owner is not None:
        if held is None or held[0] is not owner:
            held = (owner, {})
            setattr(g, _G_KEY, held)
        held[1][(user_id, event_id)] = found
    return found


def can_edit(user, lesson: Lesson) -> bool:
    """The author edits an entry until it is validated."""
    return is_signed_in(user) and lesson.author_id == user.id and lesson.status in EDITABLE_STATUSES


def all_actions_done(lesson: Lesson) -> bool:
    """At least one action done and none still open or in progress (dropped ones do not count)."""
    statuses = list(db.session.scalars(select(FollowUpAction.status).where(FollowUpAction.lesson_id == lesson.id)))
    return ActionStatus.DONE in statuses and not any(
        s in OPEN_ACTION_STATES for s in statuses
    )


def can_confirm_learned(user, lesson: Lesson) -> bool:
    return (
        lesson.status == LessonStatus.ACTIONED
        and visibility.can_validate(user, lesson)
        and all_actions_done(lesson)
    )


def allowed_transitions(user, lesson: Lesson) -> list[str]:
    """The workflow steps `user` may take now, in the order the page offers them."""
    steps = []
    if not is_signed_in(user):
        return steps
    is_author = lesson.author_id == user.id
    if is_author and lesson.status in (LessonStatus.DRAFT, LessonStatus.REJECTED):
        steps.append("submit")
    if lesson.status == LessonStatus.SUBMITTED and visibility.can_validate(user, lesson):
        steps += ["validate", "reject"]
    if lesson.status == LessonStatus.ACTIONED and can_confirm_learned(user, lesson):
        steps.append("confirm")
    return steps


def can_add_action_to_lesson(user, lesson: Lesson) -> bool:
    return lesson.status in (LessonStatus.VALIDATED, LessonStatus.ACTIONED) and visibility.can_validate(
        user, lesson
    )


def can_add_action_to_event(user, event: Event) -> bool:
    return event_access.is_organiser_of(user, event)


def can_update_action(user, action: FollowUpAction) -> bool:
    """The person it is assigned to (or its contact address), whoever created it, and — among those
    who may see it (visibility.visible_actions_clause) — the event's organisers and coordinators keep
    it up to date. The members of an organisation that owns an action see it; its contact updates it."""
    if not is_signed_in(user):
        return False
    if user.id in (action.owner_user_id, action.created_by_id):
        return True
    if action.owner_contact and user.is_confirmed and action.owner_contact.lower() == user.email:
        return True
    event = action.event if action.event_id else (action.lesson.event if action.lesson else None)
    return event is not None and event_access.is_organiser_of(user, event) and can_see_action(user, action)


def can_see_action(user, action: FollowUpAction) -> bool:
    """visibility.visible_actions_clause, asked for one action."""
    return visibility.can_see_action(user, action)
