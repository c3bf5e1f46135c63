"""Password reset by email: a signed link that expires (PASSWORD_RESET_HOURS) and works once (it
carries a fingerprint of the current password, which the reset changes). Asking for one answers
the same whether or not the address has an account."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app import audit
from app.accounts import tokens
from app.accounts.confirmation import find_by_address, mark_confirmed
from app.accounts.emails import lookup_form
from app.accounts.errors import AccountError
from app.accounts.models import User
from app.accounts.passwords import hash_password, password_problem
from app.errors import rolls_back_on
from app.extensions import db
from app.notifications.services import notify
from app.urls import absolute_url


def _hours() -> int:
    return int(current_app.config["PASSWORD_RESET_HOURS"])


def request_reset(value: str | None) -> None:
    """Queue a reset link when an active account has this address; nothing otherwise."""
    user = find_by_address(lookup_form(value))
    if user is None or not user.is_active_account:
        return
    token = tokens.make(tokens.RESET_PASSWORD, {"user": user.id, "state": tokens.password_state(user)})
    notify(user, "accounts/password_reset", kind="account.password_reset",
           url=absolute_url(f"/password/reset/{token}"), hours=_hours())
    db.session.commit()


def user_for_token(token: str | None) -> tuple[User | None, str | None]:
    """(the account, None) for a good link, else (None, why it cannot be used)."""
    payload, problem = tokens.read(tokens.RESET_PASSWORD, token, _hours())
    if problem == "expired":
        return None, _l("This reset link has expired. Ask for a new one.")
    user = db.session.get(User, payload.get("user")) if payload and isinstance(payload.get("user"), int) else None
    if user is None or not user.is_active_account or payload.get("state") != tokens.password_state(user):
        return None, _l("This reset link is not valid any more: it was used already, or the password changed since. "
                    "Ask for a new one.")
    return user, None


@rolls_back_on(AccountError)
def reset_password(token: str | None, new_password: str) -> User:
    """Set a new password from a reset link: every session is signed out, the link stops working,
    and the address counts as confirmed (the link reached it). Commits."""
    user, problem = user_for_token(token)
    if user is None:
        raise AccountError(problem, None)
    problem = password_problem(new_password or "", email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    if not user.is_confirmed:
        mark_confirmed(user)
    audit.record(user, "user.password_reset", user, {})
    db.session.commit()
    return user
