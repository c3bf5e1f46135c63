"""Personal access tokens for the JSON API: make one (its secret shown once, only its SHA-256 kept),
list, revoke, and find the token a request's bearer secret stands for.

A token acts as its owner with the owner's permissions at the moment of each request: nothing about
the owner's role, memberships or appointments is copied into it. An owner whose account is
deactivated, deleted or not confirmed makes every token of theirs answer as no token (401)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.errors import AccountError
from app.accounts.models import ApiToken, User
from app.db import begin_write
from app.extensions import db
from app.pagination import Page, paginate
from app.timeutil import now

CAPABILITIES = ("events", "registrations", "lessons", "reports")
ACCESS = ("read", "write")
# "events:read", "events:write", ... ; a write scope includes the read scope of the same capability.
SCOPES = tuple(f"{capability}:{access}" for capability in CAPABILITIES for access in ACCESS)
SECRET_PREFIX = "lsn_"
MAX_TOKENS_PER_PERSON = 20
# Last use is written at most this often per token: a read stays a read.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def grants(token: ApiToken, scope: str) -> bool:
    """Does the token carry `scope` ("lessons:read")? A write scope includes the read scope."""
    capability, _, access = scope.partition(":")
    held = set(token.scope_list)
    return scope in held or (access == "read" and f"{capability}:write" in held)


def create_token(owner: User, name: str, scopes) -> tuple[ApiToken, str]:
    """Make a token for `owner`; returns it and its secret (shown once, never stored). Commits."""
    name = (name or "").strip()
    if not name:
        raise AccountError(_l("Give the token a name, so you can tell it apart later."), "name")
    if len(name) > 100:
        raise AccountError(_l("Keep the name under 100 characters."), "name")
    chosen = sorted({scope for scope in scopes or () if scope in SCOPES})
    if not chosen:
        raise AccountError(_l("Choose at least one scope."), "scopes")
    if len(tokens_of(owner)) >= MAX_TOKENS_PER_PERSON:
        raise AccountError(_l("You have too many tokens: revoke one you no longer use first."), "name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner.id, name=name, secret_hash=hash_secret(secret), hint=secret[:10],
                     scopes=" ".join(chosen), created_at=now())
    db.session.add(token)
    db.session.flush()
    audit.record(owner, "api_token.create", token, {"name": name, "scopes": chosen})
    db.session.commit()
    return token, secret


def revoke(token: ApiToken, actor: User) -> None:
    """Revoke the token (its owner, or an admin). Commits; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = now(), actor.id
        audit.record(actor, "api_token.revoke", token, {"owner_id": token.user_id, "name": token.name})
        db.session.commit()


def tokens_of(owner: User) -> list[ApiToken]:
    """The owner's live tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def own_token(owner: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == owner.id else None


def live_token(token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.revoked_at is None else None


def all_live_tokens(page_value, per_page: int) -> Page:
    """Every live token, with its owner, for the admins' page (newest first)."""
    query = (select(ApiToken).where(ApiToken.revoked_at.is_(None)).options(joinedload(ApiToken.user))
             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return paginate(query, page_value, per_page)


def owner_may_act(user: User | None) -> bool:
    """The owner's account still stands: active, not deleted, its email confirmed."""
    return bool(user is not None and user.is_active_account and user.deleted_at is None and user.is_confirmed)


def authenticate(secret: str) -> ApiToken | None:
    """The live token this secret stands for, with its owner loaded fresh, or None. Records the
    use (at most once a minute; commits then)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not owner_may_act(token.user):
        return None
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USE_RESOLUTION:
        # Its own short write, queued behind other writers (SQLite: BEGIN IMMEDIATE; a read that
        # turned into a write would fail at once when another request wrote meanwhile).
        begin_write(db.session)
        token.last_used_at = moment
        db.session.commit()
    return token


def revoke_all_of(user_id: int, at) -> None:
    """Revoke every live token of the person (their account is being deleted). No commit."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=at).execution_options(synchronize_session=False))


def tokens_for_export(user_id: int) -> list[dict]:
    """The person's tokens as their data export lists them (never a secret, nor its hash)."""
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    def when(value):
        return value.isoformat() if value is not None else None

    return [{"name": t.name, "scopes": " ".join(t.scope_list), "created_at": when(t.created_at),
             "last_used_at": when(t.last_used_at), "revoked_at": when(t.revoked_at)} for t in rows]
