"""What the certificate pages and services read: settings, records, the attendance a rule looks at,
and which events offer certificates (in one query for a list of events)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import defer, joinedload

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateSettings
from app.events import page_facts
from app.events.models import Event, EventKind, Session, SessionKind, agenda_order
from app.extensions import db
from app.registrations.models import (
    AttendanceDay,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.registrations.queries import events_with, register_event_fact


@dataclass
class Attendance:
    """One registration's check-ins: the days, and the sessions (id -> start)."""

    days: set[date] = field(default_factory=set)
    sessions: dict[int, datetime] = field(default_factory=dict)


def settings_for(event_id: int) -> CertificateSettings | None:
    return db.session.get(CertificateSettings, event_id)


# What the rule's text needs of the settings, read with the event by its page (app.events.page_facts).
_RULE_COLUMNS = (CertificateSettings.attendance_rule, CertificateSettings.minimum_score,
                 CertificateSettings.training_hours)
for _column in _RULE_COLUMNS:
    page_facts.register(f"certificates.{_column.key}", lambda event_id, column=_column: select(column).where(
        CertificateSettings.event_id == event_id).scalar_subquery())


def rule_settings_for(event_id: int) -> CertificateSettings | None:
    """The settings as far as the rule's text needs them: from the event page's first statement
    when it read them (an unsaved copy; None: the event has none), else loaded without the images."""
    known = {column.key: page_facts.known(event_id, f"certificates.{column.key}") for column in _RULE_COLUMNS}
    if page_facts.UNKNOWN not in known.values():
        # attendance_rule is never NULL in a row: NULL means there is no row.
        return None if known["attendance_rule"] is None else CertificateSettings(event_id=event_id, **known)
    return db.session.get(CertificateSettings, event_id,
                          options=[defer(CertificateSettings.logo_png), defer(CertificateSettings.signature_png)])


def by_number(number: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def number_taken(number: str) -> bool:
    return db.session.scalar(select(exists().where(Certificate.number == number)))


def held_by(user_id: int, scope_key: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                       Certificate.scope_key == scope_key))


def of_event(event_id: int, certificate_id: int) -> Certificate | None:
    certificate = db.session.get(Certificate, certificate_id)
    return certificate if certificate is not None and certificate.event_id == event_id else None


def event_certificates(event_id: int) -> list[Certificate]:
    """Every certificate issued for the event or its sessions, revoked ones too, newest first."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.event_id == event_id)
        .options(joinedload(Certificate.session), joinedload(Certificate.revoked_by))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))


def held_for_registration(user_id: int, event_id: int) -> dict[str, Certificate]:
    """The person's certificates for the event and its sessions, by scope key."""
    return {c.scope_key: c for c in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.event_id == event_id))}


def registration_of(event_id: int, registration_id: int) -> Registration | None:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
        .options(joinedload(Registration.user).joinedload(User.organisation))
    )
    return registration


def training_sessions(event_id: int) -> list[Session]:
    return list(db.session.scalars(
        select(Session).where(Session.event_id == event_id, Session.kind == SessionKind.TRAINING)
        .order_by(*agenda_order())
    ))


def attendance(event_id: int, registration_ids: list[int] | None = None) -> dict[int, Attendance]:
    """Check-ins of the event's registrations (or of those given), in two queries."""
    found: dict[int, Attendance] = defaultdict(Attendance)
    days = select(AttendanceDay.registration_id, AttendanceDay.day_on).join(
        Registration, Registration.id == AttendanceDay.registration_id).where(Registration.event_id == event_id)
    sessions = select(SessionAttendance.registration_id, Session.id, Session.starts_at).join(
        Session, Session.id == SessionAttendance.session_id).where(Session.event_id == event_id)
    if registration_ids is not None:
        days = days.where(AttendanceDay.registration_id.in_(registration_ids))
        sessions = sessions.where(SessionAttendance.registration_id.in_(registration_ids))
    for registration_id, day_on in db.session.execute(days):
        found[registration_id].days.add(day_on)
    for registration_id, session_id, starts_at in db.session.execute(sessions):
        found[registration_id].sessions[session_id] = starts_at
    return found


def confirmed_registrations(event_id: int) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(Registration.user).joinedload(User.organisation))
        .order_by(Registration.id)
    ))


def attended_session_titles(registration_id: int) -> list[str]:
    """The titles of the sessions the person was checked in at, by start (for the certificate)."""
    return list(db.session.scalars(
        select(Session.title).join(SessionAttendance, SessionAttendance.session_id == Session.id)
        .where(SessionAttendance.registration_id == registration_id).order_by(Session.starts_at)
    ))


def offers_certificate(event_id, kind):
    """Whether an event offers a certificate, as SQL of its id and kind columns: a training, an event
    given training hours, or one with a training session."""
    return or_(
        kind == EventKind.TRAINING,
        exists().where(CertificateSettings.event_id == event_id, CertificateSettings.training_hours.is_not(None)),
        exists().where(Session.event_id == event_id, Session.kind == SessionKind.TRAINING),
    )


def offering_event_ids(event_ids: list[int]) -> set[int]:
    """Which of these events offer a certificate (offers_certificate). One query, whatever the number
    of events; none when "my events" read it with the registrations of every one of them."""
    if not event_ids:
        return set()
    known = events_with(OFFERS, among=event_ids)
    if known is not None:
        return set(event_ids) & known
    return set(db.session.scalars(select(Event.id).where(Event.id.in_(set(event_ids)),
                                                         offers_certificate(Event.id, Event.kind))))


# "My events" reads it with each registration (app.registrations.queries.register_event_fact): its
# past tab's certificate links then ask nothing more. The registration's event is in that statement.
OFFERS = "certificates.offered"
register_event_fact(OFFERS, lambda event_id: offers_certificate(event_id, Event.kind))


def for_export(user_id: int) -> list[dict]:
    """The person's certificates, for their own data export (revocations and their reasons too)."""
    rows = db.session.scalars(select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id))
    return [{"number": c.number, "title": c.title, "event_id": c.event_id, "session_id": c.session_id,
             "holder_name": c.holder_name, "holder_organisation": c.holder_organisation,
             "starts_at": c.starts_at.isoformat(), "ends_at": c.ends_at.isoformat(),
             "hours": str(c.hours) if c.hours is not None else None, "issuer_name": c.issuer_name,
             "issued_at": c.issued_at.isoformat(), "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
             "revocation_reason": c.revocation_reason} for c in rows]
