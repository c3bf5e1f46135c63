"""What the check-in desk reads: the day or session chosen, a page of the people to check in (for a
session with sign-up, those signed up), which of them are in, and the live counters "x of y checked
in" for the day and the session (two COUNT statements each). Read-side only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import ngettext
from sqlalchemy import func, select

from app.events.models import Event, Session
from app.extensions import db
from app.i18n import format_pattern
from app.pagination import Page
from app.registrations import attendance, checkin_rules, queries
from app.registrations.models import (
    AttendanceDay,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.registrations.participant_list import checkin_page, signed_up_clause


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


def counters(event: Event, day: date | None, session: Session | None) -> list[Counter]:
    """The day's counter (the session's day when a session is chosen), and the session's."""
    if session is not None:
        day = checkin_rules.session_day(session, event)
    result = [day_counter(event, day, format_pattern(day, "%a %d %b"))] if day is not None else []
    if session is not None:
        result.append(session_counter(event, session))
    return result


def chosen(event: Event, sessions: list[Session], session_id: int | None, day_value: str | None,
           when: str) -> tuple[Session | None, date | None]:
    """The session (or else the day) the desk works on, from when=session:ID|day:DATE or session/day."""
    if when.startswith("session:"):
        session_id = int(when[8:]) if when[8:].isdigit() else None
    elif when.startswith("day:"):
        day_value, session_id = when[4:], None
    chosen_session = next((s for s in sessions if s.id == session_id), None)
    return chosen_session, (None if chosen_session else attendance.day_of(event, day_value))


@dataclass
class Desk:
    event: Event
    sessions: list[Session]
    session: Session | None
    day: date | None
    days: list[date]
    today: date
    page: Page
    checked: set[int] = field(default_factory=set)
    counters: list[Counter] = field(default_factory=list)

    @property
    def working_day(self) -> date | None:
        """The day check-ins are for: the session's day or the chosen day."""
        return checkin_rules.session_day(self.session, self.event) if self.session else self.day


def desk(event: Event, q: str, page_value, session_id: int | None, day_value: str | None, when: str) -> Desk:
    sessions = queries.event_sessions(event.id)
    session, day = chosen(event, sessions, session_id, day_value, when)
    page = checkin_page(event, q, page_value, session)
    checked = queries.checked_in_ids([r.id for r in page.items], session, day)
    return Desk(event, sessions, session, day, attendance.event_days(event), checkin_rules.today_at(event), page,
                checked, counters(event, day, session))


def counters_for(event: Event, session_id: int | None, day_value: str | None) -> list[Counter]:
    session = queries.get_session(session_id) if session_id else None
    if session is not None and session.event_id != event.id:
        session = None
    return counters(event, None if session else attendance.day_of(event, day_value), session)
