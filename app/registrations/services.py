"""Registration rules and their transactions: register, cancel, approve, waiting list, session
sign-ups, invitations, attendance and feedback. No request here: the web, the CLI and the tests call
the same code.

Capacity is guarded by a lock taken as the FIRST statement of each seat-changing transaction:
PostgreSQL locks the event (or session) row with SELECT ... FOR UPDATE; SQLite starts the
transaction with BEGIN IMMEDIATE (see app/db_events.py), which takes the database write lock.
Every public function that changes seats commits (or rolls back) its own transaction.
"""

from __future__ import annotations

import functools
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, case, delete, func, inspect, or_, select, true
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.models import User, normalise_email
from app.calendar import itip
from app.db import begin_write
from app.events.models import Event, EventKind, EventStatus, RegistrationMode, Session
from app.events.times import local_span
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.outbox import Recipient, enqueue
from app.notifications.rendering import render_email
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    Invitation,
    InvitationStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now, to_local

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
SEAT_ROLES = tuple(role for role in ParticipantRole if role.takes_seat)
SELF_ROLES = (
    ParticipantRole.PARTICIPANT,
    ParticipantRole.SPEAKER,
    ParticipantRole.TRAINER,
    ParticipantRole.OBSERVER,
)


class RegistrationError(ValueError):
    """A rule was broken; the message is fit to show to the user."""


@dataclass
class Outcome:
    registration: Registration | None
    status: RegistrationStatus | None
    message: str
    waitlist_position: int | None = None
    ok: bool = True

    @property
    def category(self) -> str:
        if not self.ok:
            return "danger"
        return {
            RegistrationStatus.CONFIRMED: "success",
            RegistrationStatus.WAITLISTED: "warning",
            RegistrationStatus.PENDING: "info",
        }.get(self.status, "info")


@dataclass
class Needs:
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    needs_visa_letter: bool = False


@dataclass
class BulkResult:
    done: list[Registration] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Transactions and locks


@contextmanager
def _rollback_on_error():
    """Roll the transaction back when anything fails inside (the block commits on success itself),
    so the scheduler and the CLI, which have no request teardown, never keep a broken session."""
    try:
        yield
    except Exception:
        db.session.rollback()
        raise


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _begin_locked() -> None:
    """End whatever transaction is open and start a new one that holds the write lock (SQLite)."""
    begin_write(db.session)


def _id(obj) -> int:
    """The primary key without a refresh query (objects are expired after each commit)."""
    identity = inspect(obj).identity
    return identity[0] if identity else obj.id


@functools.cache
def _lock_statement(model: type, dialect: str):
    """SELECT … FOR UPDATE of one row of `model` by id (a plain SELECT on SQLite, whose BEGIN
    IMMEDIATE already holds the write lock), built once: on the registration path, building the
    statement costs more than running it."""
    statement = select(model).where(model.id == bindparam("row_id")).execution_options(populate_existing=True)
    return statement if dialect == "sqlite" else statement.with_for_update(of=model)


def _lock_event(event_id: int, *, same_transaction: bool = False) -> Event:
    """The event's row, locked until the commit. `same_transaction`: on PostgreSQL, take the lock
    in the transaction that is open when it holds no pending changes (READ COMMITTED: every
    statement after the lock sees every commit before it) instead of committing it and beginning
    another: two round trips fewer on the registration path. SQLite always begins anew (BEGIN
    IMMEDIATE takes its write lock)."""
    session = db.session()
    if not (same_transaction and _dialect() != "sqlite" and session.in_transaction()
            and not (session.new or session.dirty or session.deleted)):
        _begin_locked()
    event = db.session.execute(_lock_statement(Event, _dialect()), {"row_id": event_id}).scalar_one_or_none()
    if event is None:
        db.session.rollback()
        raise RegistrationError("This event does not exist any more.")
    return event


def _lock_session(session_id: int) -> Session:
    _begin_locked()
    item = db.session.execute(_lock_statement(Session, _dialect()), {"row_id": session_id}).scalar_one_or_none()
    if item is None:
        db.session.rollback()
        raise RegistrationError("This session does not exist any more.")
    return item


def _fresh_registration(registration_id: int) -> Registration | None:
    return db.session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(joinedload(Registration.user))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------------------------
# Counting


def seats_taken(event_id: int) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.role.in_(SEAT_ROLES),
        )
    ) or 0


@dataclass
class _Tally:
    """An event's registrations as one registering person needs them (see _tally)."""
    seats_taken: int
    waitlisted_before: int  # waiting-list entries placed at or before the instant given
    own_id: int | None  # this person's registration of the event, in whatever status


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Built once: under the lock, even building the statement would count.
_TALLY = select(
    _count_where(and_(Registration.status == RegistrationStatus.CONFIRMED,
                      Registration.role.in_(SEAT_ROLES))).label("seats_taken"),
    _count_where(and_(Registration.status == RegistrationStatus.WAITLISTED,
                      Registration.waitlisted_at <= bindparam("instant"))).label("waitlisted_before"),
    func.max(case((Registration.user_id == bindparam("user_id"), Registration.id))).label("own_id"),
).where(Registration.event_id == bindparam("event_id"))
# The event with its tally, for the first read of a registration (an aggregate is always one row).
_TALLY_ROW = _TALLY.subquery("tally")
_EVENT_WITH_TALLY = (select(Event, _TALLY_ROW).select_from(Event).join(_TALLY_ROW, true())
                     .where(Event.id == bindparam("event_id")))


def _tally(event_id: int, user_id: int, instant: datetime) -> _Tally:
    """One statement instead of three: the seats taken, the waiting list ahead of an entry placed
    at `instant` (rows already there have lower ids, so ties count as ahead), and whether this
    person already has a registration. Under the event lock, this is the seat decision's input."""
    # On the session's connection, not through the ORM's execute: no objects are loaded, and the
    # ORM layer would cost as much as the statement itself.
    row = db.session.connection().execute(_TALLY, {"event_id": event_id, "user_id": user_id, "instant": instant}).one()
    return _Tally(seats_taken=int(row[0]), waitlisted_before=int(row[1]), own_id=row[2])


def event_with_tally(event_id: int, user: User) -> tuple[Event | None, _Tally | None]:
    """The event and, from the same statement, `user`'s tally of it now (see _tally): the first
    read of a self-registration, one round trip instead of two. Unlocked: register() uses the tally
    only to guess which message to render before the lock; the seat decision counts again under it."""
    row = db.session.execute(_EVENT_WITH_TALLY, {"event_id": event_id, "user_id": user.id, "instant": now()}).first()
    if row is None:
        return None, None
    event, seats_taken, waitlisted_before, own_id = row
    return event, _Tally(seats_taken=int(seats_taken), waitlisted_before=int(waitlisted_before), own_id=own_id)


