"""Demo certificates (issue 22): a past study visit to the Georgian Border Police with a training
session inside it, its participants checked in, their certificates issued (one revoked), and the
event's certificate settings (issuer, signatory, training hours). Idempotent: added once by title."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.certificates.issue import issue_all, revoke
from app.certificates.models import AttendanceRule, Certificate, CertificateSettings
from app.events.models import Event, EventFormat, EventKind, EventStatus, Session, SessionKind
from app.extensions import db
from app.registrations.models import (
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.timeutil import freeze, local_to_utc, now, to_local

TITLE = "Study visit to the Border Police of Georgia: risk analysis at the Sarpi crossing"
TZ = "Asia/Tbilisi"
PARTICIPANTS = ["andrii.shevchuk@dpsu.example.gov.ua", "ion.rusu@politia.example.md",
                "bojan.trajkovski@mvr.example.mk", "stefan.markovic@mup.example.rs",
                "gabor.kovacs@police.example.hu", "andreea.popescu@politiaromana.example.ro"]


def _at(day: int, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    local_today = to_local(now(), TZ).date()
    return local_to_utc(datetime.combine(local_today + timedelta(days=day), time(hour, minute)), TZ)


def load_certificates(users: dict, organisations: dict, organiser_email: str) -> int:
    """Add the study visit with its certified training session; returns the certificates issued."""
    if db.session.scalar(select(Event.id).where(Event.title == TITLE)) is not None:
        return 0
    organiser = users[organiser_email]
    event = Event(kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, status=EventStatus.PUBLISHED,
                  title=TITLE, summary="How the Georgian Border Police profile risks at a busy land crossing.",
                  starts_at=_at(-20, "09:00"), ends_at=_at(-19, "17:00"), timezone=TZ, city="Batumi", country="GE",
                  venue="Sarpi border crossing point", host_organisation=organisations.get("GBP"),
                  created_by=organiser, published_at=now() - timedelta(days=60))
    event.organisers = [organiser]
    db.session.add(event)
    db.session.flush()
    briefing = Session(event=event, title="Welcome and briefing on the Sarpi crossing", kind=SessionKind.PLENARY,
                       starts_at=_at(-20, "09:00"), ends_at=_at(-20, "10:30"), position=0)
    training = Session(event=event, title="Training: risk profiling of passengers and vehicles",
                       kind=SessionKind.TRAINING, starts_at=_at(-20, "11:00"), ends_at=_at(-20, "15:00"), position=1,
                       room="Training room, Sarpi BCP",
                       learning_objectives="Build a risk profile from passenger and vehicle data; choose whom to "
                                           "refer to second-line checks; record the decision for the next shift.")
    db.session.add_all([briefing, training])
    db.session.add(CertificateSettings(
        event_id=event.id, attendance_rule=AttendanceRule.ANY_DAY, training_hours=Decimal("12"),
        issuer_name="Border Police of Georgia", signatory_name=organiser.name))
    db.session.flush()
    for email in PARTICIPANTS:
        registration = Registration(event=event, user=users[email], status=RegistrationStatus.CONFIRMED,
                                    role=ParticipantRole.PARTICIPANT, registered_at=event.starts_at - timedelta(days=30),
                                    confirmed_at=event.starts_at - timedelta(days=29),
                                    consented_at=event.starts_at - timedelta(days=30),
                                    checked_in_at=event.starts_at + timedelta(minutes=10))
        db.session.add(registration)
        db.session.flush()
        if email != PARTICIPANTS[-1]:  # the last one left before the training
            db.session.add(SessionAttendance(registration_id=registration.id, session_id=training.id,
                                             checked_in_at=training.starts_at))
    db.session.flush()
    with freeze(event.ends_at + timedelta(days=2)):  # issued two days after the visit
        result = issue_all(event, organiser)
    revoked = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                           Registration.user_id == users[PARTICIPANTS[3]].id))
    from_this = _session_certificate(revoked.user_id, training.id)
    if from_this is not None:
        revoke(from_this, organiser, "Attendance at the training recorded by mistake.")
    return result.issued


def _session_certificate(user_id: int, session_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                       Certificate.scope_key == f"s{session_id}"))
