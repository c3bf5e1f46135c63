"""Replies from calendar clients: an email holding an iTIP METHOD:REPLY (RFC 5546 / RFC 6047), sent by
Outlook, Gmail, Apple Calendar or Thunderbird to the ORGANIZER address when a participant presses
Accept or Decline on one of our invitations.

`process(raw)` parses the email, matches it to a registration (or session sign-up) by UID and
ATTENDEE, and records it as a CalendarReply, once per Message-ID. Only a reply whose ATTENDEE is the
registered person's address and whose From is that same address is acted on:
- ACCEPTED records the attendance intent (the reply row, shown to organisers);
- DECLINED never frees a seat on its own say-so (a From address is easily forged): it becomes a
  pending decline and the participant is emailed a link to confirm it (app.calendar.declines).
Anything else is recorded with the reason it was ignored.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import dataclass
from email.utils import parseaddr

from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import User
from app.calendar import declines, links
from app.calendar.models import CalendarReply, ReplyOutcome
from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.rules import ACTIVE
from app.timeutil import now

CALENDAR_TYPES = ("text/calendar", "application/ics")
MAX_CALENDAR_BYTES = 256 * 1024
SESSION_PREFIX = "session-"


@dataclass
class ParsedReply:
    message_id: str
    from_address: str
    method: str = ""
    uid: str = ""
    attendee: str = ""
    partstat: str = ""


def _address(value) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return parseaddr(text)[1].strip().lower()


def _message_key(message, raw: bytes) -> str:
    value = " ".join(str(message.get("Message-ID", "") or "").split())
    if value and len(value) <= 500:
        return value
    return "sha256:" + hashlib.sha256(value.encode() if value else raw).hexdigest()


def _calendars(message):
    for part in message.walk():
        if part.get_content_type() in CALENDAR_TYPES or str(part.get_filename() or "").lower().endswith(".ics"):
            payload = part.get_payload(decode=True)
            if payload and len(payload) <= MAX_CALENDAR_BYTES:
                yield payload


def _read_calendar(payload: bytes, parsed: ParsedReply) -> bool:
    """Fill `parsed` from an iCalendar holding METHOD:REPLY; False when it is not one."""
    try:
        calendar = Calendar.from_ical(payload)
    except Exception:  # noqa: BLE001 - a malformed attachment is simply not a reply
        return False
    if str(calendar.get("METHOD", "")).strip().upper() != "REPLY":
        return False
    event = next((c for c in calendar.walk("VEVENT")), None)
    if event is None:
        return False
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
    # A REPLY names only the replying attendee (RFC 5546 3.2.3); prefer the sender's own line if several.
    chosen = next((a for a in attendees if _address(a) == parsed.from_address), attendees[0] if attendees else None)
    parsed.method = "REPLY"
    parsed.uid = str(event.get("UID", "")).strip()[:500]
    if chosen is not None:
        parsed.attendee = _address(chosen)[:320]
        parsed.partstat = str(chosen.params.get("PARTSTAT", "")).strip().upper()[:40]
    return True


def parse(raw: bytes) -> ParsedReply:
    """The reply carried by one email (RFC 822 bytes). Pure: no database."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parsed = ParsedReply(message_id=_message_key(message, raw),
                         from_address=_address(message.get("From", ""))[:320])
    for payload in _calendars(message):
        if _read_calendar(payload, parsed):
            break
    return parsed


def _target(uid: str):
    """(event, session or None) whose calendar UID is `uid`, when it is one of ours."""
    local, _, host = uid.rpartition("@")
    if not local or host.lower() != links.site_host().lower():
        return None, None
    if local.startswith(SESSION_PREFIX):
        session = db.session.scalar(select(Session).where(Session.uid == local[len(SESSION_PREFIX):]))
        return (session.event, session) if session is not None else (None, None)
    return db.session.scalar(select(Event).where(Event.uid == local)), None


def _registration(event: Event, address: str) -> Registration | None:
    if not address:
        return None
    return db.session.scalar(
        select(Registration).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, func.lower(User.email) == address)
    )


def _signup(session: Session, user_id: int) -> SessionSignup | None:
    return db.session.scalar(select(SessionSignup).where(SessionSignup.session_id == session.id,
                                                         SessionSignup.user_id == user_id))


def _decide(parsed: ParsedReply, reply: CalendarReply) -> tuple[ReplyOutcome, str]:
    """Match the reply and say what to do with it; fills the reply's links to what it matched."""
    if parsed.method != "REPLY":
        return ReplyOutcome.IGNORED_NOT_REPLY, "no text/calendar part with METHOD:REPLY"
    event, session = _target(parsed.uid)
    registration = _registration(event, parsed.attendee) if event is not None else None
    if registration is None:
        return ReplyOutcome.IGNORED_NO_MATCH, "no registration has this UID and ATTENDEE"
    reply.event_id, reply.session_id, reply.registration_id = event.id, session.id if session else None, registration.id
    if parsed.from_address != parsed.attendee:
        return ReplyOutcome.IGNORED_FORGED, f"From {parsed.from_address or '(none)'} is not the attendee"
    signup = _signup(session, registration.user_id) if session is not None else None
    if registration.status not in ACTIVE or (session is not None and (
            signup is None or signup.status == SessionSignupStatus.CANCELLED)):
        return ReplyOutcome.IGNORED_NOT_ACTIVE, f"the registration is {registration.status.value}"
    if parsed.partstat == "DECLINED":
        return ReplyOutcome.PENDING_CONFIRMATION, "waiting for the participant to confirm by email"
    if parsed.partstat == "ACCEPTED":
        if registration.status != RegistrationStatus.CONFIRMED:
            return ReplyOutcome.IGNORED_NOT_ACTIVE, f"the registration is {registration.status.value}"
        return ReplyOutcome.APPLIED, "attendance intent recorded"
    return ReplyOutcome.IGNORED_UNSUPPORTED, f"PARTSTAT {parsed.partstat or '(none)'} is not applied"


def already_recorded(message_id: str) -> bool:
    return db.session.scalar(select(CalendarReply.id).where(CalendarReply.message_id == message_id)) is not None


def process(raw: bytes) -> CalendarReply | None:
    """Record (and act on) one email; commits. None when this message was processed before."""
    parsed = parse(raw)
    if already_recorded(parsed.message_id):
        return None
    reply = CalendarReply(message_id=parsed.message_id, received_at=now(), from_address=parsed.from_address or None,
                          uid=parsed.uid or None, attendee=parsed.attendee or None, partstat=parsed.partstat or None)
    reply.outcome, reply.detail = _decide(parsed, reply)
    db.session.add(reply)
    try:
        db.session.flush()
    except IntegrityError:  # another poller recorded the same message meanwhile
        db.session.rollback()
        return None
    if reply.outcome in (ReplyOutcome.APPLIED, ReplyOutcome.PENDING_CONFIRMATION):
        registration = db.session.get(Registration, reply.registration_id)
        audit.record(registration.user, f"calendar_reply.{reply.outcome.value}", registration,
                     {"partstat": reply.partstat, "uid": reply.uid, "session_id": reply.session_id,
                      "calendar_reply_id": reply.id})
        if reply.outcome == ReplyOutcome.PENDING_CONFIRMATION:
            declines.ask_to_confirm(reply, registration)
    db.session.commit()
    return reply