def free_seats(event: Event) -> int | None:
    """Free participant seats, or None when the capacity is unlimited."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - seats_taken(event.id))


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                and_(
                    Registration.waitlisted_at == registration.waitlisted_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    ) or 0
    return ahead + 1


def waitlist_positions(event_ids) -> dict[int, int]:
    """{registration id: position} for every waitlisted registration of these events (one query)."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    ranked = (
        select(
            Registration.id.label("id"),
            func.row_number()
            .over(
                partition_by=Registration.event_id,
                order_by=(Registration.waitlisted_at, Registration.id),
            )
            .label("position"),
        )
        .where(Registration.event_id.in_(event_ids), Registration.status == RegistrationStatus.WAITLISTED)
    )
    return {row.id: row.position for row in db.session.execute(ranked)}


def signup_waitlist_positions(session_ids) -> dict[int, int]:
    session_ids = list(session_ids)
    if not session_ids:
        return {}
    ranked = select(
        SessionSignup.id.label("id"),
        func.row_number()
        .over(partition_by=SessionSignup.session_id, order_by=(SessionSignup.waitlisted_at, SessionSignup.id))
        .label("position"),
    ).where(SessionSignup.session_id.in_(session_ids), SessionSignup.status == SessionSignupStatus.WAITLISTED)
    return {row.id: row.position for row in db.session.execute(ranked)}


# --------------------------------------------------------------------------------------------
# Notices


def _recipient(user: User) -> Recipient:
    return Recipient(email=user.email, name=user.name, user_id=user.id)


