"""Calendar invitations and cancellations for registrations and session sign-ups (subscribes to app.registrations.signals)."""

from __future__ import annotations

from app.calendar import itip
from app.registrations import signals


@signals.registration_confirmed.connect
def _invite(registration, *, sessions: bool = True, **_) -> None:
    itip.queue_invitation(registration, sessions=sessions)


@signals.registration_withdrawn.connect
def _cancel(registration, *, signups=None, **_) -> None:
    itip.queue_registration_cancel(registration, signups=signups)


@signals.session_signup_confirmed.connect
def _invite_to_session(signup, **_) -> None:
    itip.queue_session_invitation(signup)


@signals.session_signup_withdrawn.connect
def _cancel_session(signup, *, session, **_) -> None:
    itip.queue_session_cancel(session, user_ids=[signup.user_id])
