"""Declines from calendar clients, confirmed by the participant.

A DECLINED reply only proves that someone could write an email with the participant's address in
From. So it is a *pending decline*: the participant gets an email with a signed link ("Yes, cancel my
registration"), which only the owner of the mailbox can follow; following it cancels through the
registrations rule (a participant cancels until the event starts; the seat goes to the waiting
list; audited with the reason "declined in their calendar"). The link works until the event (or
session) starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.accounts import tokens
from app.calendar.models import CalendarReply, ReplyOutcome
from app.events.urls import event_url
from app.extensions import db
from app.notifications.services import notify
from app.registrations.cancelling import cancel_locked, self_cancel_refusal
from app.registrations.models import Registration, SessionSignup
from app.registrations.rules import ACTIVE
from app.registrations.sessions import cancel_session_signup
from app.registrations.transactions import fresh_registration, lock_event, rollback_on_error
from app.timeutil import now
from app.urls import absolute_url

PURPOSE = "calendar.confirm-decline"
REASON = "declined in their calendar"
# The link's signature outlives any event; the event's start ends it first (see pending_decline).
LINK_HOURS = 24 * 800


@dataclass
class DeclineOutcome:
    ok: bool
    message: str
    reply: CalendarReply | None = None


def decline_link(reply: CalendarReply) -> str:
    token = tokens.make(PURPOSE, {"reply": reply.id, "registration": reply.registration_id})
    return absolute_url(f"/calendar/decline/{token}")


def ask_to_confirm(reply: CalendarReply, registration: Registration) -> None:
    """Email the participant the link that confirms their decline (in the caller's transaction)."""
    event = registration.event
    notify(registration.user, "calendar/confirm_decline", kind="calendar.confirm_decline",
           dedupe_key=f"calendar-decline:{reply.id}", event=event, session=reply.session,
           url=decline_link(reply), event_url=event_url(event))


def _starts_at(reply: CalendarReply, registration: Registration):
    return reply.session.starts_at if reply.session is not None else registration.event.starts_at


def pending_decline(token: str | None) -> tuple[CalendarReply | None, str | None]:
    """(the pending decline a link names, None) or (None, why the link does not work)."""
    payload, problem = tokens.read(PURPOSE, token, LINK_HOURS)
    reply = db.session.get(CalendarReply, payload["reply"]) \
        if payload and isinstance(payload.get("reply"), int) else None
    if reply is None or reply.registration_id is None or payload.get("registration") != reply.registration_id:
        return None, _("This link is not valid.")
    if reply.outcome == ReplyOutcome.CONFIRMED:
        return None, _("Your registration is already cancelled.")
    registration = db.session.get(Registration, reply.registration_id)
    if reply.outcome != ReplyOutcome.PENDING_CONFIRMATION or registration.status not in ACTIVE:
        return None, _("This registration is not active any more: there is nothing to cancel.")
    if _starts_at(reply, registration) <= now():
        return None, _("The event has started: please contact the organisers.")
    return reply, None


def _signup_of(reply: CalendarReply, registration: Registration) -> SessionSignup | None:
    return db.session.scalar(select(SessionSignup).where(SessionSignup.session_id == reply.session_id,
                                                         SessionSignup.user_id == registration.user_id))


def confirm_decline(token: str | None) -> DeclineOutcome:
    """The participant followed the link and pressed the button: cancel. Commits."""
    reply, problem = pending_decline(token)
    if reply is None:
        return DeclineOutcome(False, problem)
    if reply.session_id is not None:
        return _confirm_session_decline(reply)
    event = lock_event(reply.event_id)
    with rollback_on_error():
        reply = db.session.get(CalendarReply, reply.id, populate_existing=True)
        registration = fresh_registration(reply.registration_id)
        refusal = self_cancel_refusal(event)
        if reply.outcome != ReplyOutcome.PENDING_CONFIRMATION or registration.status not in ACTIVE or refusal:
            db.session.rollback()
            return DeclineOutcome(False, refusal or _("This registration is not active any more."))
        cancel_locked(event, registration, registration.user, by_organiser=False)
        _resolve(reply, registration)
        db.session.commit()
    return DeclineOutcome(True, _("Your registration for %(title)s is cancelled.", title=event.title), reply)


def _confirm_session_decline(reply: CalendarReply) -> DeclineOutcome:
    registration = db.session.get(Registration, reply.registration_id)
    signup = _signup_of(reply, registration)
    if signup is None:
        return DeclineOutcome(False, _("You are not signed up for this session any more."))
    outcome = cancel_session_signup(signup, registration.user)
    if not outcome.ok:
        return DeclineOutcome(False, outcome.message)
    reply = db.session.get(CalendarReply, reply.id, populate_existing=True)
    _resolve(reply, registration)
    db.session.commit()
    return DeclineOutcome(True, outcome.message, reply)


def _resolve(reply: CalendarReply, registration: Registration) -> None:
    reply.outcome = ReplyOutcome.CONFIRMED
    reply.resolved_at = now()
    audit.record(registration.user, "calendar_reply.confirmed", registration,
                 {"reason": REASON, "calendar_reply_id": reply.id, "session_id": reply.session_id})
