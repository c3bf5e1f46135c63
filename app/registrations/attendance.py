"""Attendance: check-in by day or by session (and undoing it), the one rule of who attended (which
certificates build on, app.certificates.rules) and the attendance figures of an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, select, union_all

from app import audit
from app.accounts.models import User
from app.directory.models import Organisation
from app.events.models import Event, Session
from app.events.times import local_span
from app.extensions import db
from app.registrations import checkin_rules
from app.registrations.checkin_rules import CheckInRefused
from app.registrations.models import (
    AttendanceDay,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.registrations.rules import RegistrationError
from app.timeutil import now, to_local


def event_days(event: Event) -> list[date]:
    """The local calendar days the event runs on, in its own time zone."""
    first, last = local_span(event.starts_at, event.ends_at, event.timezone)
    days = []
    day = first
    while day <= last and len(days) < 60:
        days.append(day)
        day += timedelta(days=1)
    return days


def day_of(event: Event, value: str | None) -> date | None:
    """The day of the event that `value` (an ISO date) names, None when it names none; without a
    value, today when the event runs today, else its first day."""
    days = event_days(event)
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if day in days else None
    today = to_local(now(), event.timezone).date()
    return today if today in days else (days[0] if days else None)


def earliest_check_in(registration_id: int):
    """The earliest of a registration's day and session check-ins (None without any): one statement."""
    check_ins = union_all(
        select(AttendanceDay.checked_in_at.label("at")).where(AttendanceDay.registration_id == registration_id),
        select(SessionAttendance.checked_in_at.label("at")).where(SessionAttendance.registration_id == registration_id),
    ).subquery("check_ins")
    return db.session.scalar(select(func.min(check_ins.c.at)))


def sync_checked_in(registration: Registration) -> None:
    """Keep the stored fact (see "Attended" below) after its check-ins changed."""
    registration.checked_in_at = earliest_check_in(registration.id)


def _checkable(registration: Registration) -> None:
    if registration.status != RegistrationStatus.CONFIRMED:
        raise CheckInRefused(_l("%(name)s is not confirmed: only confirmed people can be checked in.",
                                name=registration.user.name), "not_confirmed")


def check_in(registration: Registration, day_on: date, actor: User, *,
             late_correction: bool = False) -> AttendanceDay:
    """Check the person in for a day of the event: on that day only (checkin_rules), or afterwards
    as a confirmed late correction."""
    _checkable(registration)
    if day_on not in event_days(registration.event):
        raise CheckInRefused(_l("This day is not a day of the event."), "wrong_day")
    existing = db.session.scalar(
        select(AttendanceDay).where(AttendanceDay.registration_id == registration.id, AttendanceDay.day_on == day_on)
    )
    if existing is not None:
        return existing
    checkin_rules.require_day(registration.event, day_on, late_correction)
    attendance = AttendanceDay(registration_id=registration.id, day_on=day_on, checked_in_at=now(),
                               checked_in_by_id=actor.id)
    db.session.add(attendance)
    db.session.flush()
    sync_checked_in(registration)
    audit.record(actor, "attendance.late_correction" if late_correction else "attendance.check_in", registration,
                 {"day_on": day_on.isoformat()})
    db.session.commit()
    return attendance


def undo_check_in(registration: Registration, day_on: date, actor: User) -> bool:
    deleted = db.session.execute(
        delete(AttendanceDay).where(AttendanceDay.registration_id == registration.id, AttendanceDay.day_on == day_on)
    ).rowcount
    if deleted:
        sync_checked_in(registration)
        audit.record(actor, "attendance.undo", registration, {"day_on": day_on.isoformat()})
    db.session.commit()
    return bool(deleted)


def check_in_session(registration: Registration, session: Session, actor: User, *,
                     late_correction: bool = False) -> SessionAttendance:
    """Check the person in at a session: one signed up for it (when it has sign-up), on its day."""
    _checkable(registration)
    if session.event_id != registration.event_id:
        raise RegistrationError(_l("This session belongs to another event."))
    existing = db.session.scalar(
        select(SessionAttendance).where(SessionAttendance.registration_id == registration.id,
                                        SessionAttendance.session_id == session.id)
    )
    if existing is not None:
        return existing
    checkin_rules.require_session(registration, session, late_correction)
    attendance = SessionAttendance(registration_id=registration.id, session_id=session.id, checked_in_at=now())
    db.session.add(attendance)
    db.session.flush()
    sync_checked_in(registration)
    audit.record(actor, "attendance.late_correction" if late_correction else "attendance.session_check_in",
                 registration, {"session_id": session.id})
    db.session.commit()
    return attendance


def undo_session_check_in(registration: Registration, session: Session, actor: User) -> bool:
    deleted = db.session.execute(
        delete(SessionAttendance).where(SessionAttendance.registration_id == registration.id,
                                        SessionAttendance.session_id == session.id)
    ).rowcount
    if deleted:
        sync_checked_in(registration)
        audit.record(actor, "attendance.session_undo", registration, {"session_id": session.id})
    db.session.commit()
    return bool(deleted)


def set_checked_in(registration: Registration, actor: User, *, undo: bool, session: Session | None = None,
                   day_on: date | None = None, late_correction: bool = False) -> None:
    """Check the person in (or undo it) for the session, else for the day. Commits."""
    if session is not None:
        if undo:
            undo_session_check_in(registration, session, actor)
        else:
            check_in_session(registration, session, actor, late_correction=late_correction)
    elif undo:
        undo_check_in(registration, day_on, actor)
    else:
        check_in(registration, day_on, actor, late_correction=late_correction)


# "Attended", the one rule: a CONFIRMED registration checked in at least once — at the door, on a
# day of a several-day event, or at one of its sessions. The fact is stored on the registration:
# Registration.checked_in_at, the earliest of its check-ins, kept by every path here that checks in
# or undoes a check-in (sync_checked_in), and by a revived registration (app.registrations.register)
# that keeps its earlier check-ins; migration r19attend0001 set it on rows imported with day or
# session check-ins only. A check-in at the door, or one whose session was deleted since, keeps it
# set. So the rule reads one column of the registration, in Python and in SQL alike, and the reports
# count attendance from registrations alone (no join to every check-in: issue 19).


def attended(registration: Registration | None) -> bool:
    """Did this person attend? (a loaded registration; see the rule above)."""
    return (registration is not None and registration.status == RegistrationStatus.CONFIRMED
            and registration.checked_in_at is not None)


def attended_clause():
    """The rule as a condition on Registration (for a WHERE or a conditional count)."""
    return and_(Registration.status == RegistrationStatus.CONFIRMED, Registration.checked_in_at.is_not(None))


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
