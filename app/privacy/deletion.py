"""Deleting an account, as the person asks (or an admin on their request): personal data erased or
anonymised; attendance, past confirmed registrations, lessons (by "a former member"), feedback
(anonymous) and audit entries stay, so figures and history stay consistent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from app import audit
from app.accounts.api_tokens import revoke_all_of
from app.accounts.models import Membership, MembershipStatus, User, new_token
from app.accounts.passwords import verify_password
from app.assessments.answering import forget_unsubmitted
from app.audit.models import AuditEntry
from app.errors import RuleError
from app.events.models import Event
from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus
from app.registrations.consent import withdraw
from app.registrations.models import (
    Feedback,
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
)
from app.registrations.retention import erase_needs_of_user
from app.registrations.rules import ACTIVE
from app.timeutil import now

FORMER_MEMBER = "A former member"


class PrivacyError(RuleError):
    """A broken privacy rule (wrong password, missing reason...)."""


def placeholder_email(user_id: int) -> str:
    """Unique, and routes nowhere (.invalid is reserved, RFC 2606): the old address is free again."""
    return f"deleted-{user_id}@invalid"


def _registrations_to_cancel(user_id: int) -> list[int]:
    """Live registrations that would still hold a seat or a place: pending, waiting list, and
    confirmed ones for events not yet started. Past confirmed registrations stay (figures)."""
    at = now()
    return list(db.session.scalars(
        select(Registration.id).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user_id, Registration.status.in_(ACTIVE),
               or_(Registration.status != RegistrationStatus.CONFIRMED, Event.starts_at > at))
        .order_by(Registration.id)
    ))


def _scrub(value, secrets: set[str], replacement: str):
    if isinstance(value, dict):
        return {key: _scrub(item, secrets, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets, replacement) for item in value]
    return replacement if isinstance(value, str) and value.strip().lower() in secrets else value


def _scrub_audit(user_id: int, old_email: str, old_name: str) -> None:
    """The entries stay (who did what, when); the person's old name and address leave their details."""
    secrets = {old_email.lower(), old_name.strip().lower()}
    entries = db.session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user_id, (AuditEntry.subject_type == "User") & (AuditEntry.subject_id == user_id))))
    for entry in entries:
        scrubbed = _scrub(entry.changes or {}, secrets, "(erased)")
        if scrubbed != entry.changes:
            entry.changes = scrubbed


def _anonymise(user: User) -> None:
    old_email = user.email
    _scrub_audit(user.id, old_email, user.name)
    user.name = FORMER_MEMBER
    user.email = placeholder_email(user.id)
    user.password_hash = None
    user.position = None
    user.country = None
    user.organisation_id = None
    user.pending_email = None
    user.calendar_token = new_token()
    user.calendar_include_waitlisted = False
    user.is_active_account = False
    user.deleted_at = now()
    user.session_version += 1  # signs out every session
    _erase_traces(user.id, old_email)


def _erase_traces(user_id: int, old_email: str) -> None:
    at = now()
    db.session.execute(
        update(Membership).where(Membership.user_id == user_id,
                                 Membership.status.in_((MembershipStatus.PENDING, MembershipStatus.APPROVED)))
        .values(status=MembershipStatus.ENDED, decided_at=at, reason="Account deleted")  # a SYSTEM_REASON
        .execution_options(synchronize_session=False))
    erase_needs_of_user(user_id, at)
    forget_unsubmitted(user_id)
    revoke_all_of(user_id, at)  # their API tokens (they would answer 401 anyway: deleted owner)
    registration_ids = select(Registration.id).where(Registration.user_id == user_id).scalar_subquery()
    db.session.execute(update(Feedback).where(Feedback.registration_id.in_(registration_ids))
                       .values(is_anonymous=True).execution_options(synchronize_session=False))
    mine = or_(Invitation.user_id == user_id, Invitation.email == old_email)
    db.session.execute(update(Invitation).where(mine, Invitation.status == InvitationStatus.SENT)
                       .values(status=InvitationStatus.REVOKED, responded_at=at)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Invitation).where(mine).values(email=placeholder_email(user_id), name=None)
                       .execution_options(synchronize_session=False))
    # Mail not yet sent to this person goes nowhere now; everyone else's mail stays queued.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient_user_id == user_id,
                                                   OutboxMessage.status == OutboxStatus.PENDING)
                       .execution_options(synchronize_session=False))


def delete_account(user: User, actor: User, *, reason: str | None = None) -> None:
    """Delete `user`'s account (by themselves, or by an admin on request with a reason). Commits."""
    if user.deleted_at is not None:
        raise PrivacyError(_l("This account is deleted already."))
    user_id = user.id
    for registration_id in _registrations_to_cancel(user_id):
        withdraw(registration_id, actor, "registration.withdrawn_on_deletion")
    user = db.session.get(User, user_id, populate_existing=True)
    actor = db.session.get(User, actor.id)
    _anonymise(user)
    audit.record(actor, "user.delete", user, {"by_admin": actor.id != user_id, "reason": reason})
    db.session.commit()


def delete_own_account(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password or ""):
        raise PrivacyError(_l("Your password is not right."), "password")
    delete_account(user, user)


def delete_on_request(user: User, actor: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(_l("Say why (for example: the person's written request of 3 March)."), "reason")
    if user.id == actor.id:
        raise PrivacyError(_l("Delete your own account from your profile page."), "reason")
    delete_account(user, actor, reason=reason[:500])
