"""Raising an event's (or a session's) capacity in the editor confirms people from the waiting list."""

from __future__ import annotations

from sqlalchemy import select

from app.events import agenda, planning
from app.notifications.models import OutboxMessage
from app.registrations import register, sessions
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now
from tests.events.test_services import kyiv
from tests.events.test_services import values as base_values


def values(**overrides):
    # Next spring, so registration is open whatever today's date.
    year = now().year + 1
    return base_values(starts_at=kyiv(year, 4, 20, 9, 0), ends_at=kyiv(year, 4, 22, 17, 0), **overrides)


def _status(db, event, user):
    return db.session.scalar(
        select(Registration.status).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def test_raising_capacity_confirms_first_on_waitlist(db, make):
    organiser = make.user(role="organiser")
    event = planning.create_event(organiser, values(capacity=1)).event
    planning.publish(organiser, event)
    first, second, third = (make.user(name=f"Participant {i}") for i in range(3))
    for person in (first, second, third):
        assert register.register(event, person, consent=True).ok
    assert [_status(db, event, p) for p in (first, second, third)] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.WAITLISTED,
    ]

    event = db.session.get(type(event), event.id)
    planning.update_event(organiser, event, values(capacity=2))

    db.session.expire_all()
    assert _status(db, event, second) == RegistrationStatus.CONFIRMED
    assert _status(db, event, third) == RegistrationStatus.WAITLISTED
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_user_id == second.id)).all()
    assert told, "the promoted participant is told"


def test_raising_session_capacity_promotes_its_waitlist(db, make):
    organiser = make.user(role="organiser")
    event = planning.create_event(organiser, values(capacity=None)).event
    planning.publish(organiser, event)
    training = make.session(event, "Open-source intelligence lab", capacity=1, has_signup=True)
    first, second = make.user(), make.user()
    for person in (first, second):
        assert register.register(event, person, consent=True).ok
        sessions.sign_up_for_session(training, person)
    signup = db.session.scalar(select(SessionSignup).where(SessionSignup.user_id == second.id))
    assert signup.status == SessionSignupStatus.WAITLISTED

    agenda.update_session(organiser, training, {
        "title": training.title, "kind": "training", "starts_at": training.starts_at,
        "ends_at": training.ends_at, "room": None, "description": None,
        "learning_objectives": None, "capacity": 2, "has_signup": True,
    })
    db.session.expire_all()
    signup = db.session.scalar(select(SessionSignup).where(SessionSignup.user_id == second.id))
    assert signup.status == SessionSignupStatus.CONFIRMED
