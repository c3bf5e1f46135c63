"""Name badges and their QR codes (issue 23). Each badge carries a check-in address holding a
random per-registration token (never the registration's id), made when the badge is first printed.
A token is looked up only together with the event at whose desk it is scanned, so a badge checks
nobody in at another event, and the address tells anyone who is not an organiser of the event
nothing. Scanning applies the same day and session rules as the check-in list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.countries import country_name
from app.events.models import Event, Session
from app.extensions import db
from app.registrations import attendance, badge_pdf, checkin_rules
from app.registrations.checkin_rules import CheckInRefused, LateCorrectionNeeded
from app.registrations.models import (
    AttendanceDay,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.registrations.participant_list import confirmed_registrations
from app.urls import absolute

TOKEN_BYTES = 18  # 24 URL-safe characters, 144 random bits


def badge_url(token: str) -> str:
    return absolute("registrations.badge_link", f"/check-in/b/{token}", token=token)


def _ensure_tokens(registrations: list[Registration]) -> None:
    missing = [r for r in registrations if not r.badge_token]
    for registration in missing:
        registration.badge_token = secrets.token_urlsafe(TOKEN_BYTES)
    if missing:
        db.session.commit()


def _badge(registration: Registration, event: Event) -> badge_pdf.Badge:
    user = registration.user
    organisation = user.organisation
    return badge_pdf.Badge(
        name=user.name, organisation=organisation.name if organisation else "",
        country=country_name(user.country or (organisation.country if organisation else None)),
        event_title=event.title, url=badge_url(registration.badge_token),
    )


def sheet(event: Event) -> bytes:
    """Every confirmed person's badge, 8 to an A4 sheet, by name."""
    registrations = confirmed_registrations(event.id)
    _ensure_tokens(registrations)
    return badge_pdf.sheet([_badge(r, event) for r in registrations])


def single(registration: Registration) -> bytes:
    """One person's badge on a page of its own size."""
    _ensure_tokens([registration])
    return badge_pdf.single(_badge(registration, registration.event))


def registration_for_token(token: str) -> Registration | None:
    """The registration a badge token belongs to (any event; the caller checks who asks)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Registration).options(joinedload(Registration.user).joinedload(User.organisation))
        .where(Registration.badge_token == token)
    )


def token_from(text: str) -> str:
    """The token in what a scanner read: the badge's whole address, or the token alone."""
    text = (text or "").strip()
    return text.rstrip("/").rsplit("/", 1)[-1][:64]


@dataclass
class ScanResult:
    status: str  # checked_in | already | not_on_list | wrong_day | late_correction | not_confirmed | unknown
    message: str
    name: str = ""
    registration_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("checked_in", "already")


def _already(registration: Registration, session: Session | None, day: date | None) -> bool:
    if session is not None:
        query = select(SessionAttendance.id).where(SessionAttendance.registration_id == registration.id,
                                                   SessionAttendance.session_id == session.id)
    else:
        query = select(AttendanceDay.id).where(AttendanceDay.registration_id == registration.id,
                                               AttendanceDay.day_on == day)
    return db.session.scalar(query) is not None


def scan(event: Event, scanned: str, actor: User, *, session: Session | None, day: date | None,
         late_correction: bool = False) -> ScanResult:
    """Check in the person whose badge was scanned at this event's desk, for the session or else the
    day, under the desk's rules; say what happened in words the desk can act on."""
    registration = registration_for_token(token_from(scanned))
    if registration is None or registration.event_id != event.id:
        return ScanResult("unknown", _("This badge is not for this event."))
    name = registration.user.name
    if registration.status != RegistrationStatus.CONFIRMED:
        return ScanResult("not_confirmed", _("%(name)s is not confirmed: only confirmed people can be checked in.",
                                             name=name), name, registration.id)
    if session is None and day is None:
        return ScanResult("wrong_day", _("Choose a day of the event."), name, registration.id)
    if _already(registration, session, day):
        return ScanResult("already", _("%(name)s is already checked in.", name=name), name, registration.id)
    try:
        attendance.set_checked_in(registration, actor, undo=False, session=session, day_on=day,
                                  late_correction=late_correction)
    except LateCorrectionNeeded as refused:
        return ScanResult(refused.reason, str(refused), name, registration.id)
    except CheckInRefused as refused:
        return ScanResult(refused.reason, str(refused), name, registration.id)
    return ScanResult("checked_in", _("%(name)s is checked in.", name=name), name, registration.id)


def desk_today(event: Event) -> date:
    return checkin_rules.today_at(event)
