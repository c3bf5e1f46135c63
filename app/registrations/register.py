"""Registering: a person registers themselves (or accepts an invitation, or an organiser adds them
by import: see register_locked); cancelling is in cancelling.py. The messages of the likely outcome
of a first self-registration are rendered before the event lock (_prepare_messages), so only the
seat decision and the inserts happen under it. No request here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.accounts.models import User
from app.db import row_id
from app.events.models import Event, EventStatus, RegistrationMode
from app.extensions import db
from app.i18n import format_instant
from app.notifications.models import OutboxMessage
from app.notifications.outbox import enqueue
from app.notifications.rendering import render_email
from app.registrations.attendance import earliest_check_in
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus
from app.registrations.notices import (
    event_links,
    recipient,
    tell_confirmed,
    tell_pending,
    tell_waitlisted,
    waitlisted_dedupe_key,
)
from app.registrations.questions import store_answers
from app.registrations.rules import ACTIVE, SELF_ROLES, Outcome, RegistrationError
from app.registrations.signals import registration_confirmed
from app.registrations.transactions import (
    as_persistent,
    dialect,
    end_reads_keeping_objects,
    insert_now,
    lock_event,
    rollback_on_error,
)
from app.registrations.waitlist import (
    Tally,
    place,
    seat_status,
    tally,
    waitlist_position,
)
from app.timeutil import now


@dataclass
class Needs:
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    needs_visa_letter: bool = False
    answers: dict[int, str] | None = None  # {question id: answer}; None leaves earlier answers alone


def registration_closed_reason(event: Event, at: datetime | None = None, *, invited: bool = False) -> str | None:
    """Why nobody can register now, or None when registration is open."""
    at = at or now()
    if event.status == EventStatus.DRAFT:
        return _("This event is not published yet.")
    if event.status == EventStatus.CANCELLED:
        return _("This event is cancelled.")
    if event.starts_at <= at:
        return _("Registration is closed: the event has started.")
    if invited:
        return None
    if event.registration_opens_at and at < event.registration_opens_at:
        when, zone_name = format_instant(event.registration_opens_at, event.timezone, "%d %b %Y, %H:%M")
        return _("Registration opens on %(when)s %(zone)s.", when=when, zone=zone_name)
    if event.registration_closes_at and at >= event.registration_closes_at:
        return _("Registration is closed.")
    return None


def _message_for(registration: Registration, position: int | None) -> str:
    title = registration.event.title
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("You are confirmed for %(title)s.", title=title)
    if registration.status == RegistrationStatus.WAITLISTED:
        return _("The event is full: you are number %(position)s on the waiting list for %(title)s. We will tell you when a seat frees.", position=position, title=title)  # noqa: E501
    if registration.status == RegistrationStatus.PENDING:
        return _("Your registration for %(title)s is pending approval by the organisers.", title=title)
    if registration.status == RegistrationStatus.REJECTED:
        return _("Your registration for %(title)s is rejected.", title=title)
    return _("Your registration for %(title)s is cancelled.", title=title)


# --------------------------------------------------------------------------------------------
# Under the lock


def _refusal(registration: Registration | None, trusted_role: bool) -> Outcome | None:
    """The outcome when this person's registration stands in the way (live, or declined), else None."""
    if registration is not None and registration.status in ACTIVE:
        position = waitlist_position(registration)
        return Outcome(registration, registration.status,
                       _("You are already registered. %(outcome)s", outcome=_message_for(registration, position)), position)
    if registration is not None and registration.status == RegistrationStatus.REJECTED and not trusted_role:
        return Outcome(registration, registration.status,
                       _("Your registration for this event was declined by the organisers."), ok=False)
    return None


def _fill(registration: Registration, event: Event, user: User, role: ParticipantRole, needs: Needs,
          instant: datetime, consented: bool, added_by: User | None) -> None:
    registration.event = event
    registration.user = user
    registration.role = role
    registration.registered_at = instant
    registration.cancelled_at = None
    registration.rejected_at = None
    registration.rejection_reason = None
    if registration.checked_in_at is not None:  # revived after a check-in, which it keeps (attendance's rule)
        registration.checked_in_at = earliest_check_in(registration.id)
    registration.dietary_needs = needs.dietary_needs
    registration.accessibility_needs = needs.accessibility_needs
    registration.needs_visa_letter = bool(needs.needs_visa_letter)
    store_answers(registration, needs.answers)
    registration.consented_at = instant if consented else None
    # Someone else's registration (an organiser's import) waits for the person's consent.
    registration.added_by_id = added_by.id if added_by is not None and added_by.id != user.id else None


