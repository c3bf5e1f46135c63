"""When and whom the check-in desk may check in (issue 23): only on the day itself in the event's
time zone — a day of the event, or the day a session runs — and at a session with sign-up only the
people signed up for it. A day already past may be corrected afterwards by an organiser who says so
explicitly (a "late correction", recorded in the audit log); a day still to come never: an early
check-in would make the person an attendee (certificate, feedback request) before the event."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.events.models import Event, Session
from app.extensions import db
from app.i18n import format_pattern
from app.registrations.models import Registration, SessionSignup, SessionSignupStatus
from app.registrations.rules import RegistrationError
from app.timeutil import now, to_local


class CheckInRefused(RegistrationError):
    """A check-in the rules refuse; `reason` is a stable word the scanner and the API show by."""

    def __init__(self, message, reason: str):
        super().__init__(message)
        self.reason = reason


class LateCorrectionNeeded(CheckInRefused):
    """A check-in for a day already past: allowed once the organiser confirms it is a correction."""

    def __init__(self, message):
        super().__init__(message, "late_correction")


def today_at(event: Event) -> date:
    """Today's date where the event takes place."""
    return to_local(now(), event.timezone).date()


def session_day(session: Session, event: Event) -> date:
    """The local day a session runs on (its start, in the event's zone)."""
    return to_local(session.starts_at, event.timezone).date()


def _label(day: date) -> str:
    return format_pattern(day, "%A %d %B %Y")


def require_day(event: Event, day_on: date, late_correction: bool) -> None:
    """Refuse a check-in for `day_on` unless it is today (or past, and confirmed as a correction)."""
    today = today_at(event)
    if day_on > today:
        raise CheckInRefused(_l("Check-in for %(day)s opens on that day (today is %(today)s in the event's time "
                                "zone).", day=_label(day_on), today=_label(today)), "wrong_day")
    if day_on < today and not late_correction:
        raise LateCorrectionNeeded(_l("%(day)s is over. Checking someone in for it afterwards is a late correction: "
                                      "confirm it to go ahead.", day=_label(day_on)))


def is_signed_up(registration: Registration, session: Session) -> bool:
    """Is the person on the session's list (confirmed sign-up)? Sessions without sign-up: everyone."""
    if not session.has_signup:
        return True
    return db.session.scalar(
        select(SessionSignup.id).where(SessionSignup.session_id == session.id,
                                       SessionSignup.user_id == registration.user_id,
                                       SessionSignup.status == SessionSignupStatus.CONFIRMED)
    ) is not None


def require_session(registration: Registration, session: Session, late_correction: bool) -> None:
    """Refuse a session check-in of someone not signed up for it, or not on the session's day."""
    if not is_signed_up(registration, session):
        raise CheckInRefused(_l("%(name)s is not on the list of “%(session)s”: only the people signed up for it can "
                                "be checked in there.", name=registration.user.name, session=session.title),
                             "not_on_list")
    require_day(registration.event, session_day(session, registration.event), late_correction)
