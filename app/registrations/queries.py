"""What the registration pages read: a person's own registration and sign-ups, "my events",
an event's invitations, a participant's details, and the check-in list.
The organisers' participant list is in app.registrations.participant_list."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, bindparam, cast, literal, null, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.cache import raw
from app.directory.models import Organisation
from app.events.access import visible_clause
from app.events.models import Event, EventKind, EventStatus, Session, agenda_order
from app.extensions import db
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
from app.registrations.rules import ACTIVE
from app.registrations.waitlist import signup_waitlist_positions, waitlist_positions
from app.request_store import request_dict


def own_registration(event_id: int, user_id: int) -> Registration | None:
    """This person's registration of the event, in whatever status."""
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.user_id == user_id)
    )


def my_registrations_query(user, status: RegistrationStatus | None = None):
    """The person's own registrations, of the events they may still see, latest event first (the
    API's "my registrations"; a page of it is read with app.pagination.paginate)."""
    query = (select(Registration).join(Event, Event.id == Registration.event_id)
             .where(Registration.user_id == user.id, visible_clause(user))
             .options(contains_eager(Registration.event))
             .order_by(Event.starts_at.desc(), Registration.id.desc()))
    return query.where(Registration.status == status) if status is not None else query


def registration_for_email(event_id: int, email: str) -> Registration | None:
    """The registration of the account with this (normalised) address for the event, if any."""
    return db.session.scalar(
        select(Registration).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event_id, User.email == email)
    )


def own_active_registration(event_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.user_id == user_id,
                                   Registration.status.in_(ACTIVE))
    )


def registration_of(event_id: int, registration_id: int) -> Registration | None:
    """A registration of this event (None when it belongs to another), with its person."""
    return db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
        .options(joinedload(Registration.user))
    )


def get_session(session_id: int) -> Session | None:
    return db.session.get(Session, session_id)


def own_signup(session_id: int, user_id: int) -> SessionSignup | None:
    return db.session.scalar(
        select(SessionSignup).where(SessionSignup.session_id == session_id, SessionSignup.user_id == user_id)
    )


def organisations_by_name() -> list[Organisation]:
    return db.session.scalars(select(Organisation).order_by(Organisation.name)).all()


