"""Recording entries, their workflow, markings and follow-up actions: the rules and transactions.

Workflow: draft → submitted → validated ("lesson identified") → actioned (follow-up actions
assigned) → learned (all actions done and confirmed), or submitted → rejected (with a reason; the
author may revise and submit again). Every step is a LessonTransition and an audit entry; authors are
told of decisions through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import exists, select

from app import audit
from app.accounts.models import Role, User
from app.accounts.permissions import is_signed_in
from app.directory.models import Organisation, Theme
from app.events import access as event_access
from app.events.models import Event, EventStatus, Session
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import (
    TLP,
    ActionNote,
    ActionStatus,
    Addressee,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    LessonTransition,
    RecommendationType,
)
from app.notifications.outbox import Recipient, enqueue
from app.notifications.rendering import render_email
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now


class LessonError(ValueError):
    """A rule said no; the message is for the user."""


CONTENT_FIELDS = (
    "kind", "title", "observation", "analysis", "recommendation", "recommendation_type", "addressed_to",
    "problem_addressed", "how_it_works", "evidence", "replication_needs", "tlp", "session_id",
)
GOOD_PRACTICE_FIELDS = ("problem_addressed", "how_it_works", "evidence", "replication_needs")
EDITABLE_STATUSES = (LessonStatus.DRAFT, LessonStatus.SUBMITTED, LessonStatus.REJECTED)


# --- who may do what -------------------------------------------------------------------------


def may_record(user, event: Event) -> tuple[bool, str]:
    """Attendees (once the event is over) and the event's organisers record entries."""
    if not is_signed_in(user):
        return False, "Sign in to record an entry."
    if event.status == EventStatus.CANCELLED:
        return False, "This event was cancelled."
    if event_access.is_organiser_of(user, event):
        return True, ""
    registered = db.session.scalar(
        select(
            exists().where(
                Registration.event_id == event.id,
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )
    if not registered:
        return False, "Only the event's participants and organisers record entries."
    if event.ends_at > now():
        return False, "Participants record entries once the event is over."
    return True, ""


def can_edit(user, lesson: Lesson) -> bool:
    """The author edits an entry until it is validated."""
    return is_signed_in(user) and lesson.author_id == user.id and lesson.status in EDITABLE_STATUSES


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
    """The owner, whoever created it, the event's organisers and coordinators keep it up to date."""
    if not is_signed_in(user):
        return False
    if user.id in (action.owner_user_id, action.created_by_id):
        return True
    if action.owner_contact and action.owner_contact.lower() == user.email:
        return True
    event = action.event if action.event_id else (action.lesson.event if action.lesson else None)
    return event is not None and event_access.is_organiser_of(user, event)


def can_see_action(user, action: FollowUpAction) -> bool:
    if can_update_action(user, action):
        return True
    if action.lesson_id is not None:
        return visibility.can_see(user, action.lesson)
    return False


# --- recording -------------------------------------------------------------------------------


@dataclass
class EntryData:
    kind: LessonKind
    title: str
    tlp: TLP
    observation: str | None = None
    analysis: str | None = None
    recommendation: str | None = None
    recommendation_type: RecommendationType | None = None
    addressed_to: Addressee | None = None
    problem_addressed: str | None = None
    how_it_works: str | None = None
    evidence: str | None = None
    replication_needs: str | None = None
    session_id: int | None = None
    theme_ids: tuple[int, ...] = ()


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _apply(lesson: Lesson, event: Event, data: EntryData) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise LessonError("Give the entry a title (one issue per entry).")
    if len(title) > 200:
        raise LessonError("The title must be at most 200 characters.")
    if data.session_id is not None:
        session = db.session.get(Session, data.session_id)
        if session is None or session.event_id != event.id:
            raise LessonError("Choose a session of this event.")
    themes = []
    if data.theme_ids:
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(list(data.theme_ids)))))
        if len(themes) != len(set(data.theme_ids)):
            raise LessonError("Choose themes from the list.")
    values = {
        "kind": LessonKind(data.kind),
        "title": title,
        "tlp": TLP(data.tlp),
        "observation": _clean_text(data.observation),
        "analysis": _clean_text(data.analysis),
        "recommendation": _clean_text(data.recommendation),
        "recommendation_type": RecommendationType(data.recommendation_type) if data.recommendation_type else None,
        "addressed_to": Addressee(data.addressed_to) if data.addressed_to else None,
        "session_id": data.session_id,
    }
    for name in GOOD_PRACTICE_FIELDS:
        values[name] = _clean_text(getattr(data, name)) if values["kind"] == LessonKind.GOOD_PRACTICE else None
    changes = audit.diff(lesson, values) if lesson.id else {k: [None, v] for k, v in values.items()}
    for name, value in values.items():
        setattr(lesson, name, value)
    old_themes = sorted(t.id for t in lesson.themes) if lesson.id else []
    if old_themes != sorted(t.id for t in themes):
        changes["themes"] = [old_themes, sorted(t.id for t in themes)]
    lesson.themes = themes
    return changes


