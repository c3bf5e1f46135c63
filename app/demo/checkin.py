"""Demo: a study visit that runs today and tomorrow, so the check-in desk has something to show —
its counters, a site visit with sign-up, the name badges and the QR scanner. Its participants from
Ukraine, Georgia, North Macedonia, Serbia, Hungary and Romania were checked in this morning, some of
them are still expected; the badges are printed on demand from the desk."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.events.models import Event, EventFormat, EventKind, SessionKind
from app.extensions import db
from app.registrations.models import AttendanceDay, Registration, RegistrationStatus
from app.timeutil import to_local

C = RegistrationStatus.CONFIRMED
TITLE = "Study visit: the Leușeni–Albița border crossing point"
PEOPLE = [
    "member@liaison.example", "olena.kovalenko@npu.example.gov.ua", "andrii.shevchuk@dpsu.example.gov.ua",
    "giorgi.kapanadze@bpg.example.ge", "aleksandar.petrovski@mvr.example.mk", "milica.jovanovic@mup.example.rs",
    "gabor.kovacs@police.example.hu", "mihai.ionescu@politiadefrontiera.example.ro", "tamar.lomidze@pog.example.ge",
    "stefan.markovic@mup.example.rs",
]
ARRIVED = PEOPLE[1:7]  # checked in this morning (when loaded after 09:00); the others are still expected
SITE_VISIT = "Site visit: the joint control lanes (sign-up)"

CHECKIN_EVENTS = [
    dict(
        title=TITLE,
        kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, day=0, days=2, tz="Europe/Chisinau",
        city="Leușeni", country="MD", venue="Leușeni border crossing point, training room",
        address="Leușeni, Hîncești district", host="IGPF", capacity=20,
        themes=[("Migrant smuggling", "2022-2025")],
        summary="Two days at the busiest crossing point between Moldova and Romania: joint controls, "
                "document checks and the risk analysis behind them.",
        description="Hosted by the **General Inspectorate of Border Police of Moldova** with the Romanian "
                    "Border Police. Bring your badge: the site visit is for those signed up only.",
        sessions=[
            (0, "09:00", "10:00", "Welcome and briefing on the crossing point", SessionKind.PLENARY, "Training room",
             [("natalia.ciobanu@border.example.md", None)]),
            (0, "10:30", "13:00", SITE_VISIT, SessionKind.SITE_VISIT, "Lanes 1–4", [("ext:Lidia Russu", "General Inspectorate of Border Police of Moldova")],
             8, True),
            (1, "09:30", "12:30", "Document checks lab: forged and look-alike passports", SessionKind.WORKSHOP,
             "Training room", [("mihai.ionescu@politiadefrontiera.example.ro", None)]),
        ],
        registrations=[(email, C) for email in PEOPLE],
        signups={SITE_VISIT: PEOPLE[:8]},
    ),
]


def check_in_arrivals(users: dict, organiser_email: str, today: datetime) -> int:
    """This morning's check-ins at the study visit (once: nothing when the day has some already)."""
    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    if event is None:
        return 0
    day_on = to_local(today, event.timezone).date()
    if day_on != to_local(event.starts_at, event.timezone).date() or event.starts_at > today:
        return 0  # loaded before it began (or on an earlier day): nobody has arrived yet
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.user_id.in_([users[email].id for email in ARRIVED]))
    ).all()
    if not registrations or any(r.checked_in_at for r in registrations):
        return 0
    for index, registration in enumerate(registrations):
        at = event.starts_at - timedelta(minutes=25 - index)
        registration.checked_in_at = at
        registration.attendance_days.append(AttendanceDay(day_on=day_on, checked_in_at=at,
                                                          checked_in_by_id=users[organiser_email].id))
    return len(registrations)
