"""A hand-built dataset whose report figures are known (see the expected numbers in the tests).

"Now" is frozen at 2026-06-15 12:00 UTC: events before it are held, events after it are planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.directory.models import OrganisationType
from app.extensions import db
from app.lessons.models import ActionStatus, FollowUpAction, Lesson, LessonKind, LessonStatus
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.timeutil import set_now
from tests import factories

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Dataset:
    coordinator: object
    organiser: object
    member: object
    alpha: object
    beta: object
    cyber: object
    trafficking: object
    events: dict


def register(event, user, status="confirmed", role="participant", checked_in=False):
    registration = Registration(
        event_id=event.id,
        user_id=user.id,
        status=RegistrationStatus(status),
        role=ParticipantRole(role),
        registered_at=event.starts_at,
        checked_in_at=event.starts_at if checked_in else None,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def feedback(registration, overall, relevance, organisation):
    db.session.add(
        Feedback(event_id=registration.event_id, registration_id=registration.id,
                 overall=overall, relevance=relevance, organisation=organisation)
    )


def lesson(event, status, themes=(), title="A lesson"):
    item = Lesson(event_id=event.id, kind=LessonKind.LESSON, status=LessonStatus(status), title=title)
    item.themes = list(themes)
    db.session.add(item)
    db.session.flush()
    return item


def action(status, due_on=None, *, lesson=None, event=None, title="Do something"):
    db.session.add(
        FollowUpAction(title=title, status=ActionStatus(status), due_on=due_on,
                       lesson_id=lesson.id if lesson else None, event_id=event.id if event else None)
    )


def build() -> Dataset:
    set_now(NOW)
    make = factories
    org_ua = make.organisation("National Police of Ukraine", country="UA", type=OrganisationType.LAW_ENFORCEMENT)
    org_md = make.organisation("Ministry of Internal Affairs", country="MD", type=OrganisationType.MINISTRY)
    org_be = make.organisation("An EU agency", country="BE", type=OrganisationType.EU_AGENCY)
    coordinator = make.user("coordinator", name="Cora Coordinator", email="cora@example.org")
    organiser = make.user("organiser", name="Olga Organiser", email="olga@example.org")
    member = make.user("member", name="Mike Member", email="mike@example.org")
    alice = make.user(organisation=org_ua, name="Alice")
    bob = make.user(organisation=org_md, name="Bob")
    carol = make.user(organisation=org_be, name="Carol", country="FR")
    dan = make.user(name="Dan")
    erin = make.user(organisation=org_ua, name="Erin")
    alpha, beta = make.project("ALPHA"), make.project("BETA")
    cyber, trafficking = make.theme("Cybercrime"), make.theme("Trafficking")

    e1 = make.event("Workshop in Kyiv", kind="workshop", country="UA", starts_at=at(2026, 3, 10),
                    created_by=organiser, projects=[alpha], themes=[cyber])
    e2 = make.event("Training in Chisinau", kind="training", country="MD", starts_at=at(2026, 4, 5),
                    ends_at=at(2026, 4, 5, 17), created_by=coordinator, projects=[alpha], themes=[trafficking])
    e3 = make.event("Training in Brussels", kind="training", country="BE", starts_at=at(2026, 5, 1),
                    ends_at=at(2026, 5, 2, 17), projects=[beta])
    e4 = make.event("Study visit", kind="study_visit", country="UA", starts_at=at(2026, 7, 10),
                    projects=[beta], organisers=[organiser])
    e5 = make.event("Cancelled conference", kind="conference", status="cancelled", country="UA",
                    starts_at=at(2026, 3, 20), projects=[alpha])
    e6 = make.event("Draft workshop", kind="workshop", status="draft", country="UA",
                    starts_at=at(2026, 3, 25), projects=[alpha])
    e7 = make.event("Webinar", kind="webinar", starts_at=at(2026, 5, 20), days=0.25)

    # E3: 3 h training + 1 h break (not counted) + 2 h plenary = 5 training hours.
    e3_training = make.session(e3, "Hands-on", kind="training", starts_at=at(2026, 5, 1, 9), hours=3)
    make.session(e3, "Lunch", kind="break", starts_at=at(2026, 5, 1, 12), hours=1)
    make.session(e3, "Plenary", kind="plenary", starts_at=at(2026, 5, 1, 13), hours=2)
    # E7 (a webinar) has a 1.5 h training session.
    e7_training = make.session(e7, "Tooling", kind="training", starts_at=at(2026, 5, 20, 9), hours=1.5)

    r = register(e1, alice, checked_in=True)
    feedback(r, 5, 4, 3)
    r = register(e1, bob)
    feedback(r, 3, 4, 5)
    register(e1, carol, "waitlisted")
    register(e1, dan, "cancelled")

    r = register(e2, alice)
    db.session.add(AttendanceDay(registration_id=r.id, day_on=date(2026, 4, 5), checked_in_at=at(2026, 4, 5)))
    r = register(e2, erin, checked_in=True)
    feedback(r, 4, 5, 4)
    register(e2, bob, "pending")
    register(e2, carol, role="trainer", checked_in=True)

    r = register(e3, bob)
    db.session.add(SessionAttendance(session_id=e3_training.id, registration_id=r.id, checked_in_at=at(2026, 5, 1)))
    # Bob was also checked in on both days of E3: still one attended registration.
    for day in (1, 2):
        db.session.add(AttendanceDay(registration_id=r.id, day_on=date(2026, 5, day), checked_in_at=at(2026, 5, day)))
    register(e3, dan)

    register(e4, alice)
    register(e4, carol)

    r = register(e5, erin, checked_in=True)
    feedback(r, 1, 1, 1)
    register(e6, bob, checked_in=True)

    r = register(e7, dan)
    db.session.add(SessionAttendance(session_id=e7_training.id, registration_id=r.id, checked_in_at=at(2026, 5, 20)))
    register(e7, erin)

    l1 = lesson(e1, "validated", [cyber])
    lesson(e1, "draft")
    l3 = lesson(e2, "submitted", [cyber, trafficking])
    l4 = lesson(e6, "validated", [cyber])
    lesson(e5, "submitted", [trafficking])

    action("open", date(2026, 6, 1), lesson=l1, title="Overdue action")
    action("in_progress", date(2026, 7, 1), event=e2)
    action("done", date(2026, 5, 1), event=e1)
    action("open", None, lesson=l3)
    action("open", date(2026, 6, 1), lesson=l4)
    db.session.commit()
    return Dataset(coordinator, organiser, member, alpha, beta, cyber, trafficking,
                   {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6, "e7": e7})
