"""Seats, waiting-list positions and promotion: one implementation (WaitingList) for the event's
registrations and for the sign-ups of a session with its own capacity. The promotions run inside
the locked transaction of the caller (see app.registrations.transactions) or take the lock."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.util import identity_key

from app import audit
from app.accounts.models import User
from app.cache import raw
from app.db import row_id
from app.events import page_facts
from app.events.models import Event, EventStatus, Session
from app.extensions import db
from app.registrations.email_texts import HAS_PARAGRAPHS, has_paragraphs
from app.registrations.models import (
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.notices import notice, stamp, tell_confirmed
from app.registrations.questions import HAS_QUESTIONS, has_questions
from app.registrations.rules import SEAT_ROLES
from app.registrations.signals import session_signup_confirmed
from app.registrations.transactions import (
    ROW_VERSION,
    lock_event,
    lock_session,
    remember_row_version,
    rollback_on_error,
)
from app.timeutil import now


@dataclass(frozen=True)
class WaitingList:
    """The rows that queue for the seats of one parent (an event, a session): who takes a seat, who
    waits, and in which order (waitlisted_at, then id: rows placed at the same instant keep the
    order they were written in)."""

    model: type
    parent: object  # the column naming the parent (Registration.event_id, SessionSignup.session_id)
    confirmed: object
    waitlisted: object
    seat_conditions: tuple = ()  # what else a confirmed row needs to take a seat

    def seats_taken(self, parent_id: int) -> int:
        model = self.model
        return db.session.scalar(
            select(func.count(model.id)).where(self.parent == parent_id, model.status == self.confirmed,
                                               *self.seat_conditions)
        ) or 0

    def position(self, entry) -> int | None:
        """The entry's place on its waiting list (1 is next), None when it is not waiting."""
        model = self.model
        if entry.status != self.waitlisted or entry.waitlisted_at is None:
            return None
        ahead = db.session.scalar(
            select(func.count(model.id)).where(
                self.parent == getattr(entry, self.parent.key),
                model.status == self.waitlisted,
                or_(model.waitlisted_at < entry.waitlisted_at,
                    and_(model.waitlisted_at == entry.waitlisted_at, model.id < entry.id)),
            )
        ) or 0
        return ahead + 1

    def positions(self, parent_ids) -> dict[int, int]:
        """{entry id: position} for every waiting entry of these parents (one query)."""
        parent_ids = list(parent_ids)
        if not parent_ids:
            return {}
        model = self.model
        ranked = select(
            model.id.label("id"),
            func.row_number().over(partition_by=self.parent, order_by=(model.waitlisted_at, model.id))
            .label("position"),
        ).where(self.parent.in_(parent_ids), model.status == self.waitlisted)
        return {row.id: row.position for row in db.session.execute(ranked)}

    def next_in_line(self, parent_id: int, capacity: int | None, *, refresh: bool = False) -> list:
        """The waiting entries that the free seats admit, in order (all of them when the capacity is
        unlimited), with their users. `refresh`: overwrite the loaded copies (under a lock)."""
        key = (id(self), capacity is None, refresh)
        query = _NEXT_IN_LINE.get(key)
        if query is None:
            query = _NEXT_IN_LINE.setdefault(key, self._next_in_line(capacity is None, refresh))
        return list(db.session.scalars(query, {"parent_id": parent_id, "capacity": capacity}))

    def _next_in_line(self, unlimited: bool, refresh: bool):
        """next_in_line's statement, built once per kind (it runs under the lock of every cancellation)."""
        model = self.model
        query = (
            select(model)
            .where(self.parent == bindparam("parent_id"), model.status == self.waitlisted)
            .order_by(model.waitlisted_at, model.id)
            .options(joinedload(model.user))
        )
        if refresh:
            query = query.execution_options(populate_existing=True)
        if not unlimited:
            # The free seats, counted in the same statement: LIMIT (capacity - seats taken), never below 0.
            taken = (select(func.count(model.id))
                     .where(self.parent == bindparam("parent_id"), model.status == self.confirmed,
                            *self.seat_conditions)
                     .scalar_subquery())
            free = bindparam("capacity", type_=Integer) - taken
            query = query.limit(case((free > 0, free), else_=0))
        return query


_NEXT_IN_LINE: dict[tuple, object] = {}  # next_in_line's statements: (waiting list, unlimited, refresh)

