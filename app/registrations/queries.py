"""What the registration pages read: a person's own registration and sign-ups, "my events",
an event's invitations, a participant's details, and the check-in list.
The organisers' participant list is in app.registrations.participant_list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.cache import fragments
from app.directory.models import Organisation
from app.events.access import visible_clause
from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.rules import ACTIVE
from app.registrations.waitlist import signup_waitlist_positions, waitlist_positions


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

# What "my events" shows comes from these tables (app.cache stamps).
MY_EVENTS_TABLES = ("registrations", "events", "sessions", "session_signups", "feedback", "invitations")


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


def _my_signups(user_id: int) -> dict[int, list]:
    signups: dict[int, list] = {}
    for signup in db.session.execute(
        select(SessionSignup.id, SessionSignup.session_id, SessionSignup.status, Session.event_id, Session.title,
               Session.starts_at)
        .join(Session, Session.id == SessionSignup.session_id)
        .where(SessionSignup.user_id == user_id, SessionSignup.status != SessionSignupStatus.CANCELLED)
        .order_by(Session.starts_at, SessionSignup.id)
    ):
        signups.setdefault(signup.event_id, []).append(signup)
    return signups


def _has_feedback():
    """Whether the registration has its feedback (at most one: unique). A scalar subquery, not
    EXISTS: PostgreSQL hashes an EXISTS over every feedback row of the network (8 ms on the bench
    data), where this probes the unique index once per registration listed."""
    return select(Feedback.id).where(Feedback.registration_id == Registration.id).scalar_subquery().is_not(
        None).label("has_feedback")


def _load_my_events(user_id: int, email: str) -> MyEvents:
    registrations = tuple(db.session.execute(
        select(Registration.id, Registration.event_id, Registration.status, Registration.role,
               Registration.checked_in_at, Event.title, Event.starts_at, Event.ends_at, Event.timezone, Event.city,
               Event.status.label("event_status"), Event.kind,
               _has_feedback())
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user_id)
        .order_by(Event.starts_at, Registration.id)
    ).all())
    signups = _my_signups(user_id)
    waiting = {r.id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    positions = {registration_id: position for registration_id, position in waitlist_positions(
        {r.event_id for r in registrations if r.id in waiting}).items() if registration_id in waiting}
    waiting_signups = {s.id for items in signups.values() for s in items if s.status == SessionSignupStatus.WAITLISTED}
    signup_positions = {signup_id: position for signup_id, position in signup_waitlist_positions(
        {s.session_id for items in signups.values() for s in items if s.id in waiting_signups}).items()
        if signup_id in waiting_signups}
    invitations = tuple(db.session.execute(
        select(Invitation.token, Event.title, Event.starts_at, Event.ends_at, Event.timezone)
        .join(Event, Event.id == Invitation.event_id)
        .where(or_(Invitation.user_id == user_id, Invitation.email == email), Invitation.status == InvitationStatus.SENT)
        .order_by(Event.starts_at)
    ).all())
    return MyEvents(registrations, signups, positions, signup_positions, invitations)


def my_events(user_id: int, email: str) -> MyEvents:
    """What "my events" shows of the user, remembered (per worker) until one of MY_EVENTS_TABLES
    changes."""
    return fragments.remember(
        "registrations.my_events", (user_id, email), MY_EVENTS_TABLES,
        lambda: _load_my_events(user_id, email), size=1024,
    )


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
        select(Session).where(Session.event_id == event_id).order_by(Session.starts_at, Session.position, Session.id)
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