def link(path: str) -> str:
    """An absolute link for emails (built from BASE_URL: works outside requests, e.g. the scheduler)."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def _event_links(event: Event | None) -> dict:
    if event is None:
        return {}
    return {"event_link": link(f"/events/{event.id}/registration"), "my_events_link": link("/my/events")}


def _notice(name: str, user: User, *, dedupe_key: str | None = None, **context) -> None:
    context.update(_event_links(context.get("event")))
    subject, text, html = render_email(f"registrations/{name}", language=user.language, user=user, **context)
    enqueue(_recipient(user), subject, text, html, kind=f"registration.{name}", dedupe_key=dedupe_key)


def _stamp(instant: datetime | None) -> str:
    return instant.isoformat() if instant else "none"


def _tell_confirmed(registration: Registration, *, promoted: bool, first: bool = False) -> None:
    itip.queue_invitation(registration, sessions=not first)
    if promoted:
        _notice(
            "promoted",
            registration.user,
            registration=registration,
            event=registration.event,
            dedupe_key=f"registration:{registration.id}:promoted:{_stamp(registration.confirmed_at)}",
        )


def _tell_waitlisted(registration: Registration, position: int | None) -> None:
    _notice(
        "waitlisted",
        registration.user,
        registration=registration,
        event=registration.event,
        position=position,
        dedupe_key=f"registration:{registration.id}:waitlisted:{_stamp(registration.waitlisted_at)}",
    )


def _tell_pending(registration: Registration) -> None:
    _notice(
        "pending",
        registration.user,
        registration=registration,
        event=registration.event,
        dedupe_key=f"registration:{registration.id}:pending:{_stamp(registration.registered_at)}",
    )


# --------------------------------------------------------------------------------------------
# Registering


def registration_closed_reason(event: Event, at: datetime | None = None, *, invited: bool = False) -> str | None:
    """Why nobody can register now, or None when registration is open."""
    at = at or now()
    if event.status == EventStatus.DRAFT:
        return "This event is not published yet."
    if event.status == EventStatus.CANCELLED:
        return "This event is cancelled."
    if event.starts_at <= at:
        return "Registration is closed: the event has started."
    if invited:
        return None
    if event.registration_opens_at and at < event.registration_opens_at:
        local = to_local(event.registration_opens_at, event.timezone)
        return f"Registration opens on {local.strftime('%d %b %Y, %H:%M')} {local.tzname()}."
    if event.registration_closes_at and at >= event.registration_closes_at:
        return "Registration is closed."
    return None


def _seat_status(event: Event, role: ParticipantRole, taken: int | None = None) -> RegistrationStatus:
    """`taken`: the seats taken, when the caller has counted them under the lock already."""
    if not role.takes_seat or event.capacity is None:
        return RegistrationStatus.CONFIRMED
    if (seats_taken(event.id) if taken is None else taken) < event.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _place(registration: Registration, event: Event, status: RegistrationStatus,
           instant: datetime | None = None) -> None:
    instant = instant or now()
    registration.status = status
    if status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = instant
        registration.waitlisted_at = None
    elif status == RegistrationStatus.WAITLISTED:
        registration.waitlisted_at = instant
        registration.confirmed_at = None
    else:
        registration.confirmed_at = None
        registration.waitlisted_at = None


def _message_for(registration: Registration, position: int | None) -> str:
    title = registration.event.title
    if registration.status == RegistrationStatus.CONFIRMED:
        return f"You are confirmed for {title}."
    if registration.status == RegistrationStatus.WAITLISTED:
        return f"The event is full: you are number {position} on the waiting list for {title}. We will tell you when a seat frees."
    if registration.status == RegistrationStatus.PENDING:
        return f"Your registration for {title} is pending approval by the organisers."
    return f"Your registration for {title} is {registration.status.label.lower()}."


def _do_register(event: Event, user: User, role: ParticipantRole, needs: Needs, *, actor: User,
                 consented: bool, trusted_role: bool, skip_approval: bool, action: str,
                 prepared: _Prepared | None = None) -> Outcome:
    """Inside a locked transaction: create or revive the registration and place it. No commit.

    `prepared`: messages rendered before the lock (see _prepare_messages), used when the outcome is
    the one they were rendered for."""
    instant = now()
    # One statement gives the seat count, the waiting list ahead and whether this person has a
    # registration already; a new registration then needs only its INSERTs under the lock.
    tally = _tally(event.id, user.id, instant)
    registration = None
    if tally.own_id is not None:
        registration = db.session.execute(
            select(Registration).where(Registration.id == tally.own_id).execution_options(populate_existing=True)
        ).scalar_one()
    if registration is not None and registration.status in ACTIVE:
        position = waitlist_position(registration)
        return Outcome(registration, registration.status,
                       "You are already registered. " + _message_for(registration, position), position)
    if registration is not None and registration.status == RegistrationStatus.REJECTED and not trusted_role:
        return Outcome(registration, registration.status,
                       "Your registration for this event was declined by the organisers.", ok=False)
    previous = registration.status.value if registration is not None else None
    # The seat decision comes first: the new row is then written once, already placed (one INSERT
    # under the lock instead of an INSERT and an UPDATE). Our own row never counts as a seat here.
    needs_approval = not skip_approval and (
        event.registration_mode == RegistrationMode.APPROVAL
        # A self-declared speaker or trainer would skip the capacity: an organiser confirms the role.
        or (not trusted_role and not role.takes_seat)
    )
    status = RegistrationStatus.PENDING if needs_approval else _seat_status(event, role, tally.seats_taken)
    if registration is None:
        registration = Registration(event_id=event.id, user_id=user.id)
        db.session.add(registration)
    registration.event = event
    registration.user = user
    registration.role = role
    registration.registered_at = instant
    registration.cancelled_at = None
    registration.rejected_at = None
    registration.rejection_reason = None
    registration.checked_in_at = None
    registration.dietary_needs = needs.dietary_needs
    registration.accessibility_needs = needs.accessibility_needs
    registration.needs_visa_letter = bool(needs.needs_visa_letter)
    registration.consented_at = instant if consented else None

    _place(registration, event, status, instant)
    db.session.flush()
    # Placed at `instant`, behind every entry the tally counted (the same order as waitlist_position).
    position = tally.waitlisted_before + 1 if status == RegistrationStatus.WAITLISTED else None
    audit.record(actor, action, registration,
                 {"status": [previous, status.value], "role": role.value, "event_id": event.id})
    fresh = prepared is not None and previous is None
    if status == RegistrationStatus.CONFIRMED and fresh and prepared.confirmed is not None:
        db.session.add_all(prepared.confirmed)  # rendered before the lock; written in this transaction
    elif status == RegistrationStatus.CONFIRMED:
        _tell_confirmed(registration, promoted=False, first=previous is None)
    elif status == RegistrationStatus.WAITLISTED and fresh and prepared.waitlisted is not None:
        _send_prepared_waitlisted(registration, position, prepared.waitlisted)
    elif status == RegistrationStatus.WAITLISTED:
        _tell_waitlisted(registration, position)
    else:
        _tell_pending(registration)
    return Outcome(registration, status, _message_for(registration, position), position)


@dataclass
class _Planned:
    """Stands in for the registration a first-time self-registration will most likely get, so its
    messages can be rendered before the event lock (the producers read only these attributes)."""
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


def _end_reads_keeping_objects() -> None:
    """End the read-only transaction of the preparation without expiring what it loaded, so the
    locked transaction does not read the user again (the event is reloaded under the lock anyway)."""
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return  # nothing open, or pending changes: _begin_locked commits them as before
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


# Rendered in place of the waiting-list position, which is known only under the lock.
_POSITION_MARK = "__liaison_waitlist_position__"


@dataclass
class _Prepared:
    """Messages built before the event lock for the outcome we expect (see _prepare_messages); outbox
    messages not yet in the session."""
    confirmed: list | None = None  # those of a confirmation
    waitlisted: OutboxMessage | None = None  # the notice, _POSITION_MARK in its texts and no dedupe key


def _prepare_messages(event_id: int, user: User, role: ParticipantRole,
                      tally: _Tally | None = None) -> _Prepared | None:
    """Before the lock: render what a first registration will most likely send — the calendar
    invitation of a confirmation, or the waiting-list notice when the event is full — without adding
    anything to the session. None when the outcome is anything else (everything is then rendered
    under the lock, as before).

    Only a guess: the seat decision under the lock has the last word; a guess that turns out wrong
    (the last seat went meanwhile, or freed) is dropped and the right message rendered there.
    `tally`: the one read with the event (event_with_tally), if the caller has it."""
    event = db.session.get(Event, event_id)
    if (event is None or not role.takes_seat or event.status != EventStatus.PUBLISHED
            or event.registration_mode != RegistrationMode.OPEN or registration_closed_reason(event) is not None):
        return None
    if db.session.new or db.session.dirty or db.session.deleted:
        return None  # the caller has pending changes: keep them apart from the producer's
    if tally is None:
        tally = _tally(event_id, user.id, now())
    if tally.own_id is not None:
        return None  # re-registration: revived rows and their session sign-ups keep the locked path
    if event.capacity is not None and tally.seats_taken >= event.capacity:
        context = _event_links(event)
        subject, text, html = render_email(
            "registrations/waitlisted", language=user.language, user=user, event=event, position=_POSITION_MARK,
            registration=_Planned(event=event, user=user, role=role, status=RegistrationStatus.WAITLISTED), **context)
        if _POSITION_MARK not in text:
            return None
        # No dedupe key yet: it names the registration, which exists only under the lock.
        with db.session.no_autoflush:
            message = enqueue(_recipient(user), subject, text, html, kind="registration.waitlisted")
        if message is None:
            return None
        db.session.expunge(message)
        return _Prepared(waitlisted=message)
    with db.session.no_autoflush:
        itip.queue_invitation(_Planned(event=event, user=user, role=role), sessions=False)
        created = list(db.session.new)
        for obj in created:
            db.session.expunge(obj)
    if any(not isinstance(obj, OutboxMessage) for obj in created) or db.session.dirty or db.session.deleted:
        db.session.rollback()  # the producer changed more than the outbox: it runs under the lock instead
        return None
    return _Prepared(confirmed=created)


def _send_prepared_waitlisted(registration: Registration, position: int | None, message: OutboxMessage) -> None:
    """Add the notice built before the lock, with the position and the dedupe key _tell_waitlisted
    would give it. No look-up of the key: it names a registration inserted in this transaction, so
    no earlier message can have it (and the column is unique)."""
    message.subject = message.subject.replace(_POSITION_MARK, str(position))
    message.text_body = message.text_body.replace(_POSITION_MARK, str(position))
    if message.html_body:
        message.html_body = message.html_body.replace(_POSITION_MARK, str(position))
    message.dedupe_key = f"registration:{registration.id}:waitlisted:{_stamp(registration.waitlisted_at)}"
    db.session.add(message)


def register(event: Event, user: User, role: ParticipantRole | str = ParticipantRole.PARTICIPANT,
             needs: Needs | None = None, *, consent: bool = False, tally: _Tally | None = None) -> Outcome:
    """A person registers themselves. Returns the outcome; commits. `tally`: read with the event
    by event_with_tally (saves a statement)."""
    try:
        role = ParticipantRole(role)
    except ValueError:
        return Outcome(None, None, "Choose a role from the list.", ok=False)
    if role not in SELF_ROLES:
        return Outcome(None, None, "Choose a role from the list.", ok=False)
    if not consent:
        return Outcome(None, None, "Please accept the privacy notice to register.", ok=False)
    event_id = _id(event)
    # The event row stays locked until the commit: render the likely messages (the confirmation's
    # email + .ics, or the waiting-list notice) before taking it, so only the seat decision and the
    # inserts happen under the lock.
    prepared = _prepare_messages(event_id, user, role, tally)
    if _dialect() == "sqlite":
        _end_reads_keeping_objects()
    try:
        event = _lock_event(event_id, same_transaction=True)
    except RegistrationError as error:
        return Outcome(None, None, str(error), ok=False)
    with _rollback_on_error():
        reason = registration_closed_reason(event)
        if reason is None and event.registration_mode == RegistrationMode.INVITATION:
            reason = "Registration for this event is by invitation only."
        if reason:
            db.session.rollback()
            return Outcome(None, None, reason, ok=False)
        outcome = _do_register(event, user, role, needs or Needs(), actor=user, consented=True,
                               trusted_role=False, skip_approval=False, action="registration.register",
                               prepared=prepared)
        db.session.commit()
        return outcome


def register_by_organiser(event: Event, user: User, role: ParticipantRole, actor: User) -> Outcome:
    """An organiser registers someone (import): no window or mode, the capacity still holds."""
    event = _lock_event(_id(event))
    with _rollback_on_error():
        if event.status == EventStatus.CANCELLED:
            db.session.rollback()
            return Outcome(None, None, "This event is cancelled.", ok=False)
        outcome = _do_register(event, user, role, Needs(), actor=actor, consented=False,
                               trusted_role=True, skip_approval=True, action="registration.add")
        db.session.commit()
        return outcome


# --------------------------------------------------------------------------------------------
# Waiting list


def _promote_locked(event: Event, actor: User | None) -> list[Registration]:
    """Inside the event's locked transaction: confirm the first on the waiting list while seats
    are free. Tells each promoted person. No commit."""
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now():
        return []
    query = (
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .options(joinedload(Registration.user))
        .execution_options(populate_existing=True)
    )
    if event.capacity is not None:
        free = event.capacity - seats_taken(event.id)
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        registration.event = event
        _place(registration, event, RegistrationStatus.CONFIRMED)
        audit.record(actor, "registration.promote", registration,
                     {"status": ["waitlisted", "confirmed"], "automatic": True})
        _tell_confirmed(registration, promoted=True)
    db.session.flush()
    return promoted


def promote_waitlist(event: Event, actor: User | None = None) -> list[Registration]:
    """Fill free seats from the waiting list, in order. Commits."""
    event = _lock_event(_id(event))
    with _rollback_on_error():
        promoted = _promote_locked(event, actor)
        db.session.commit()
        return promoted


def capacity_changed(event: Event, actor: User | None = None) -> list[Registration]:
    """Call after an event's capacity changed (and was committed): a raised or removed capacity
    confirms people from the waiting list. Commits."""
    return promote_waitlist(event, actor)


# --------------------------------------------------------------------------------------------
# Cancelling and managing


def _cancel_signups_locked(event: Event, user_id: int) -> None:
    signups = db.session.scalars(
        select(SessionSignup)
        .join(Session, Session.id == SessionSignup.session_id)
        .where(Session.event_id == event.id, SessionSignup.user_id == user_id,
               SessionSignup.status != SessionSignupStatus.CANCELLED)
    ).all()
    freed_sessions = set()
    for signup in signups:
        if signup.status == SessionSignupStatus.CONFIRMED:
            freed_sessions.add(signup.session_id)
        signup.status = SessionSignupStatus.CANCELLED
        signup.cancelled_at = now()
    db.session.flush()
    for session_id in sorted(freed_sessions):
        statement = select(Session).where(Session.id == session_id)
        if _dialect() != "sqlite":
            # Same lock as a sign-up takes, so a promotion here cannot race one there.
            statement = statement.with_for_update(of=Session)
        _promote_session_locked(db.session.execute(statement).scalar_one_or_none(), None)


def cancel_registration(registration: Registration, actor: User, *, by_organiser: bool = False) -> Outcome:
    """The participant cancels (until the start) or an organiser cancels (any time). Commits."""
    event = _lock_event(registration.event_id)
    with _rollback_on_error():
        registration = _fresh_registration(registration.id)
        if registration is None or registration.status not in ACTIVE:
            db.session.rollback()
            return Outcome(registration, registration.status if registration else None,
                           "This registration is not active.", ok=False)
        if not by_organiser and event.starts_at <= now():
            db.session.rollback()
            return Outcome(registration, registration.status,
                           "The event has started: please contact the organisers to cancel.", ok=False)
        previous = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now()
        registration.waitlisted_at = None
        audit.record(actor, "registration.cancel", registration,
                     {"status": [previous.value, "cancelled"], "by_organiser": by_organiser})
        if previous == RegistrationStatus.CONFIRMED:
            itip.queue_registration_cancel(registration)
        if by_organiser:
            _notice("cancelled", registration.user, registration=registration, event=event,
                    dedupe_key=f"registration:{registration.id}:cancelled:{_stamp(registration.cancelled_at)}")
        db.session.flush()
        _cancel_signups_locked(event, registration.user_id)
        if previous == RegistrationStatus.CONFIRMED:
            _promote_locked(event, actor)
        db.session.commit()
        return Outcome(registration, RegistrationStatus.CANCELLED,
                       f"The registration for {event.title} is cancelled.")


def _approve_locked(event: Event, registration: Registration, actor: User) -> str:
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(f"{registration.user.name}: only pending registrations can be approved.")
    status = _seat_status(event, registration.role)
    _place(registration, event, status)
    db.session.flush()
    audit.record(actor, "registration.approve", registration, {"status": ["pending", status.value]})
    if status == RegistrationStatus.CONFIRMED:
        _tell_confirmed(registration, promoted=False)
        return f"{registration.user.name} is confirmed."
    position = waitlist_position(registration)
    _tell_waitlisted(registration, position)
    return f"{registration.user.name} is approved; the event is full, so they are number {position} on the waiting list."


def _reject_locked(event: Event, registration: Registration, actor: User, reason: str | None) -> str:
    if registration.status not in ACTIVE:
        raise RegistrationError(f"{registration.user.name}: this registration is not active.")
    previous = registration.status
    registration.status = RegistrationStatus.REJECTED
    registration.rejected_at = now()
    registration.rejection_reason = (reason or "").strip()[:2000] or None
    registration.waitlisted_at = None
    audit.record(actor, "registration.reject", registration,
                 {"status": [previous.value, "rejected"], "reason": registration.rejection_reason})
    if previous == RegistrationStatus.CONFIRMED:
        itip.queue_registration_cancel(registration)
    _notice("rejected", registration.user, registration=registration, event=event,
            reason=registration.rejection_reason,
            dedupe_key=f"registration:{registration.id}:rejected:{_stamp(registration.rejected_at)}")
    db.session.flush()
    _cancel_signups_locked(event, registration.user_id)
    if previous == RegistrationStatus.CONFIRMED:
        _promote_locked(event, actor)
    return f"{registration.user.name} is rejected."


def _cancel_locked(event: Event, registration: Registration, actor: User) -> str:
    if registration.status not in ACTIVE:
        raise RegistrationError(f"{registration.user.name}: this registration is not active.")
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now()
    registration.waitlisted_at = None
    audit.record(actor, "registration.cancel", registration,
                 {"status": [previous.value, "cancelled"], "by_organiser": True})
    if previous == RegistrationStatus.CONFIRMED:
        itip.queue_registration_cancel(registration)
    _notice("cancelled", registration.user, registration=registration, event=event,
            dedupe_key=f"registration:{registration.id}:cancelled:{_stamp(registration.cancelled_at)}")
    db.session.flush()
    _cancel_signups_locked(event, registration.user_id)
    if previous == RegistrationStatus.CONFIRMED:
        _promote_locked(event, actor)
    return f"{registration.user.name} is cancelled."


def _promote_one_locked(event: Event, registration: Registration, actor: User) -> str:
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError(f"{registration.user.name}: only people on the waiting list can be moved up.")
    if registration.role.takes_seat and event.capacity is not None and seats_taken(event.id) >= event.capacity:
        raise RegistrationError(
            f"{registration.user.name}: no free seat. Raise the capacity or free a seat first."
        )
    _place(registration, event, RegistrationStatus.CONFIRMED)
    audit.record(actor, "registration.promote", registration,
                 {"status": ["waitlisted", "confirmed"], "automatic": False})
    _tell_confirmed(registration, promoted=True)
    db.session.flush()
    return f"{registration.user.name} is moved from the waiting list and confirmed."


def _change_role_locked(event: Event, registration: Registration, actor: User, role: ParticipantRole) -> str:
    if registration.role == role:
        return f"{registration.user.name} is already {role.label.lower()}."
    previous = registration.role
    if (registration.status == RegistrationStatus.CONFIRMED and role.takes_seat and not previous.takes_seat
            and event.capacity is not None and seats_taken(event.id) >= event.capacity):
        raise RegistrationError(
            f"{registration.user.name}: no free participant seat for this role. Raise the capacity first."
        )
    registration.role = role
    audit.record(actor, "registration.role", registration, {"role": [previous.value, role.value]})
    db.session.flush()
    if registration.status == RegistrationStatus.WAITLISTED and not role.takes_seat:
        _place(registration, event, RegistrationStatus.CONFIRMED)
        audit.record(actor, "registration.promote", registration,
                     {"status": ["waitlisted", "confirmed"], "reason": "role takes no seat"})
        _tell_confirmed(registration, promoted=True)
    elif registration.status == RegistrationStatus.CONFIRMED and previous.takes_seat and not role.takes_seat:
        _promote_locked(event, actor)
    return f"{registration.user.name} is now {role.label.lower()}."


BULK_ACTIONS = ("approve", "reject", "cancel", "promote", "role")


def manage(event: Event, registration_ids, action: str, actor: User, *, reason: str | None = None,
           role: str | None = None) -> BulkResult:
    """Apply an organiser's action to one or more registrations of `event`, in one locked
    transaction, in list order. Each person's problem is reported; the others go through."""
    if action not in BULK_ACTIONS:
        raise RegistrationError("Choose an action.")
    new_role = None
    if action == "role":
        try:
            new_role = ParticipantRole(role or "")
        except ValueError as error:
            raise RegistrationError("Choose a role.") from error
    ids = sorted({int(i) for i in registration_ids})
    if not ids:
        raise RegistrationError("Select at least one person.")
    event = _lock_event(_id(event))
    result = BulkResult()
    with _rollback_on_error():
        registrations = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .options(joinedload(Registration.user))
            .order_by(Registration.waitlisted_at, Registration.registered_at, Registration.id)
            .execution_options(populate_existing=True)
        ).all()
        for registration in registrations:
            registration.event = event
            try:
                if action == "approve":
                    _approve_locked(event, registration, actor)
                elif action == "reject":
                    _reject_locked(event, registration, actor, reason)
                elif action == "cancel":
                    _cancel_locked(event, registration, actor)
                elif action == "promote":
                    _promote_one_locked(event, registration, actor)
                else:
                    _change_role_locked(event, registration, actor, new_role)
                result.done.append(registration)
            except RegistrationError as error:
                result.problems.append(str(error))
        missing = len(ids) - len(registrations)
        if missing:
            result.problems.append(f"{missing} selected registration(s) do not belong to this event.")
        db.session.commit()
        return result