def _check_complete(lesson: Lesson) -> None:
    """What a submitted entry must say (a draft may be incomplete)."""
    missing = []
    if not lesson.observation:
        missing.append("the observation (what happened)")
    if lesson.kind == LessonKind.GOOD_PRACTICE:
        labels = {
            "problem_addressed": "the problem it addresses",
            "how_it_works": "how and why it works",
            "evidence": "the evidence it works",
            "replication_needs": "what another unit needs to replicate it",
        }
        missing += [label for name, label in labels.items() if not getattr(lesson, name)]
    if missing:
        raise LessonError("Before submitting, describe " + ", ".join(missing) + ".")


def record_entry(event: Event, author: User, data: EntryData, *, submit: bool = False) -> Lesson:
    allowed, reason = may_record(author, event)
    if not allowed:
        raise LessonError(reason)
    lesson = Lesson(event_id=event.id, author_id=author.id, status=LessonStatus.DRAFT)
    lesson.event = event
    changes = _apply(lesson, event, data)
    db.session.add(lesson)
    db.session.flush()
    _transition(lesson, author, None, LessonStatus.DRAFT, "Recorded")
    audit.record(author, "lesson.created", lesson, changes, summary=f"Recorded {lesson.title}")
    if submit:
        _check_complete(lesson)
        _move(lesson, author, LessonStatus.SUBMITTED, None)
    db.session.commit()
    return lesson


def update_entry(lesson: Lesson, actor: User, data: EntryData, *, submit: bool = False) -> Lesson:
    if not can_edit(actor, lesson):
        raise LessonError("Only the author may edit an entry, and only until it is validated.")
    old_tlp = lesson.tlp
    changes = _apply(lesson, lesson.event, data)
    if TLP(data.tlp).rank < old_tlp.rank and lesson.author_id != actor.id and not visibility.is_coordinator(actor):
        raise LessonError("Only the author or a coordinator may lower the marking.")
    if changes:
        audit.record(actor, "lesson.updated", lesson, changes, summary=f"Edited {lesson.title}")
    if submit and lesson.status in (LessonStatus.DRAFT, LessonStatus.REJECTED):
        _check_complete(lesson)
        _move(lesson, actor, LessonStatus.SUBMITTED, None)
    db.session.commit()
    return lesson


def delete_draft(lesson: Lesson, actor: User) -> None:
    """The author may throw away a draft (nothing else is ever deleted: the history is the record)."""
    if not (is_signed_in(actor) and lesson.author_id == actor.id and lesson.status == LessonStatus.DRAFT):
        raise LessonError("Only the author may delete an entry, and only while it is a draft.")
    audit.record(actor, "lesson.deleted", lesson, {"title": [lesson.title, None]}, summary=lesson.title)
    db.session.delete(lesson)
    db.session.commit()


def change_marking(lesson: Lesson, actor: User, tlp: TLP | str, comment: str | None = None) -> None:
    """The author sets the marking; only the author or a coordinator may lower it. Validators (the
    event's organisers, coordinators) may raise it."""
    try:
        new = TLP(tlp)
    except ValueError as error:
        raise LessonError("Choose a TLP marking from the list.") from error
    if new == lesson.tlp:
        return
    is_author = is_signed_in(actor) and lesson.author_id == actor.id
    if new.rank < lesson.tlp.rank:
        if not (is_author or (visibility.is_coordinator(actor) and visibility.can_see(actor, lesson))):
            raise LessonError("Only the author or a coordinator may lower the marking.")
    elif not (is_author or visibility.can_validate(actor, lesson)):
        raise LessonError("Only the author, the event's organisers or a coordinator may change the marking.")
    old = lesson.tlp
    lesson.tlp = new
    audit.record(actor, "lesson.marking_changed", lesson, {"tlp": [old.value, new.value]},
                 summary=_clean_text(comment))
    db.session.commit()


