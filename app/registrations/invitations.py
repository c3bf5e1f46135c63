"""Invitations: organisers invite people by email (known users get a link to accept; unknown
addresses an invitation to create an account first); the invited accept, decline or sign up."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts import services as accounts
from app.accounts.confirmation import mark_confirmed
from app.accounts.models import User, normalise_email
from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations.models import (
    Invitation,
    InvitationStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from app.registrations.notices import send_invitation
from app.registrations.register import Needs, Outcome, register_locked, registration_closed_reason
from app.registrations.rules import ACTIVE, RegistrationError
from app.registrations.transactions import lock_event, rollback_on_error
from app.registrations.waitlist import seat_status
from app.timeutil import now


@dataclass
class InviteResult:
    invited: list[Invitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invite_one(event: Event, email: str, name: str | None, role: ParticipantRole, actor: User,
               result: InviteResult) -> None:
    """Invite one address (not yet registered nor invited) and send the invitation. No commit."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id,
                                       Registration.status.in_(ACTIVE))
        )
        if registration is not None:
            result.skipped.append(_("%(email)s: already registered.", email=email))
            return
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.email == email)
    )
    if invitation is not None and invitation.status == InvitationStatus.SENT:
        result.skipped.append(_("%(email)s: already invited.", email=email))
        return
    if invitation is None:
        invitation = Invitation(event_id=event.id, email=email)
        db.session.add(invitation)
    invitation.name = (name or "").strip()[:200] or (user.name if user else None)
    invitation.role = role
    invitation.token = secrets.token_urlsafe(32)
    invitation.status = InvitationStatus.SENT
    invitation.invited_by_id = actor.id
    # Tied to an account only when its address is confirmed: an unconfirmed account owns nothing.
    invitation.user_id = user.id if user is not None and user.is_confirmed else None
    invitation.responded_at = None
    db.session.flush()
    audit.record(actor, "invitation.send", invitation, {"email": email, "role": role.value})
    send_invitation(invitation, event, user)
    result.invited.append(invitation)


def invite(event: Event, people, actor: User, role: ParticipantRole = ParticipantRole.PARTICIPANT) -> InviteResult:
    """Invite (email, name) pairs. Known users get a link to accept; unknown addresses get an
    invitation to create an account first. Commits."""
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError(_l("This event is cancelled."))
    if event.status == EventStatus.DRAFT:
        raise RegistrationError(_l("Publish the event first: invitation links lead to the event page."))
    result = InviteResult()
    seen = set()
    with rollback_on_error():
        for email, name in people:
            email = normalise_email(email)
            if not email or email in seen:
                continue
            seen.add(email)
            invite_one(event, email, name, role, actor, result)
        db.session.commit()
    return result


def find_invitation(token: str | None) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.token == token).options(joinedload(Invitation.event))
    )


def invitation_matches(invitation: Invitation, user: User) -> bool:
    """The invitation is this account's: only a confirmed account owns what was sent to its address."""
    if not user.is_confirmed:
        return False
    return invitation.user_id == user.id or normalise_email(invitation.email) == user.email


def accepting_waitlists(invitation: Invitation) -> bool:
    """Whether accepting now would put the invited person on the waiting list (the event is full
    and their role takes a seat): the invitation page says so before they accept. Counted without
    the lock: the seat itself is decided again under it when they accept."""
    return seat_status(invitation.event, invitation.role) == RegistrationStatus.WAITLISTED


def accept_invitation(invitation: Invitation, user: User, needs: Needs | None = None, *, consent: bool) -> Outcome:
    if not invitation_matches(invitation, user):
        return Outcome(None, None, _("This invitation was sent to %(email)s. Sign in with that account.", email=invitation.email), ok=False)
    if invitation.status != InvitationStatus.SENT:
        return Outcome(None, None, _("This invitation is %(status)s.", status=invitation.status.label.lower()), ok=False)
    if not consent:
        return Outcome(None, None, _("Please accept the privacy notice to register."), ok=False)
    invitation_id = invitation.id
    event = lock_event(invitation.event_id)
    with rollback_on_error():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
        ).scalar_one()
        if invitation.status != InvitationStatus.SENT:
            db.session.rollback()
            return Outcome(None, None, _("This invitation is %(status)s.", status=invitation.status.label.lower()), ok=False)
        reason = registration_closed_reason(event, invited=True)
        if reason:
            db.session.rollback()
            return Outcome(None, None, reason, ok=False)
        outcome = register_locked(event, user, invitation.role, needs or Needs(), actor=user, consented=True,
                                  trusted_role=True, skip_approval=True, action="registration.accept_invitation")
        invitation.status = InvitationStatus.ACCEPTED
        invitation.user_id = user.id
        invitation.responded_at = now()
        audit.record(user, "invitation.accept", invitation, {"email": invitation.email})
        db.session.commit()
        return outcome


def _answer(invitation: Invitation, actor: User | None, status: InvitationStatus, action: str) -> None:
    if invitation.status != InvitationStatus.SENT:
        raise RegistrationError(_l("This invitation is %(status)s.", status=invitation.status.label.lower()))
    invitation.status = status
    invitation.responded_at = now()
    audit.record(actor, action, invitation, {"email": invitation.email})
    db.session.commit()


def decline_invitation(invitation: Invitation, actor: User | None) -> None:
    _answer(invitation, actor, InvitationStatus.DECLINED, "invitation.decline")


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    _answer(invitation, actor, InvitationStatus.REVOKED, "invitation.revoke")


def sign_up_invited(invitation: Invitation, new_user: accounts.NewUser) -> User:
    """Create the account of an invited address and tie the invitation to it. The address counts as
    confirmed: the invitation's secret link was sent to it. Commits; on an AccountError, rolls back
    and raises it."""
    try:
        user = accounts.create_user(new_user)
        mark_confirmed(user)
        invitation.user_id = user.id
        db.session.commit()
    except accounts.AccountError:
        db.session.rollback()
        raise
    return user