def update_needs(registration: Registration, needs: Needs, actor: User) -> None:
    fields = {
        "dietary_needs": needs.dietary_needs,
        "accessibility_needs": needs.accessibility_needs,
        "needs_visa_letter": bool(needs.needs_visa_letter),
    }
    changes = audit.diff(registration, fields)
    for name, value in fields.items():
        setattr(registration, name, value)
    if changes:
        # Needs are personal: the audit says what changed, not the content.
        audit.record(actor, "registration.needs", registration, {"fields": sorted(changes)})
    db.session.commit()


# --------------------------------------------------------------------------------------------
# Sessions (trainings with their own capacity)


def _session_seats_taken(session_id: int) -> int:
    return db.session.scalar(
        select(func.count(SessionSignup.id)).where(
            SessionSignup.session_id == session_id, SessionSignup.status == SessionSignupStatus.CONFIRMED
        )
    ) or 0


def signup_position(signup: SessionSignup) -> int | None:
    if signup.status != SessionSignupStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(SessionSignup.id)).where(
            SessionSignup.session_id == signup.session_id,
            SessionSignup.status == SessionSignupStatus.WAITLISTED,
            or_(SessionSignup.waitlisted_at < signup.waitlisted_at,
                and_(SessionSignup.waitlisted_at == signup.waitlisted_at, SessionSignup.id < signup.id)),
        )
    ) or 0
    return ahead + 1