EVENTS = WaitingList(Registration, Registration.event_id, RegistrationStatus.CONFIRMED,
                     RegistrationStatus.WAITLISTED, (Registration.role.in_(SEAT_ROLES),))
SESSIONS = WaitingList(SessionSignup, SessionSignup.session_id, SessionSignupStatus.CONFIRMED,
                       SessionSignupStatus.WAITLISTED)

seats_taken = EVENTS.seats_taken
waitlist_position = EVENTS.position
waitlist_positions = EVENTS.positions
session_seats_taken = SESSIONS.seats_taken
signup_position = SESSIONS.position
signup_waitlist_positions = SESSIONS.positions


# --------------------------------------------------------------------------------------------
# An event's tally under the lock


@dataclass
class Tally:
    """An event's registrations as one registering person needs them (see tally)."""
    seats_taken: int
    waitlisted_before: int  # waiting-list entries placed at or before the instant given
    own_id: int | None  # this person's registration of the event, in whatever status
    next_id: int | None = None  # a new registration's id, taken from its sequence (next_id=True)


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
# With the next registration id (PostgreSQL): a new registration is then written with its audit
# entry and message in one statement (transactions.insert_now), without a flush. An id drawn and
# not used (the person had a registration) leaves a gap, as a rolled-back INSERT does.
_TALLY_WITH_NEXT_ID = _TALLY.add_columns(
    func.nextval(func.pg_get_serial_sequence(literal_column("'registrations'"), literal_column("'id'"))))


def _event_with_tally_statement(dialect_name: str):
    """The event's columns (by attribute, for raw.loaded_from_row), its tally, whether it asks
    questions and has paragraphs of its organisers (kept for the request: page_facts.keep, a
    registration without either reads neither) and, on PostgreSQL, its row version (lock_event then
    locks the row comparing that alone). Built once per kind of database."""
    columns = [*raw.columns_by_attribute(Event), *_TALLY_ROW.c,
               has_questions(Event.id).label("has_questions"), has_paragraphs(Event.id).label("has_paragraphs")]
    if dialect_name == "postgresql":
        columns.append(ROW_VERSION.label("row_version"))
    return select(*columns).select_from(Event).join(_TALLY_ROW, true()).where(Event.id == bindparam("event_id"))


def tally(event_id: int, user_id: int, instant: datetime, *, next_id: bool = False) -> Tally:
    """One statement instead of three: the seats taken, the waiting list ahead of an entry placed
    at `instant` (rows already there have lower ids, so ties count as ahead), and whether this
    person already has a registration. Under the event lock, this is the seat decision's input.
    `next_id` (PostgreSQL only): draw a registration id from the sequence in the same statement."""
    # On the DBAPI cursor of the session's connection (app.cache.raw): no objects are loaded, and
    # SQLAlchemy's execute and result cost about as much CPU as the statement itself.
    statement = _TALLY_WITH_NEXT_ID if next_id else _TALLY
    row, _plan = raw.read(db.session, (_TALLY, next_id), lambda: statement,
                          {"event_id": event_id, "user_id": user_id, "instant": instant})
    return Tally(seats_taken=int(row[0]), waitlisted_before=int(row[1]), own_id=row[2],
                 next_id=row[3] if next_id else None)


def event_with_tally(event_id: int, user: User) -> tuple[Event | None, Tally | None]:
    """The event and, from the same statement, `user`'s tally of it now (see tally): the first
    read of a self-registration, one round trip instead of two. Unlocked: register() uses the tally
    only to guess which message to render before the lock; the seat decision counts again under it.
    Whether the event asks questions and has its organisers' paragraphs comes along (kept for the
    request: page_facts.keep), so a registration without them reads neither. On the DBAPI cursor
    (app.cache.raw), the row made into the Event as the ORM would; an event this read makes (not one
    the session held already) remembers its row version (lock_event)."""
    session = db.session()
    dialect_name = session.get_bind().dialect.name
    held = identity_key(Event, event_id) in session.identity_map
    row, plan = raw.read(session, _event_with_tally_statement, lambda: _event_with_tally_statement(dialect_name),
                         {"event_id": event_id, "user_id": user.id, "instant": now()})
    if row is None:
        return None, None
    width = _event_width()
    event = raw.loaded_from_row(session, Event, plan, row, width)
    taken, waitlisted_before, own_id, questions, paragraphs = row[width:width + 5]
    if dialect_name == "postgresql" and not held:
        remember_row_version(event, row[width + 5])
    page_facts.keep(event.id, {HAS_QUESTIONS: bool(questions), HAS_PARAGRAPHS: bool(paragraphs)})
    return event, Tally(seats_taken=int(taken), waitlisted_before=int(waitlisted_before), own_id=own_id)


