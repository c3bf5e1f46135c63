"""Confirming an email address: the link sent at sign-up, on request again, and for an email change.
An account is confirmed once its owner follows a signed, expiring link sent to the address; until
then it sees only what anonymous visitors see (app.roles.is_signed_in)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts import tokens
from app.accounts.emails import valid_address
from app.accounts.errors import AccountError
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.accounts.signals import email_confirmed
from app.errors import rolls_back_on
from app.extensions import db
from app.notifications.outbox import Recipient, enqueue
from app.notifications.rendering import render_email
from app.notifications.services import notify
from app.timeutil import now
from app.urls import absolute_url


@dataclass
class LinkOutcome:
    ok: bool
    message: str
    user: User | None = None


def _hours() -> int:
    return int(current_app.config["EMAIL_CONFIRM_HOURS"])


def confirm_link(user: User, address: str) -> str:
    return absolute_url(f"/confirm/{tokens.make(tokens.CONFIRM_EMAIL, {'user': user.id, 'email': address})}")


def send_confirmation(user: User) -> None:
    """Queue the link that confirms the account's address (the caller commits)."""
    notify(user, "accounts/confirm_email", kind="account.confirm_email", url=confirm_link(user, user.email),
           hours=_hours())


def mark_confirmed(user: User) -> None:
    """The address is proven (a followed link, a completed reset, an invitation, the CLI). No commit:
    receivers of `email_confirmed` write in the same transaction."""
    user.email_confirmed_at = now()
    email_confirmed.send(user)


def find_by_address(address: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == address))


def resend(user: User) -> None:
    """Send the confirmation link again to a signed-in, unconfirmed account."""
    if user.is_confirmed or not user.is_active_account:
        return
    send_confirmation(user)
    db.session.commit()


def resend_to_address(value: str | None) -> None:
    """Someone asks for a new link by address: sent only when an unconfirmed, active account has it.
    The caller answers the same whatever happened (no account enumeration)."""
    try:
        user = find_by_address(valid_address(value))
    except AccountError:
        return
    if user is not None:
        resend(user)


def confirm(token: str | None) -> LinkOutcome:
    """Follow a confirmation link (sign-up or email change). Commits when it confirms something."""
    payload, problem = tokens.read(tokens.CONFIRM_EMAIL, token, _hours())
    if problem == "expired":
        return LinkOutcome(False, _("This confirmation link has expired. Ask for a new one below."))
    user = db.session.get(User, payload.get("user")) if payload and isinstance(payload.get("user"), int) else None
    address = payload.get("email") if payload else None
    if user is None or not user.is_active_account or not isinstance(address, str):
        return LinkOutcome(False, _("This confirmation link is not valid. Ask for a new one below."))
    if user.pending_email and address == user.pending_email:
        return _switch_address(user, address)
    if address != user.email:
        return LinkOutcome(False, _("This confirmation link is no longer valid: the account's address has changed."),
                           user)
    if user.is_confirmed:
        return LinkOutcome(True, _("Your email address is already confirmed."), user)
    mark_confirmed(user)
    audit.record(user, "user.email_confirmed", user, {"email": address})
    db.session.commit()
    return LinkOutcome(True, _("Your email address is confirmed."), user)


def _switch_address(user: User, address: str) -> LinkOutcome:
    other = find_by_address(address)
    if other is not None and other.id != user.id:
        user.pending_email = None
        db.session.commit()
        return LinkOutcome(False, _("Another account uses this address now: your address was not changed."), user)
    audit.record(user, "user.email", user, {"email": [user.email, address]})
    user.email = address
    user.pending_email = None
    mark_confirmed(user)
    db.session.commit()
    return LinkOutcome(True, _("Your email address is now %(address)s.", address=address), user)


@rolls_back_on(AccountError)
def request_email_change(user: User, new_email: str, current_password: str) -> str:
    """Keep the new address as pending, send it a link and tell the old address. The switch happens
    when the link is followed (and only if no other account took the address by then). Whether the
    address belongs to another account is not said here: that would reveal who has an account."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_l("Your current password is not right."), "current_password")
    address = valid_address(new_email)
    if address == user.email:
        raise AccountError(_l("This is already your email address."), "email")
    user.pending_email = address
    audit.record(user, "user.email_change_requested", user, {"pending_email": address})
    subject, text, html = render_email("accounts/email_change", language=user.language, recipient=user,
                                       url=confirm_link(user, address), hours=_hours(), address=address)
    enqueue(Recipient(email=address, name=user.name, user_id=user.id), subject, text, html,
            kind="account.email_change")
    notify(user, "accounts/email_change_notice", kind="account.email_change_notice", address=address,
           url=absolute_url("/password/forgot"))
    db.session.commit()
    return address