# --- workflow --------------------------------------------------------------------------------


def _transition(lesson: Lesson, actor, from_status, to_status, comment) -> LessonTransition:
    step = LessonTransition(
        lesson_id=lesson.id,
        actor_id=getattr(actor, "id", None),
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        comment=_clean_text(comment),
        at=now(),
    )
    db.session.add(step)
    return step


def _move(lesson: Lesson, actor, to_status: LessonStatus, comment: str | None) -> None:
    from_status = lesson.status
    lesson.status = to_status
    instant = now()
    if to_status == LessonStatus.SUBMITTED:
        lesson.submitted_at = instant
        lesson.rejection_reason = None
    elif to_status == LessonStatus.VALIDATED:
        lesson.validated_at = instant
        lesson.validator_id = actor.id
    elif to_status == LessonStatus.REJECTED:
        lesson.rejection_reason = comment
    _transition(lesson, actor, from_status, to_status, comment)
    audit.record(
        actor, "lesson.transition", lesson, {"status": [from_status.value, to_status.value]},
        summary=_clean_text(comment),
    )
    if to_status in (LessonStatus.VALIDATED, LessonStatus.REJECTED, LessonStatus.ACTIONED, LessonStatus.LEARNED):
        _tell_author(lesson, actor, to_status, comment)
    elif to_status == LessonStatus.SUBMITTED:
        _tell_validators(lesson, actor)


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _tell_author(lesson: Lesson, actor, to_status: LessonStatus, comment: str | None) -> None:
    author = lesson.author
    if author is None or author.id == getattr(actor, "id", None) or not author.is_active_account:
        return
    subject, text, html = render_email(
        "lessons/decision",
        language=author.language,
        lesson=lesson,
        status=to_status,
        actor=actor,
        comment=_clean_text(comment),
        url=_link(f"/lessons/{lesson.id}"),
    )
    enqueue(Recipient(author.email, author.name, author.id), subject, text, html, kind="lesson_decision")


def validators_to_tell(lesson: Lesson, actor=None) -> list[User]:
    """Who hears that an entry waits for validation: the event's organisers (its creator and
    co-organisers), who know what happened there. When none of them can take it (the author
    organised the event alone, or their accounts are closed), the network's coordinators do.
    Only people who may validate this entry under its marking, never the one who submitted it."""
    event = lesson.event
    skip = {getattr(actor, "id", None), lesson.author_id}

    def able(users) -> list[User]:
        seen: set[int] = set()
        chosen = []
        for user in users:
            if user is None or user.id in skip or user.id in seen or not user.is_active_account:
                continue
            seen.add(user.id)
            if visibility.can_validate(user, lesson):
                chosen.append(user)
        return chosen

    organisers = able([event.created_by, *event.organisers])
    if organisers:
        return organisers
    return able(db.session.scalars(
        select(User).where(User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.is_active_account.is_(True))
        .order_by(User.name, User.id)
    ))


def _tell_validators(lesson: Lesson, actor) -> None:
    url = _link(f"/lessons/{lesson.id}")
    for validator in validators_to_tell(lesson, actor):
        subject, text, html = render_email(
            "lessons/submitted", language=validator.language, lesson=lesson, validator=validator,
            author=lesson.author, url=url,
        )
        enqueue(Recipient(validator.email, validator.name, validator.id), subject, text, html,
                kind="lesson_submitted")


def transition(lesson: Lesson, actor: User, step: str, comment: str | None = None) -> LessonStatus:
    """Take one workflow step ("submit", "validate", "reject", "confirm") and commit."""
    comment = _clean_text(comment)
    if comment and len(comment) > 5000:
        raise LessonError("Keep the comment under 5,000 characters.")
    if step not in allowed_transitions(actor, lesson):
        if step == "confirm" and lesson.status == LessonStatus.ACTIONED and not all_actions_done(lesson):
            raise LessonError("Every follow-up action must be done (or dropped) before the lesson is learned.")
        raise LessonError("You cannot take this step on this entry now.")
    if step == "submit":
        _check_complete(lesson)
        _move(lesson, actor, LessonStatus.SUBMITTED, comment)
    elif step == "validate":
        _move(lesson, actor, LessonStatus.VALIDATED, comment)
    elif step == "reject":
        if not comment:
            raise LessonError("Give the author a reason for rejecting the entry.")
        _move(lesson, actor, LessonStatus.REJECTED, comment)
    elif step == "confirm":
        _move(lesson, actor, LessonStatus.LEARNED, comment)
    db.session.commit()
    return lesson.status


