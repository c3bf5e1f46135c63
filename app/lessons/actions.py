"""Follow-up actions: assign one (to an entry or an event) and keep it up to date — rules and
transactions. Assigning the first action to a validated entry moves it to "actioned"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.accounts.models import User
from app.directory.models import Organisation
from app.errors import rolls_back_on
from app.events.models import Event
from app.extensions import db
from app.lessons import notices
from app.lessons.models import ActionNote, ActionStatus, FollowUpAction, Lesson, LessonStatus
from app.lessons.permissions import (
    can_add_action_to_event,
    can_add_action_to_lesson,
    can_update_action,
)
from app.lessons.workflow import LessonError, clean_text, move
from app.timeutil import now


@dataclass
class ActionData:
    title: str
    description: str | None = None
    owner_user_id: int | None = None
    owner_organisation_id: int | None = None
    owner_contact: str | None = None
    due_on: date | None = None


def _source_event_id(actor: User, lesson: Lesson | None, event: Event | None) -> int | None:
    """The action's event id (None when it comes from an entry), once `actor` may add it there."""
    if lesson is not None:
        if not can_add_action_to_lesson(actor, lesson):
            raise LessonError(_l("Follow-up actions are added to validated entries by coordinators or the event's organisers."))
        return None
    if event is not None:
        if not can_add_action_to_event(actor, event):
            raise LessonError(_l("Only the event's organisers and coordinators add actions to an event."))
        return event.id
    raise LessonError(_l("An action comes from an entry or an event."))


def _owner(data: ActionData) -> tuple[User | None, Organisation | None, str | None]:
    """The action's owner: a person, or an organisation with a contact address."""
    owner = db.session.get(User, data.owner_user_id) if data.owner_user_id else None
    if data.owner_user_id and owner is None:
        raise LessonError(_l("Choose the owner from the list."))
    organisation = db.session.get(Organisation, data.owner_organisation_id) if data.owner_organisation_id else None
    if data.owner_organisation_id and organisation is None:
        raise LessonError(_l("Choose the organisation from the list."))
    contact = clean_text(data.owner_contact)
    if owner is None and organisation is None:
        raise LessonError(_l("Give the action an owner: a person, or an organisation with a contact."))
    if owner is None and not contact:
        raise LessonError(_l("Give the organisation's contact (an email address) for this action."))
    return owner, organisation, contact


@rolls_back_on(LessonError)
def add_action(actor: User, data: ActionData, *, lesson: Lesson | None = None, event: Event | None = None) -> FollowUpAction:
    event_id = _source_event_id(actor, lesson, event)
    title = (data.title or "").strip()
    if not title or len(title) > 300:
        raise LessonError(_l("Say what must be done (at most 300 characters)."))
    owner, organisation, contact = _owner(data)
    action = FollowUpAction(
        lesson_id=lesson.id if lesson else None,
        event_id=event_id,
        title=title,
        description=clean_text(data.description),
        owner_user_id=owner.id if owner else None,
        owner_organisation_id=organisation.id if organisation else None,
        owner_contact=contact.lower() if contact else None,
        due_on=data.due_on,
        status=ActionStatus.OPEN,
        created_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "action.created", action, {"title": [None, title]}, summary=title)
    if lesson is not None and lesson.status == LessonStatus.VALIDATED:
        # The step's comment is kept in the history as written, in the language of whoever assigned it.
        move(lesson, actor, LessonStatus.ACTIONED, _("Follow-up action assigned: %(title)s", title=title))
    notices.tell_owner(action, actor, owner, contact)
    db.session.commit()
    return action


@rolls_back_on(LessonError)
def update_action(action: FollowUpAction, actor: User, status: ActionStatus | str | None, note: str | None) -> None:
    if not can_update_action(actor, action):
        raise LessonError(_l("Only the action's owner, the event's organisers or a coordinator update it."))
    note = clean_text(note)
    if note and len(note) > 5000:
        raise LessonError(_l("Keep the note under 5,000 characters."))
    if status is not None:
        try:
            status = ActionStatus(status)
        except ValueError as error:
            raise LessonError(_l("Choose a status from the list.")) from error
    if (status is None or status == action.status) and not note:
        raise LessonError(_l("Change the status or write a progress note."))
    if status is not None and status != action.status:
        old = action.status
        action.status = status
        action.completed_at = now() if status == ActionStatus.DONE else None
        audit.record(actor, "action.status_changed", action, {"status": [old.value, status.value]})
        # Kept as a note, in the language of whoever changed the status.
        change = _("Status: %(old)s → %(new)s", old=old.label, new=status.label)
        note = f"{change}. {note}" if note else change
    db.session.add(ActionNote(action_id=action.id, author_id=actor.id, body=note, at=now()))
    db.session.commit()