def _tell(registration: Registration, status: RegistrationStatus, position: int | None, *, first: bool,
          prepared: _Prepared | None) -> list:
    """Send what the outcome calls for: the messages rendered before the lock when they fit it.
    Returns those (not in the session: the caller writes them in this transaction, insert_now);
    the others are added to the session."""
    fresh = prepared is not None and first
    if status == RegistrationStatus.CONFIRMED and fresh and prepared.confirmed is not None:
        return prepared.confirmed
    if status == RegistrationStatus.CONFIRMED:
        tell_confirmed(registration, promoted=False, first=first)
    elif status == RegistrationStatus.WAITLISTED and fresh and prepared.waitlisted is not None:
        return [_prepared_waitlisted(registration, position, prepared.waitlisted)]
    elif status == RegistrationStatus.WAITLISTED:
        tell_waitlisted(registration, position)
    else:
        tell_pending(registration)
    return []


def register_locked(event: Event, user: User, role: ParticipantRole, needs: Needs, *, actor: User,
                    consented: bool, trusted_role: bool, skip_approval: bool, action: str,
                    prepared: _Prepared | None = None, added_by: User | None = None,
                    last_write: bool = False) -> Outcome:
    """Inside a locked transaction: create or revive the registration and place it. No commit.

    `prepared`: messages rendered before the lock (see _prepare_messages), used when the outcome is
    the one they were rendered for. `last_write`: the caller commits next, writing nothing more (the
    last INSERT then moves the change stamps too: insert_now)."""
    instant = now()
    # One statement gives the seat count, the waiting list ahead and whether this person has a
    # registration already; a new registration then needs only its INSERTs under the lock. On
    # PostgreSQL it draws the id of a new registration too: its row is then written with its audit
    # entry and its messages in one statement, not flushed (no answers: those rows need a flush).
    direct = dialect() == "postgresql" and not (needs.answers and any(needs.answers.values()))
    counted = tally(event.id, user.id, instant, next_id=direct)
    registration = None
    if counted.own_id is not None:
        registration = db.session.execute(
            select(Registration).where(Registration.id == counted.own_id).execution_options(populate_existing=True)
        ).scalar_one()
    refusal = _refusal(registration, trusted_role)
    if refusal is not None:
        return refusal
    previous = registration.status.value if registration is not None else None
    # The seat decision comes first: the new row is then written once, already placed (one INSERT
    # under the lock instead of an INSERT and an UPDATE). Our own row never counts as a seat here.
    needs_approval = not skip_approval and (
        event.registration_mode == RegistrationMode.APPROVAL
        # A self-declared speaker or trainer would skip the capacity: an organiser confirms the role.
        or (not trusted_role and not role.takes_seat)
    )
    status = RegistrationStatus.PENDING if needs_approval else seat_status(event, role, counted.seats_taken)
    direct = direct and registration is None
    if registration is None:
        registration = Registration(id=counted.next_id, event_id=event.id, user_id=user.id) if direct else (
            Registration(event_id=event.id, user_id=user.id))
        if not direct:
            db.session.add(registration)
    # No autoflush while it is filled: reading its earlier answers would write a revived row twice.
    with db.session.no_autoflush:
        _fill(registration, event, user, role, needs, instant, consented, added_by)
        place(registration, event, status, instant)
    if not direct:
        db.session.flush()
    # Placed at `instant`, behind every entry the tally counted (the same order as waitlist_position).
    position = counted.waitlisted_before + 1 if status == RegistrationStatus.WAITLISTED else None
    entry = audit.build(actor, action, registration,
                        {"status": [previous, status.value], "role": role.value, "event_id": event.id})
    written = _tell(registration, status, position, first=previous is None, prepared=prepared)
    # Written now, in this transaction (the email row commits with the registration), without a
    # second flush of the unit of work.
    insert_now([registration, entry, *written] if direct else [entry, *written], last=last_write)
    if direct:
        as_persistent(registration)
    return Outcome(registration, status, _message_for(registration, position), position)


# --------------------------------------------------------------------------------------------
# Before the lock


@dataclass
class _Planned:
    """The likely registration of a first self-registration, to render its messages before the lock."""
    event: Event
    user: User
    role: ParticipantRole
    status: RegistrationStatus = RegistrationStatus.CONFIRMED

    @property
    def event_id(self) -> int:
        return self.event.id

    @property
    def user_id(self) -> int:
        return self.user.id


# Rendered in place of the waiting-list position, which is known only under the lock.
_POSITION_MARK = "__liaison_waitlist_position__"


@dataclass
class _Prepared:
    """Outbox messages built before the lock for the expected outcome (_prepare_messages), not added."""
    confirmed: list | None = None  # those of a confirmation
    waitlisted: OutboxMessage | None = None  # the notice, _POSITION_MARK in its texts and no dedupe key