def all_actions_done(lesson: Lesson) -> bool:
    """At least one action done and none still open or in progress (dropped ones do not count)."""
    statuses = list(db.session.scalars(select(FollowUpAction.status).where(FollowUpAction.lesson_id == lesson.id)))
    return ActionStatus.DONE in statuses and not any(
        s in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) for s in statuses
    )


# --- follow-up actions -----------------------------------------------------------------------


@dataclass
class ActionData:
    title: str
    description: str | None = None
    owner_user_id: int | None = None
    owner_organisation_id: int | None = None
    owner_contact: str | None = None
    due_on: date | None = None


def add_action(actor: User, data: ActionData, *, lesson: Lesson | None = None, event: Event | None = None) -> FollowUpAction:
    if lesson is not None:
        if not can_add_action_to_lesson(actor, lesson):
            raise LessonError("Follow-up actions are added to validated entries by coordinators or the event's organisers.")
        event_id = None
    elif event is not None:
        if not can_add_action_to_event(actor, event):
            raise LessonError("Only the event's organisers and coordinators add actions to an event.")
        event_id = event.id
    else:
        raise LessonError("An action comes from an entry or an event.")
    title = (data.title or "").strip()
    if not title or len(title) > 300:
        raise LessonError("Say what must be done (at most 300 characters).")
    owner = db.session.get(User, data.owner_user_id) if data.owner_user_id else None
    if data.owner_user_id and owner is None:
        raise LessonError("Choose the owner from the list.")
    organisation = db.session.get(Organisation, data.owner_organisation_id) if data.owner_organisation_id else None
    if data.owner_organisation_id and organisation is None:
        raise LessonError("Choose the organisation from the list.")
    contact = _clean_text(data.owner_contact)
    if owner is None and organisation is None:
        raise LessonError("Give the action an owner: a person, or an organisation with a contact.")
    if owner is None and not contact:
        raise LessonError("Give the organisation's contact (an email address) for this action.")
    action = FollowUpAction(
        lesson_id=lesson.id if lesson else None,
        event_id=event_id,
        title=title,
        description=_clean_text(data.description),
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
        _move(lesson, actor, LessonStatus.ACTIONED, f"Follow-up action assigned: {title}")
    _tell_owner(action, actor, owner, contact)
    db.session.commit()
    return action


def _tell_owner(action: FollowUpAction, actor, owner: User | None, contact: str | None) -> None:
    if owner is not None:
        if owner.id == actor.id:
            return
        recipient = Recipient(owner.email, owner.name, owner.id)
        language = owner.language
    else:
        recipient = Recipient(contact)
        language = None
    subject, text, html = render_email(
        "lessons/action_assigned", language=language, action=action, actor=actor,
        url=_link(f"/lessons/actions/{action.id}"),
    )
    enqueue(recipient, subject, text, html, kind="action_assigned")


def update_action(action: FollowUpAction, actor: User, status: ActionStatus | str | None, note: str | None) -> None:
    if not can_update_action(actor, action):
        raise LessonError("Only the action's owner, the event's organisers or a coordinator update it.")
    note = _clean_text(note)
    if note and len(note) > 5000:
        raise LessonError("Keep the note under 5,000 characters.")
    if status is not None:
        try:
            status = ActionStatus(status)
        except ValueError as error:
            raise LessonError("Choose a status from the list.") from error
    if (status is None or status == action.status) and not note:
        raise LessonError("Change the status or write a progress note.")
    if status is not None and status != action.status:
        old = action.status
        action.status = status
        action.completed_at = now() if status == ActionStatus.DONE else None
        audit.record(actor, "action.status_changed", action, {"status": [old.value, status.value]})
        if not note:
            note = f"Status: {old.label} → {status.label}"
        else:
            note = f"Status: {old.label} → {status.label}. {note}"
    db.session.add(ActionNote(action_id=action.id, author_id=actor.id, body=note, at=now()))
    db.session.commit()