def event_invitations(event_id: int) -> list[Invitation]:
    return db.session.scalars(
        select(Invitation).where(Invitation.event_id == event_id).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()


# --------------------------------------------------------------------------------------------
# My events



@dataclass(frozen=True)
class MyEvents:
    """Everything "my events" shows of one person, whatever the time: the page splits it into
    upcoming and past (by the events' ends_at) at each request, so the cached copy never goes stale
    when an event ends."""

    registrations: tuple  # rows, by (starts_at, id)
    signups: dict  # {event id: [sign-up rows by session start]}
    positions: dict  # {registration id: place on the event's waiting list}
    signup_positions: dict  # {sign-up id: place on the session's waiting list}
    invitations: tuple  # open invitations, by event start (with the event's ends_at)


# The parts of "my events"' statement, in the order it reads them.
_REGISTRATION, _SIGNUP, _INVITATION = range(3)

MyRegistration = namedtuple("MyRegistration", (
    "id", "event_id", "status", "role", "checked_in_at", "title", "starts_at", "ends_at", "timezone", "city",
    "event_status", "kind", "has_feedback",
))
MySignup = namedtuple("MySignup", "id session_id status event_id title starts_at")
MyInvitation = namedtuple("MyInvitation", "token title starts_at ends_at timezone")


def _has_feedback():
    """Whether the registration has its feedback (at most one: unique). A scalar subquery, not
    EXISTS: PostgreSQL hashes an EXISTS over every feedback row of the network (8 ms on the bench
    data), where this probes the unique index once per registration listed."""
    return select(Feedback.id).where(Feedback.registration_id == Registration.id).scalar_subquery().is_not(
        None).label("has_feedback")


# Per-event facts of the packages above that "my events" shows a box for (app.learning: whether an
# event has a knowledge check), read as columns of its statement with each registration, as
# events.page_facts does for the event page: a box whose fact says "none of your events" asks nothing.
# {name: column(event id column) -> a scalar SQL boolean of the event's id}
_event_facts: dict[str, Callable] = {}


def register_event_fact(name: str, column: Callable) -> None:
    """Read `column(Registration.event_id)` with each registration of "my events" (in a statement
    that joins the registration's Event: the fact may read its columns). Names are "package.fact"."""
    _event_facts[name] = column
    _my_events_statement.cache_clear()


# Under this key of the request's facts: the events of the registrations "my events" read.
_READ = "registrations.read"


def events_with(name: str, among: Iterable[int] | None = None) -> frozenset[int] | None:
    """The events of this request's "my events" registrations for which fact `name` is true; None
    when not known (another page, a fact not registered, or an event `among` those asked about that
    is not one of the registrations read)."""
    store = request_dict("_my_events_facts")
    if store is None or name not in store:
        return None
    if among is not None and not store[_READ].issuperset(among):
        return None
    return store[name]


@functools.cache
def _my_events_statement():
    """The person's registrations with their events, their sessions' sign-ups (not cancelled) and
    their open invitations with the invited events, in one statement (a UNION ALL of the three, each
    column of the first part's type; the statuses as text; the registered facts with each
    registration): parts, then each part's order."""
    text = functools.partial(cast, type_=String)
    facts = [column(Registration.event_id).label(f"fact_{index}") for index, column in enumerate(_event_facts.values())]
    no_facts = [null()] * len(facts)
    registrations = select(
        literal(_REGISTRATION).label("part"), Registration.id, Registration.event_id,
        text(Registration.status).label("status"), text(Registration.role).label("role"), Registration.checked_in_at,
        Event.title, Event.starts_at, Event.ends_at, Event.timezone, Event.city,
        text(Event.status).label("event_status"), text(Event.kind).label("kind"), _has_feedback(),
        null().label("session_id"), null().label("token"), *facts,
    ).join(Event, Event.id == Registration.event_id).where(Registration.user_id == bindparam("user_id"))
    signups = select(
        literal(_SIGNUP), SessionSignup.id, Session.event_id, text(SessionSignup.status), null(), null(),
        Session.title, Session.starts_at, null(), null(), null(), null(), null(), null(), SessionSignup.session_id, null(),
        *no_facts,
    ).join(Session, Session.id == SessionSignup.session_id).where(
        SessionSignup.user_id == bindparam("user_id"), SessionSignup.status != SessionSignupStatus.CANCELLED)
    invitations = select(
        literal(_INVITATION), Invitation.id, Invitation.event_id, null(), null(), null(),
        Event.title, Event.starts_at, Event.ends_at, Event.timezone, null(), null(), null(), null(), null(),
        Invitation.token, *no_facts,
    ).join(Event, Event.id == Invitation.event_id).where(
        or_(Invitation.user_id == bindparam("user_id"), Invitation.email == bindparam("email")),
        Invitation.status == InvitationStatus.SENT)
    both = union_all(registrations, signups, invitations).subquery("mine")
    # Registrations by (start, id), sign-ups by (session start, id), invitations by event start.
    return select(both).order_by(both.c.part, both.c.starts_at, both.c.id)


@functools.cache
def _members(enum) -> dict:
    """{value: member} of an enum: a dict look-up, not Enum.__call__ (~1 µs each, five a row)."""
    return {member.value: member for member in enum}


def _read_my_events(user_id: int, email: str) -> tuple[tuple, dict, tuple, dict]:
    """(registrations, {event id: sign-ups}, invitations, {fact name: the events it is true of})."""
    registrations, signups, invitations = [], {}, []
    statuses, roles, event_statuses, kinds = (_members(RegistrationStatus), _members(ParticipantRole),
                                              _members(EventStatus), _members(EventKind))
    signup_statuses = _members(SessionSignupStatus)
    names = tuple(_event_facts)
    true_of: list[set[int]] = [set() for _ in names]
    for (part, id_, event_id, status, role, checked_in_at, title, starts_at, ends_at, timezone, city, event_status,
         kind, has_feedback, session_id, token, *facts) in raw.read(  # on the DBAPI cursor (app.cache.raw)
            db.session, (_my_events_statement, names), _my_events_statement, {"user_id": user_id, "email": email},
            every=True)[0]:
        if part == _REGISTRATION:
            registrations.append(MyRegistration(
                id_, event_id, statuses[status], roles[role], checked_in_at, title, starts_at, ends_at, timezone, city,
                event_statuses[event_status], kinds[kind], bool(has_feedback)))
            for events, value in zip(true_of, facts, strict=True):
                if value:
                    events.add(event_id)
        elif part == _SIGNUP:
            signups.setdefault(event_id, []).append(MySignup(
                id_, session_id, signup_statuses[status], event_id, title, starts_at))
        else:
            invitations.append(MyInvitation(token, title, starts_at, ends_at, timezone))
    return tuple(registrations), signups, tuple(invitations), dict(zip(names, map(frozenset, true_of), strict=True))


def _load_my_events(user_id: int, email: str) -> MyEvents:
    registrations, signups, invitations, facts = _read_my_events(user_id, email)
    store = request_dict("_my_events_facts")
    if store is not None:
        store.update(facts)
        store[_READ] = frozenset(r.event_id for r in registrations)
    waiting = {r.id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    positions = {registration_id: position for registration_id, position in waitlist_positions(
        {r.event_id for r in registrations if r.id in waiting}).items() if registration_id in waiting}
    waiting_signups = {s.id for items in signups.values() for s in items if s.status == SessionSignupStatus.WAITLISTED}
    signup_positions = {signup_id: position for signup_id, position in signup_waitlist_positions(
        {s.session_id for items in signups.values() for s in items if s.id in waiting_signups}).items()
        if signup_id in waiting_signups}
    return MyEvents(registrations, signups, positions, signup_positions, invitations)


def my_events(user_id: int, email: str) -> MyEvents:
    """What "my events" shows of the user, read on each request (remembered per user it was never
    found again on the mixed traffic: a person looks at their events seldom, and a registration of
    anyone's moved the tables' stamps before they did)."""
    return _load_my_events(user_id, email)


# --------------------------------------------------------------------------------------------
# A participant, check-in


def participant_details(event_id: int, registration: Registration) -> tuple[list[SessionSignup], list[date]]:
    """The person's sign-ups for the event's sessions (by start) and the days they were checked in."""
    signups = db.session.scalars(
        select(SessionSignup).join(Session, Session.id == SessionSignup.session_id)
        .where(Session.event_id == event_id, SessionSignup.user_id == registration.user_id)
        .options(joinedload(SessionSignup.session)).order_by(Session.starts_at)
    ).all()
    days = db.session.scalars(
        select(AttendanceDay.day_on).where(AttendanceDay.registration_id == registration.id).order_by(AttendanceDay.day_on)
    ).all()
    return signups, days


def event_sessions(event_id: int) -> list[Session]:
    """The event's sessions in agenda order."""
    return db.session.scalars(
        select(Session).where(Session.event_id == event_id).order_by(*agenda_order())
    ).all()


def checked_in_ids(ids: list[int], session: Session | None, day: date | None) -> set[int]:
    """Which of these registrations are checked in for the session (or else the day)."""
    if ids and session is not None:
        return set(db.session.scalars(
            select(SessionAttendance.registration_id)
            .where(SessionAttendance.session_id == session.id, SessionAttendance.registration_id.in_(ids))
        ))
    if ids and day is not None:
        return set(db.session.scalars(
            select(AttendanceDay.registration_id)
            .where(AttendanceDay.day_on == day, AttendanceDay.registration_id.in_(ids))
        ))
    return set()


def event_invitation(event_id: int, invitation_id: int) -> Invitation | None:
    """An invitation of this event (None when it belongs to another)."""
    invitation = db.session.get(Invitation, invitation_id)
    return invitation if invitation is not None and invitation.event_id == event_id else None
