"""Signed, expiring links sent by email (confirm an address, reset a password).

itsdangerous signs them with SECRET_KEY and a salt per purpose; the timestamp comes from
app.timeutil.now, so tests move the clock instead of sleeping."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from app.timeutil import now

CONFIRM_EMAIL = "accounts.confirm-email"
RESET_PASSWORD = "accounts.reset-password"
MAX_TOKEN_LENGTH = 1000


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose, signer=_ClockSigner)


def make(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str | None, max_age_hours: int) -> tuple[dict | None, str | None]:
    """(payload, None) for a good link; (None, "expired") or (None, "invalid") otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None, "invalid"
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age_hours * 3600)
    except SignatureExpired:
        return None, "expired"
    except (BadData, ValueError, TypeError):
        return None, "invalid"
    return (payload, None) if isinstance(payload, dict) else (None, "invalid")


def password_state(user) -> str:
    """A fingerprint of the account's current password and session version: a reset link carries it,
    so the link stops working once it was used or the password changed in any other way."""
    material = f"{user.password_hash or ''}|{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:24]