def _prepare_waitlisted(event: Event, user: User, role: ParticipantRole) -> _Prepared | None:
    context = event_links(event, "waitlist")  # with the organisers' own paragraph
    subject, text, html = render_email(
        "registrations/waitlisted", language=user.language, user=user, event=event, position=_POSITION_MARK,
        registration=_Planned(event=event, user=user, role=role, status=RegistrationStatus.WAITLISTED), **context)
    if _POSITION_MARK not in text:
        return None
    # No dedupe key yet: it names the registration, which exists only under the lock.
    with db.session.no_autoflush:
        message = enqueue(recipient(user), subject, text, html, kind="registration.waitlisted")
    if message is None:
        return None
    db.session.expunge(message)
    return _Prepared(waitlisted=message)


def _prepare_messages(event_id: int, user: User, role: ParticipantRole,
                      counted: Tally | None = None) -> _Prepared | None:
    """Before the lock: render what a first registration will most likely send — the calendar
    invitation of a confirmation, or the waiting-list notice when the event is full — without adding
    anything to the session. None when the outcome is anything else (everything is then rendered
    under the lock, as before).

    Only a guess: the seat decision under the lock has the last word; a guess that turns out wrong
    (the last seat went meanwhile, or freed) is dropped and the right message rendered there.
    `counted`: the one read with the event (event_with_tally), if the caller has it."""
    event = db.session.get(Event, event_id)
    if (event is None or not role.takes_seat or event.status != EventStatus.PUBLISHED
            or event.registration_mode != RegistrationMode.OPEN or registration_closed_reason(event) is not None):
        return None
    if db.session.new or db.session.dirty or db.session.deleted:
        return None  # the caller has pending changes: keep them apart from the producer's
    if counted is None:
        counted = tally(event_id, user.id, now())
    if counted.own_id is not None:
        return None  # re-registration: revived rows and their session sign-ups keep the locked path
    if event.capacity is not None and counted.seats_taken >= event.capacity:
        return _prepare_waitlisted(event, user, role)
    with db.session.no_autoflush:
        registration_confirmed.send(_Planned(event=event, user=user, role=role), sessions=False)
        created = list(db.session.new)
        for obj in created:
            db.session.expunge(obj)
    if any(not isinstance(obj, OutboxMessage) for obj in created) or db.session.dirty or db.session.deleted:
        db.session.rollback()  # the producer changed more than the outbox: it runs under the lock instead
        return None
    return _Prepared(confirmed=created)


def _prepared_waitlisted(registration: Registration, position: int | None, message: OutboxMessage) -> OutboxMessage:
    """The notice built before the lock, with the position and the dedupe key tell_waitlisted
    would give it. No look-up of the key: it names a registration inserted in this transaction, so
    no earlier message can have it (and the column is unique)."""
    message.subject = message.subject.replace(_POSITION_MARK, str(position))
    message.text_body = message.text_body.replace(_POSITION_MARK, str(position))
    if message.html_body:
        message.html_body = message.html_body.replace(_POSITION_MARK, str(position))
    message.dedupe_key = waitlisted_dedupe_key(registration)
    return message


def register(event: Event, user: User, role: ParticipantRole | str = ParticipantRole.PARTICIPANT,
             needs: Needs | None = None, *, consent: bool = False, tally: Tally | None = None) -> Outcome:
    """A person registers themselves. Returns the outcome; commits. `tally`: read with the event
    by event_with_tally (saves a statement)."""
    try:
        role = ParticipantRole(role)
    except ValueError:
        return Outcome(None, None, _("Choose a role from the list."), ok=False)
    if role not in SELF_ROLES:
        return Outcome(None, None, _("Choose a role from the list."), ok=False)
    if not consent:
        return Outcome(None, None, _("Please accept the privacy notice to register."), ok=False)
    event_id = row_id(event)
    # The event row stays locked until the commit: render the likely messages (the confirmation's
    # email + .ics, or the waiting-list notice) before taking it, so only the seat decision and the
    # inserts happen under the lock.
    prepared = _prepare_messages(event_id, user, role, tally)
    if dialect() == "sqlite":
        end_reads_keeping_objects()
    try:
        event = lock_event(event_id, same_transaction=True)
    except RegistrationError as error:
        return Outcome(None, None, str(error), ok=False)
    with rollback_on_error():
        reason = registration_closed_reason(event)
        if reason is None and event.registration_mode == RegistrationMode.INVITATION:
            reason = _("Registration for this event is by invitation only.")
        if reason:
            db.session.rollback()
            return Outcome(None, None, reason, ok=False)
        outcome = register_locked(event, user, role, needs or Needs(), actor=user, consented=True,
                                  trusted_role=False, skip_approval=False, action="registration.register",
                                  prepared=prepared, last_write=True)
        db.session.commit()
        return outcome
