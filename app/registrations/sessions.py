"""Session sign-ups: a confirmed participant signs up for a session with its own capacity, or
cancels; the session's waiting list is the shared one (app.registrations.waitlist)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import contains_eager

from app import audit
from app.accounts.models import User
from app.db import row_id
from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.signals import session_signup_confirmed, session_signup_withdrawn
from app.registrations.transactions import (
    lock_session,
    locked_session_row,
    rollback_on_error,
)
from app.registrations.waitlist import promote_session_locked, session_seats_taken, signup_position
from app.timeutil import now


@dataclass
class SignupOutcome:
    signup: SessionSignup | None
    message: str
    position: int | None = None
    ok: bool = True

    @property
    def category(self) -> str:
        if not self.ok:
            return "danger"
        if self.signup is not None and self.signup.status == SessionSignupStatus.WAITLISTED:
            return "warning"
        return "success"


def _refused(message: str, signup: SessionSignup | None = None) -> SignupOutcome:
    db.session.rollback()
    return SignupOutcome(signup, message, ok=False)


def _place_signup(session: Session, user: User, signup: SessionSignup | None) -> SessionSignup:
    """Create or revive the sign-up, confirmed while the session has room, else on its waiting list."""
    # Count before adding the new row, so autoflush cannot count it.
    has_room = session.capacity is None or session_seats_taken(session.id) < session.capacity
    if signup is None:
        signup = SessionSignup(session_id=session.id, user_id=user.id)
        db.session.add(signup)
    instant = now()
    signup.cancelled_at = None
    if has_room:
        signup.status = SessionSignupStatus.CONFIRMED
        signup.confirmed_at = instant
        signup.waitlisted_at = None
    else:
        signup.status = SessionSignupStatus.WAITLISTED
        signup.waitlisted_at = instant
        signup.confirmed_at = None
    db.session.flush()
    return signup


def sign_up_for_session(session: Session, user: User) -> SignupOutcome:
    """A confirmed participant signs up for a session with its own capacity. Commits."""
    session = lock_session(row_id(session))
    with rollback_on_error():
        if not session.has_signup:
            return _refused(_("This session has no sign-up."))
        if session.starts_at <= now():
            return _refused(_("This session has started."))
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == session.event_id, Registration.user_id == user.id)
        )
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            return _refused(_("Only confirmed participants can sign up for sessions."))
        signup = db.session.execute(
            select(SessionSignup)
            .where(SessionSignup.session_id == session.id, SessionSignup.user_id == user.id)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if signup is not None and signup.status != SessionSignupStatus.CANCELLED:
            position = signup_position(signup)
            db.session.rollback()
            return SignupOutcome(signup, _("You are already signed up for %(title)s.", title=session.title), position)
        signup = _place_signup(session, user, signup)
        position = signup_position(signup)
        audit.record(user, "session_signup.create", signup,
                     {"status": signup.status.value, "session_id": session.id})
        if signup.status == SessionSignupStatus.CONFIRMED:
            session_signup_confirmed.send(signup)
        db.session.commit()
        if signup.status == SessionSignupStatus.CONFIRMED:
            return SignupOutcome(signup, _("You are signed up for %(title)s.", title=session.title))
        return SignupOutcome(signup, _("%(title)s is full: you are number %(position)s on its waiting list.",
                                                   title=session.title, position=position), position)


def cancel_session_signup(signup: SessionSignup, actor: User) -> SignupOutcome:
    session = lock_session(signup.session_id)
    with rollback_on_error():
        signup = db.session.execute(
            select(SessionSignup).where(SessionSignup.id == signup.id).execution_options(populate_existing=True)
        ).scalar_one()
        if signup.status == SessionSignupStatus.CANCELLED:
            return _refused(_("This sign-up is already cancelled."), signup)
        previous = signup.status
        signup.status = SessionSignupStatus.CANCELLED
        signup.cancelled_at = now()
        signup.waitlisted_at = None
        audit.record(actor, "session_signup.cancel", signup, {"status": [previous.value, "cancelled"]})
        if signup.sequence_sent is not None:
            # It is in their calendar: take it out.
            session_signup_withdrawn.send(signup, session=session)
            signup.sequence_sent = None
        db.session.flush()
        if previous == SessionSignupStatus.CONFIRMED:
            promote_session_locked(session, actor)
        db.session.commit()
        return SignupOutcome(signup, _("Your sign-up for %(title)s is cancelled.", title=session.title))


def _ending(event_id, user_id) -> tuple:
    """What ending_signups selects (the sign-ups of the event's sessions that the end of a
    registration touches), for its read and for ending_signups_exist."""
    return (Session.event_id == event_id, SessionSignup.user_id == user_id,
            or_(SessionSignup.status != SessionSignupStatus.CANCELLED, SessionSignup.sequence_sent.is_not(None)))


def ending_signups(event_id: int, user_id: int) -> list[SessionSignup]:
    """The person's sign-ups of the event's sessions that the end of their registration touches —
    the live ones (cancelled by cancel_signups_locked) and those in their calendar (taken out by
    the calendar's cancellation) — with their sessions, in id order: one read for both."""
    return list(db.session.scalars(
        select(SessionSignup)
        .join(Session, Session.id == SessionSignup.session_id)
        .options(contains_eager(SessionSignup.session))
        .where(*_ending(event_id, user_id))
        .order_by(SessionSignup.id)
    ))


def ending_signups_exist(event_id, user_id):
    """Whether ending_signups would find any (an EXISTS of SQL values or bound parameters), for a
    read that brings it along."""
    return exists().where(Session.id == SessionSignup.session_id, *_ending(event_id, user_id))


def cancel_signups_locked(event: Event, user_id: int, signups: list[SessionSignup] | None = None) -> None:
    """Inside the event's locked transaction: cancel the person's sign-ups for the event's sessions
    (their registration ends) and fill the places they free. No commit. `signups`: read already
    by ending_signups in this transaction."""
    if signups is None:
        signups = ending_signups(event.id, user_id)
    signups = [signup for signup in signups if signup.status != SessionSignupStatus.CANCELLED]
    freed_sessions = set()
    for signup in signups:
        if signup.status == SessionSignupStatus.CONFIRMED:
            freed_sessions.add(signup.session_id)
        signup.status = SessionSignupStatus.CANCELLED
        signup.cancelled_at = now()
    db.session.flush()
    for session_id in sorted(freed_sessions):
        promote_session_locked(locked_session_row(session_id), None)
