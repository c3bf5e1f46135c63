"""A hand-built dataset whose report figures are known (see the expected numbers in the tests).

"Now" is frozen at 2026-06-15 12:00 UTC: events before it are held, events after it are planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.certificates.models import Certificate
from app.directory.models import OrganisationType
from app.extensions import db
from app.registrations.models import Feedback
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


def feedback(registration, overall, relevance, organisation):
    db.session.add(
        Feedback(event_id=registration.event_id, registration_id=registration.id,
                 overall=overall, relevance=relevance, organisation=organisation)
    )


def certificate(event, user, session=None, revoked: bool = False) -> Certificate:
    item = session or event
    record = Certificate(
        number=f"LIA-2026-TEST-{user.id:02d}{event.id:02d}", scope_key=f"s{session.id}" if session else f"e{event.id}",
        user_id=user.id, event_id=event.id, session_id=session.id if session else None, holder_name=user.name,
        title=item.title, starts_at=item.starts_at, ends_at=item.ends_at, timezone=event.timezone,
        issuer_name="Liaison", issued_at=event.ends_at, revoked_at=NOW if revoked else None,
    )
    db.session.add(record)
    return record


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

    r = make.registration(e1, alice, checked_in=True)
    feedback(r, 5, 4, 3)
    r = make.registration(e1, bob)
    feedback(r, 3, 4, 5)
    make.registration(e1, carol, "waitlisted")
    make.registration(e1, dan, "cancelled")

    r = make.registration(e2, alice)
    make.attendance_day(r, date(2026, 4, 5), at(2026, 4, 5))
    r = make.registration(e2, erin, checked_in=True)
    feedback(r, 4, 5, 4)
    make.registration(e2, bob, "pending")
    make.registration(e2, carol, role="trainer", checked_in=True)

    r = make.registration(e3, bob)
    make.session_attendance(r, e3_training, at(2026, 5, 1))
    # Bob was also checked in on both days of E3: still one attended registration.
    for day in (1, 2):
        make.attendance_day(r, date(2026, 5, day), at(2026, 5, day))
    make.registration(e3, dan)

    make.registration(e4, alice)
    make.registration(e4, carol)

    r = make.registration(e5, erin, checked_in=True)
    feedback(r, 1, 1, 1)
    make.registration(e6, bob, checked_in=True)

    r = make.registration(e7, dan)
    make.session_attendance(r, e7_training, at(2026, 5, 20))
    make.registration(e7, erin)

    # Certificates issued (records): Alice and Erin at E2, Bob at E3 = 3. Left out: Dan's at E7's session
    # (revoked), Bob's at the draft E6 (drafts never count).
    for event, user, session, revoked in ((e2, alice, None, False), (e2, erin, None, False), (e3, bob, None, False),
                                          (e7, dan, e7_training, True), (e6, bob, None, False)):
        certificate(event, user, session, revoked)

    l1 = make.lesson(e1, status="validated", themes=[cyber])
    make.lesson(e1, status="draft")
    l3 = make.lesson(e2, status="submitted", themes=[cyber, trafficking])
    l4 = make.lesson(e6, status="validated", themes=[cyber])
    make.lesson(e5, status="submitted", themes=[trafficking])

    make.action(None, date(2026, 6, 1), "Overdue action", lesson=l1)
    make.action(None, date(2026, 7, 1), status="in_progress", event=e2)
    make.action(None, date(2026, 5, 1), status="done", event=e1)
    make.action(None, None, lesson=l3)
    make.action(None, date(2026, 6, 1), lesson=l4)
    db.session.commit()
    return Dataset(coordinator, organiser, member, alpha, beta, cyber, trafficking,
                   {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6, "e7": e7})