@dataclass
class SignupOutcome:
    signup: SessionSignup | None
    message: str
    position: int | None = None
    ok: bool = True

    @property
    def category(self) -> str:
        if not self.ok:
            return "danger"
        if self.signup is not None and self.signup.status == SessionSignupStatus.WAITLISTED:
            return "warning"
        return "success"


def sign_up_for_session(session: Session, user: User) -> SignupOutcome:
    """A confirmed participant signs up for a session with its own capacity. Commits."""
    session = _lock_session(_id(session))
    with _rollback_on_error():
        if not session.has_signup:
            db.session.rollback()
            return SignupOutcome(None, "This session has no sign-up.", ok=False)
        if session.starts_at <= now():
            db.session.rollback()
            return SignupOutcome(None, "This session has started.", ok=False)
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == session.event_id, Registration.user_id == user.id)
        )
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            db.session.rollback()
            return SignupOutcome(None, "Only confirmed participants can sign up for sessions.", ok=False)
        signup = db.session.execute(
            select(SessionSignup)
            .where(SessionSignup.session_id == session.id, SessionSignup.user_id == user.id)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if signup is not None and signup.status != SessionSignupStatus.CANCELLED:
            position = signup_position(signup)
            db.session.rollback()
            return SignupOutcome(signup, f"You are already signed up for {session.title}.", position)
        # Count before adding the new row, so autoflush cannot count it.
        has_room = session.capacity is None or _session_seats_taken(session.id) < session.capacity
        if signup is None:
            signup = SessionSignup(session_id=session.id, user_id=user.id)
            db.session.add(signup)
        instant = now()
        signup.cancelled_at = None
        if has_room:
            signup.status = SessionSignupStatus.CONFIRMED
            signup.confirmed_at = instant
            signup.waitlisted_at = None
        else:
            signup.status = SessionSignupStatus.WAITLISTED
            signup.waitlisted_at = instant
            signup.confirmed_at = None
        db.session.flush()
        position = signup_position(signup)
        audit.record(user, "session_signup.create", signup,
                     {"status": signup.status.value, "session_id": session.id})
        if signup.status == SessionSignupStatus.CONFIRMED:
            itip.queue_session_invitation(signup)
        db.session.commit()
        if signup.status == SessionSignupStatus.CONFIRMED:
            return SignupOutcome(signup, f"You are signed up for {session.title}.")
        return SignupOutcome(signup, f"{session.title} is full: you are number {position} on its waiting list.", position)


def _promote_session_locked(session: Session | None, actor: User | None) -> list[SessionSignup]:
    if session is None or session.starts_at <= now():
        return []
    query = (
        select(SessionSignup)
        .where(SessionSignup.session_id == session.id, SessionSignup.status == SessionSignupStatus.WAITLISTED)
        .order_by(SessionSignup.waitlisted_at, SessionSignup.id)
        .options(joinedload(SessionSignup.user))
    )
    if session.capacity is not None:
        free = session.capacity - _session_seats_taken(session.id)
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for signup in promoted:
        signup.status = SessionSignupStatus.CONFIRMED
        signup.confirmed_at = now()
        signup.waitlisted_at = None
        audit.record(actor, "session_signup.promote", signup, {"status": ["waitlisted", "confirmed"]})
        itip.queue_session_invitation(signup)
        _notice("session_promoted", signup.user, session=session, event=session.event,
                dedupe_key=f"session_signup:{signup.id}:promoted:{_stamp(signup.confirmed_at)}")
    db.session.flush()
    return promoted


def promote_session_waitlist(session: Session, actor: User | None = None) -> list[SessionSignup]:
    """Fill a session's free places from its waiting list (e.g. after its capacity was raised)."""
    session = _lock_session(_id(session))
    with _rollback_on_error():
        promoted = _promote_session_locked(session, actor)
        db.session.commit()
        return promoted


def cancel_session_signup(signup: SessionSignup, actor: User) -> SignupOutcome:
    session = _lock_session(signup.session_id)
    with _rollback_on_error():
        signup = db.session.execute(
            select(SessionSignup).where(SessionSignup.id == signup.id).execution_options(populate_existing=True)
        ).scalar_one()
        if signup.status == SessionSignupStatus.CANCELLED:
            db.session.rollback()
            return SignupOutcome(signup, "This sign-up is already cancelled.", ok=False)
        previous = signup.status
        signup.status = SessionSignupStatus.CANCELLED
        signup.cancelled_at = now()
        signup.waitlisted_at = None
        audit.record(actor, "session_signup.cancel", signup, {"status": [previous.value, "cancelled"]})
        if signup.sequence_sent is not None:
            # It is in their calendar: take it out.
            itip.queue_session_cancel(session, user_ids=[signup.user_id])
            signup.sequence_sent = None
        db.session.flush()
        if previous == SessionSignupStatus.CONFIRMED:
            _promote_session_locked(session, actor)
        db.session.commit()
        return SignupOutcome(signup, f"Your sign-up for {session.title} is cancelled.")


# --------------------------------------------------------------------------------------------
# Invitations


@dataclass
class InviteResult:
    invited: list[Invitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _send_invitation(invitation: Invitation, event: Event, user: User | None) -> None:
    if user is not None:
        subject, text, html = render_email("registrations/invitation", language=user.language,
                                           invitation=invitation, event=event, user=user,
                                           invitation_link=link(f"/invitations/{invitation.token}"),
                                           **_event_links(event))
        to = _recipient(user)
    else:
        subject, text, html = render_email("registrations/account_invitation", invitation=invitation,
                                           event=event, user=None,
                                           signup_link=link(f"/invitations/{invitation.token}/signup"),
                                           invitation_link=link(f"/invitations/{invitation.token}"),
                                           **_event_links(event))
        to = Recipient(email=invitation.email, name=invitation.name)
    enqueue(to, subject, text, html, kind="registration.invitation",
            dedupe_key=f"invitation:{invitation.token}")


def _invite_one(event: Event, email: str, name: str | None, role: ParticipantRole, actor: User,
                result: InviteResult) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id,
                                       Registration.status.in_(ACTIVE))
        )
        if registration is not None:
            result.skipped.append(f"{email}: already registered.")
            return
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.email == email)
    )
    if invitation is not None and invitation.status == InvitationStatus.SENT:
        result.skipped.append(f"{email}: already invited.")
        return
    if invitation is None:
        invitation = Invitation(event_id=event.id, email=email)
        db.session.add(invitation)
    invitation.name = (name or "").strip()[:200] or (user.name if user else None)
    invitation.role = role
    invitation.token = secrets.token_urlsafe(32)
    invitation.status = InvitationStatus.SENT
    invitation.invited_by_id = actor.id
    invitation.user_id = user.id if user else None
    invitation.responded_at = None
    db.session.flush()
    audit.record(actor, "invitation.send", invitation, {"email": email, "role": role.value})
    _send_invitation(invitation, event, user)
    result.invited.append(invitation)