@functools.cache
def _event_width() -> int:
    """How many of event_with_tally's columns are the event's."""
    return len(raw.columns_by_attribute(Event))


# --------------------------------------------------------------------------------------------
# Placing a registration


def seat_status(event: Event, role: ParticipantRole, taken: int | None = None) -> RegistrationStatus:
    """`taken`: the seats taken, when the caller has counted them under the lock already."""
    if not role.takes_seat or event.capacity is None:
        return RegistrationStatus.CONFIRMED
    if (seats_taken(event.id) if taken is None else taken) < event.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def place(registration: Registration, event: Event, status: RegistrationStatus,
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


# --------------------------------------------------------------------------------------------
# Promotion


def _promote_and_commit(promote, locked, actor: User | None) -> list:
    """Run a promotion in the transaction that holds `locked` (an event or a session) and commit."""
    with rollback_on_error():
        promoted = promote(locked, actor)
        db.session.commit()
        return promoted


def anyone_waiting(event_id):
    """Whether the event's waiting list holds anyone (an EXISTS of an SQL value or bound parameter,
    for a read that brings it along; on its own alias, so it never correlates to that read's
    registrations)."""
    waiting = aliased(Registration)
    return exists().where(waiting.event_id == event_id, waiting.status == RegistrationStatus.WAITLISTED)


def promote_locked(event: Event, actor: User | None, *, waiting: bool = True) -> list[Registration]:
    """Inside the event's locked transaction: confirm the first on the waiting list while seats
    are free. Tells each promoted person. No commit. `waiting=False`: the caller read under this
    lock that nobody waits (anyone_waiting), so there is nothing to read (a waiting-list entry is
    only ever placed under the event's lock)."""
    if not waiting or event.status != EventStatus.PUBLISHED or event.starts_at <= now():
        return []
    promoted = EVENTS.next_in_line(event.id, event.capacity, refresh=True)
    for registration in promoted:
        registration.event = event
        place(registration, event, RegistrationStatus.CONFIRMED)
        audit.record(actor, "registration.promote", registration,
                     {"status": ["waitlisted", "confirmed"], "automatic": True})
        tell_confirmed(registration, promoted=True)
    db.session.flush()
    return promoted


def promote_waitlist(event: Event, actor: User | None = None) -> list[Registration]:
    """Fill free seats from the waiting list, in order. Commits."""
    return _promote_and_commit(promote_locked, lock_event(row_id(event)), actor)


def capacity_changed(event: Event, actor: User | None = None) -> list[Registration]:
    """Call after an event's capacity changed (and was committed): a raised or removed capacity
    confirms people from the waiting list. Commits."""
    return promote_waitlist(event, actor)


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


def promote_session_locked(session: Session | None, actor: User | None) -> list[SessionSignup]:
    """Inside the session's locked transaction: confirm the first on its waiting list while places
    are free. Tells each promoted person. No commit."""
    if session is None or session.starts_at <= now():
        return []
    promoted = SESSIONS.next_in_line(session.id, session.capacity)
    for signup in promoted:
        signup.status = SessionSignupStatus.CONFIRMED
        signup.confirmed_at = now()
        signup.waitlisted_at = None
        audit.record(actor, "session_signup.promote", signup, {"status": ["waitlisted", "confirmed"]})
        session_signup_confirmed.send(signup)
        notice("session_promoted", signup.user, session=session, event=session.event,
               dedupe_key=f"session_signup:{signup.id}:promoted:{stamp(signup.confirmed_at)}")
    db.session.flush()
    return promoted


def promote_session_waitlist(session: Session, actor: User | None = None) -> list[SessionSignup]:
    """Fill a session's free places from its waiting list (e.g. after its capacity was raised)."""
    return _promote_and_commit(promote_session_locked, lock_session(row_id(session)), actor)
