"""The check-in desk's live counters: "x of y checked in" for a day of the event and for a session
(of those signed up, when it has sign-up). Two COUNT statements each; read-side only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import ngettext
from sqlalchemy import func, select

from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import AttendanceDay, Registration, RegistrationStatus, SessionAttendance
from app.registrations.participant_list import signed_up_clause


@dataclass
class Counter:
    key: str  # "day" or "session"
    title: str  # what it counts (the day or the session), already formatted
    checked_in: int
    expected: int

    @property
    def text(self) -> str:
        return ngettext("%(num)d of %(expected)d checked in", "%(num)d of %(expected)d checked in",
                        self.checked_in, expected=self.expected)

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "checked_in": self.checked_in, "expected": self.expected,
                "text": self.text}


def _confirmed(event: Event):
    return (Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)


def day_counter(event: Event, day: date, title: str) -> Counter:
    expected = db.session.scalar(select(func.count(Registration.id)).where(*_confirmed(event))) or 0
    checked = db.session.scalar(
        select(func.count(AttendanceDay.id)).join(Registration, Registration.id == AttendanceDay.registration_id)
        .where(*_confirmed(event), AttendanceDay.day_on == day)
    ) or 0
    return Counter("day", title, checked, expected)


def session_counter(event: Event, session: Session) -> Counter:
    expected_query = select(func.count(Registration.id)).where(*_confirmed(event))
    checked_query = select(func.count(SessionAttendance.id)).join(
        Registration, Registration.id == SessionAttendance.registration_id
    ).where(*_confirmed(event), SessionAttendance.session_id == session.id)
    if session.has_signup:
        expected_query = expected_query.where(signed_up_clause(session.id))
    expected = db.session.scalar(expected_query) or 0
    checked = db.session.scalar(checked_query) or 0
    return Counter("session", session.title, checked, expected)