def invite(event: Event, people, actor: User, role: ParticipantRole = ParticipantRole.PARTICIPANT) -> InviteResult:
    """Invite (email, name) pairs. Known users get a link to accept; unknown addresses get an
    invitation to create an account first. Commits."""
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError("This event is cancelled.")
    if event.status == EventStatus.DRAFT:
        raise RegistrationError("Publish the event first: invitation links lead to the event page.")
    result = InviteResult()
    seen = set()
    with _rollback_on_error():
        for email, name in people:
            email = normalise_email(email)
            if not email or email in seen:
                continue
            seen.add(email)
            _invite_one(event, email, name, role, actor, result)
        db.session.commit()
    return result


def import_rows(event: Event, mode: str, rows, actor: User) -> int:
    """Apply confirmed import rows (already validated) in ONE transaction: all or nothing."""
    event = _lock_event(_id(event))
    with _rollback_on_error():
        if event.status == EventStatus.CANCELLED:
            raise RegistrationError("This event is cancelled.")
        if mode == "invite" and event.status == EventStatus.DRAFT:
            raise RegistrationError("Publish the event first: invitation links lead to the event page.")
        result = InviteResult()
        count = 0
        for row in rows:
            role = ParticipantRole(row.role)
            if mode == "invite":
                _invite_one(event, normalise_email(row.email), row.name, role, actor, result)
                count = len(result.invited)
            else:
                user = db.session.scalar(select(User).where(User.email == normalise_email(row.email)))
                if user is None:
                    raise RegistrationError(f"Line {row.line}: no account for {row.email}.")
                outcome = _do_register(event, user, role, Needs(), actor=actor, consented=False,
                                       trusted_role=True, skip_approval=True, action="registration.import")
                if not outcome.ok:
                    raise RegistrationError(f"Line {row.line}: {outcome.message}")
                count += 1
        if result.skipped:
            raise RegistrationError("Some rows changed since the check: " + "; ".join(result.skipped))
        audit.record(actor, "registration.import", event, {"mode": mode, "rows": count})
        db.session.commit()
        return count


def find_invitation(token: str | None) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.token == token).options(joinedload(Invitation.event))
    )


def invitation_matches(invitation: Invitation, user: User) -> bool:
    return invitation.user_id == user.id or normalise_email(invitation.email) == user.email


def accept_invitation(invitation: Invitation, user: User, needs: Needs | None = None, *, consent: bool) -> Outcome:
    if not invitation_matches(invitation, user):
        return Outcome(None, None, f"This invitation was sent to {invitation.email}. Sign in with that account.", ok=False)
    if invitation.status != InvitationStatus.SENT:
        return Outcome(None, None, f"This invitation is {invitation.status.value}.", ok=False)
    if not consent:
        return Outcome(None, None, "Please accept the privacy notice to register.", ok=False)
    invitation_id = invitation.id
    event = _lock_event(invitation.event_id)
    with _rollback_on_error():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
        ).scalar_one()
        if invitation.status != InvitationStatus.SENT:
            db.session.rollback()
            return Outcome(None, None, f"This invitation is {invitation.status.value}.", ok=False)
        reason = registration_closed_reason(event, invited=True)
        if reason:
            db.session.rollback()
            return Outcome(None, None, reason, ok=False)
        outcome = _do_register(event, user, invitation.role, needs or Needs(), actor=user, consented=True,
                               trusted_role=True, skip_approval=True, action="registration.accept_invitation")
        invitation.status = InvitationStatus.ACCEPTED
        invitation.user_id = user.id
        invitation.responded_at = now()
        audit.record(user, "invitation.accept", invitation, {"email": invitation.email})
        db.session.commit()
        return outcome


def decline_invitation(invitation: Invitation, actor: User | None) -> None:
    if invitation.status != InvitationStatus.SENT:
        raise RegistrationError(f"This invitation is {invitation.status.value}.")
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = now()
    audit.record(actor, "invitation.decline", invitation, {"email": invitation.email})
    db.session.commit()


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    if invitation.status != InvitationStatus.SENT:
        raise RegistrationError(f"This invitation is {invitation.status.value}.")
    invitation.status = InvitationStatus.REVOKED
    invitation.responded_at = now()
    audit.record(actor, "invitation.revoke", invitation, {"email": invitation.email})
    db.session.commit()


# --------------------------------------------------------------------------------------------
# Writing to participants

MESSAGE_GROUPS = {
    "confirmed": ("Confirmed participants", (RegistrationStatus.CONFIRMED,)),
    "waitlisted": ("People on the waiting list", (RegistrationStatus.WAITLISTED,)),
    "pending": ("Pending approval", (RegistrationStatus.PENDING,)),
    "all": ("Everyone registered (confirmed, waiting, pending)", ACTIVE),
}


def write_to_participants(event: Event, group: str, subject: str, body: str, actor: User) -> int:
    """One outbox message per recipient (nobody sees the others' addresses). Commits."""
    if group not in MESSAGE_GROUPS:
        raise RegistrationError("Choose who receives the message.")
    users = db.session.scalars(
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event.id, Registration.status.in_(MESSAGE_GROUPS[group][1]))
        .order_by(User.id)
    ).all()
    for user in users:
        mail_subject, text, html = render_email("registrations/message", language=user.language, user=user,
                                                event=event, subject=subject, body=body, sender=actor,
                                                **_event_links(event))
        enqueue(_recipient(user), mail_subject, text, html, kind="registration.message",
                reply_to=actor.email)
    audit.record(actor, "event.message", event, {"group": group, "subject": subject, "recipients": len(users)})
    db.session.commit()
    return len(users)


# --------------------------------------------------------------------------------------------
# Attendance


def event_days(event: Event) -> list[date]:
    """The local calendar days the event runs on, in its own time zone."""
    first, last = local_span(event.starts_at, event.ends_at, event.timezone)
    days = []
    day = first
    while day <= last and len(days) < 60:
        days.append(day)
        day += timedelta(days=1)
    return days


def _sync_checked_in(registration: Registration) -> None:
    first = db.session.scalar(
        select(func.min(AttendanceDay.checked_in_at)).where(AttendanceDay.registration_id == registration.id)
    )
    first_session = db.session.scalar(
        select(func.min(SessionAttendance.checked_in_at)).where(SessionAttendance.registration_id == registration.id)
    )
    candidates = [t for t in (first, first_session) if t is not None]
    registration.checked_in_at = min(candidates) if candidates else None


def _checkable(registration: Registration) -> None:
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(f"{registration.user.name} is not confirmed: only confirmed people can be checked in.")


def check_in(registration: Registration, day_on: date, actor: User) -> AttendanceDay:
    _checkable(registration)
    if day_on not in event_days(registration.event):
        raise RegistrationError("This day is not a day of the event.")
    existing = db.session.scalar(
        select(AttendanceDay).where(AttendanceDay.registration_id == registration.id, AttendanceDay.day_on == day_on)
    )
    if existing is not None:
        return existing
    attendance = AttendanceDay(registration_id=registration.id, day_on=day_on, checked_in_at=now(),
                               checked_in_by_id=actor.id)
    db.session.add(attendance)
    db.session.flush()
    _sync_checked_in(registration)
    audit.record(actor, "attendance.check_in", registration, {"day_on": day_on.isoformat()})
    db.session.commit()
    return attendance


def undo_check_in(registration: Registration, day_on: date, actor: User) -> bool:
    deleted = db.session.execute(
        delete(AttendanceDay).where(AttendanceDay.registration_id == registration.id, AttendanceDay.day_on == day_on)
    ).rowcount
    if deleted:
        _sync_checked_in(registration)
        audit.record(actor, "attendance.undo", registration, {"day_on": day_on.isoformat()})
    db.session.commit()
    return bool(deleted)


def check_in_session(registration: Registration, session: Session, actor: User) -> SessionAttendance:
    _checkable(registration)
    if session.event_id != registration.event_id:
        raise RegistrationError("This session belongs to another event.")
    existing = db.session.scalar(
        select(SessionAttendance).where(SessionAttendance.registration_id == registration.id,
                                        SessionAttendance.session_id == session.id)
    )
    if existing is not None:
        return existing
    attendance = SessionAttendance(registration_id=registration.id, session_id=session.id, checked_in_at=now())
    db.session.add(attendance)
    db.session.flush()
    _sync_checked_in(registration)
    audit.record(actor, "attendance.session_check_in", registration, {"session_id": session.id})
    db.session.commit()
    return attendance


def undo_session_check_in(registration: Registration, session: Session, actor: User) -> bool:
    deleted = db.session.execute(
        delete(SessionAttendance).where(SessionAttendance.registration_id == registration.id,
                                        SessionAttendance.session_id == session.id)
    ).rowcount
    if deleted:
        _sync_checked_in(registration)
        audit.record(actor, "attendance.session_undo", registration, {"session_id": session.id})
    db.session.commit()
    return bool(deleted)


def attended(registration: Registration) -> bool:
    return registration.checked_in_at is not None


def can_get_certificate(registration: Registration) -> bool:
    return (registration.event.kind == EventKind.TRAINING and registration.status == RegistrationStatus.CONFIRMED
            and registration.checked_in_at is not None)


@dataclass
class AttendanceFigures:
    registered: int
    attended: int
    no_shows: int
    waitlisted: int
    pending: int
    by_country: list[tuple[str, int, int]]
    by_organisation_type: list[tuple[str, int, int]]
    by_day: list[tuple[date, int]]
    has_started: bool


def attendance_figures(event: Event) -> AttendanceFigures:
    """Counts by GROUP BY in SQL: confirmed, attended (checked in at least once), no-shows."""
    from app.directory.models import Organisation

    counts = dict(
        db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    attended_expr = func.sum(case((Registration.checked_in_at.is_not(None), 1), else_=0))
    confirmed_only = and_(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    country = func.coalesce(User.country, Organisation.country, "")
    by_country = db.session.execute(
        select(country.label("country"), func.count(Registration.id), attended_expr)
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(confirmed_only)
        .group_by(country)
        .order_by(func.count(Registration.id).desc(), country)
    ).all()
    by_type = db.session.execute(
        select(Organisation.type, func.count(Registration.id), attended_expr)
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(confirmed_only)
        .group_by(Organisation.type)
        .order_by(func.count(Registration.id).desc(), Organisation.type)
    ).all()
    by_day = db.session.execute(
        select(AttendanceDay.day_on, func.count(AttendanceDay.id))
        .join(Registration, Registration.id == AttendanceDay.registration_id)
        .where(confirmed_only)
        .group_by(AttendanceDay.day_on)
        .order_by(AttendanceDay.day_on)
    ).all()
    attended_total = db.session.scalar(
        select(func.count(Registration.id)).where(confirmed_only, Registration.checked_in_at.is_not(None))
    ) or 0
    confirmed = counts.get(RegistrationStatus.CONFIRMED, 0)
    has_started = event.starts_at <= now()
    return AttendanceFigures(
        registered=confirmed,
        attended=attended_total,
        no_shows=(confirmed - attended_total) if has_started else 0,
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        pending=counts.get(RegistrationStatus.PENDING, 0),
        by_country=[(row[0] or "", row[1], int(row[2] or 0)) for row in by_country],
        by_organisation_type=[(row[0].value if row[0] else "", row[1], int(row[2] or 0)) for row in by_type],
        by_day=[(row[0], row[1]) for row in by_day],
        has_started=has_started,
    )


# --------------------------------------------------------------------------------------------
# Feedback


def feedback_problem(event: Event, registration: Registration | None) -> str | None:
    """Why this person cannot give feedback now, or None."""
    if event.ends_at > now():
        return "Feedback opens when the event has ended."
    if registration is None or registration.status != RegistrationStatus.CONFIRMED or registration.checked_in_at is None:
        return "Only people who attended the event can give feedback."
    if db.session.scalar(select(Feedback.id).where(Feedback.registration_id == registration.id)):
        return "You have already given feedback for this event. Thank you!"
    return None


def give_feedback(event: Event, registration: Registration | None, *, overall: int, relevance: int,
                  organisation: int, what_worked: str | None, what_to_improve: str | None,
                  is_anonymous: bool) -> Feedback:
    problem = feedback_problem(event, registration)
    if problem:
        raise RegistrationError(problem)
    for value in (overall, relevance, organisation):
        if value not in (1, 2, 3, 4, 5):
            raise RegistrationError("Give each rating from 1 to 5.")
    feedback = Feedback(event_id=event.id, registration_id=registration.id, is_anonymous=bool(is_anonymous),
                        overall=overall, relevance=relevance, organisation=organisation,
                        what_worked=(what_worked or "").strip() or None,
                        what_to_improve=(what_to_improve or "").strip() or None)
    db.session.add(feedback)
    db.session.flush()
    audit.record(None if is_anonymous else registration.user, "feedback.give", feedback, {"event_id": event.id})
    db.session.commit()
    return feedback


@dataclass
class FeedbackSummary:
    count: int
    overall: float | None
    relevance: float | None
    organisation: float | None
    distribution: dict[str, dict[int, int]]
    comments: list[dict]


def feedback_summary(event: Event) -> FeedbackSummary:
    """Aggregates and comments. The author's name comes from SQL only for non-anonymous answers."""
    row = db.session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.overall), func.avg(Feedback.relevance),
               func.avg(Feedback.organisation)).where(Feedback.event_id == event.id)
    ).one()
    distribution: dict[str, dict[int, int]] = {}
    for column_name in ("overall", "relevance", "organisation"):
        column = getattr(Feedback, column_name)
        distribution[column_name] = {score: 0 for score in range(1, 6)}
        for score, count in db.session.execute(
            select(column, func.count(Feedback.id)).where(Feedback.event_id == event.id).group_by(column)
        ):
            distribution[column_name][score] = count
    author = case((Feedback.is_anonymous.is_(True), None), else_=User.name)
    comments = [
        {"author": r.author, "what_worked": r.what_worked, "what_to_improve": r.what_to_improve,
         "overall": r.overall}
        for r in db.session.execute(
            select(author.label("author"), Feedback.what_worked, Feedback.what_to_improve, Feedback.overall)
            .select_from(Feedback)
            .join(Registration, Registration.id == Feedback.registration_id)
            .join(User, User.id == Registration.user_id)
            .where(Feedback.event_id == event.id,
                   or_(Feedback.what_worked.is_not(None), Feedback.what_to_improve.is_not(None)))
            .order_by(Feedback.id)
        )
    ]

    def rounded(value):
        return round(float(value), 2) if value is not None else None

    return FeedbackSummary(count=row[0] or 0, overall=rounded(row[1]), relevance=rounded(row[2]),
                           organisation=rounded(row[3]), distribution=distribution, comments=comments)


def promote_all_waitlists() -> int:
    """promote_waitlist() for every upcoming published event that has a waiting list. Returns how
    many people were confirmed. Each event in its own locked transaction."""
    event_ids = db.session.scalars(
        select(Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == RegistrationStatus.WAITLISTED, Event.status == EventStatus.PUBLISHED,
               Event.starts_at > now())
        .distinct()
    ).all()
    total = 0
    for event_id in event_ids:
        total += len(promote_waitlist(db.session.get(Event, event_id)))
    return total
