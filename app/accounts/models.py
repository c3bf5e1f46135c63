"""Users and their global roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, exists, false
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from app.db import N_, LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from app.extensions import db
from app.i18n import LANGUAGES  # noqa: F401  (the profile's choices)
from app.roles import Role

if TYPE_CHECKING:
    from app.directory.models import Organisation




def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see normalise_email), so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.MEMBER)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    language: Mapped[str] = mapped_column(String(8), default="en")
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # Personal calendar feed: also list events the user is waitlisted for (as TENTATIVE).
    calendar_include_waitlisted: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised on password change and sign-out-everywhere; part of the session identity.
    session_version: Mapped[int] = mapped_column(default=1)
    # Set when the owner followed a signed link sent to `email`; until then the account is
    # unconfirmed and sees only what anonymous visitors see (app.roles.is_signed_in).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A requested new address, effective when its owner follows the link sent to it.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Set when the account was deleted: personal data erased, the row kept for attendance figures
    # and attribution ("a former member").
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:
        """The identity a session (and a remember-me cookie) holds: the user, the session version
        (raised to sign out every session) and, for sessions started since sign-out revokes them,
        the session's own id (app.accounts.auth.start_session)."""
        sid = self.__dict__.get("login_sid")
        return f"{self.id}:{self.session_version}:{sid}" if sid else f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def is_organiser(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR, Role.ORGANISER)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RevokedSession(db.Model):
    """A signed-in session that was signed out. Sessions live in signed cookies, so a copy of the
    cookie would still sign its holder in; the user loader refuses an identity whose session id is
    listed here, in the same statement that reads the user. Kept until no cookie carrying it can
    still be valid, then deleted (at a later sign-out)."""

    __tablename__ = "revoked_sessions"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class MembershipStatus(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ENDED = "ended"

    __labels__ = {"pending": _l("Pending"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                  "ended": _l("Ended")}


class Membership(TimestampMixin, db.Model):
    """A person's membership of an organisation: requested, then granted by the organisation's
    contact persons (organisation admins) or a network admin, or granted because the verified email's
    domain is one of the organisation's domains. User.organisation_id mirrors the one approved
    membership (app.accounts.membership keeps them in step); every rule reads that column."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.PENDING, index=True
    )
    # A contact person of the organisation: decides its membership requests.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How it was granted: "request" (decided by a person), "domain" (verified email domain), "admin".
    via: Mapped[str] = mapped_column(String(16), default="request")
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language when Liaison wrote it (SYSTEM_REASONS); a person's as written."""
        if self.reason in SYSTEM_REASONS:
            return gettext(self.reason)
        return self.reason or ""



# The reasons Liaison itself writes when it ends a membership (app.accounts.membership, app.privacy).
SYSTEM_REASONS = frozenset({
    N_("Left the organisation"), N_("Removed from the organisation"), N_("Removed by an administrator"),
    N_("The email address on the organisation's domain is no longer this account's"), N_("Account deleted"),
})


# Whether the person is an admin (contact person) of some organisation, for the nav's "Membership
# requests": deferred, and loaded in the same statement as the signed-in user's row
# (app.accounts.auth), so no page pays a query for it and no list of users computes it.
User.administers_organisation = column_property(
    exists().where(Membership.user_id == User.id, Membership.status == MembershipStatus.APPROVED,
                   Membership.is_admin.is_(True)),
    deferred=True,
)


class ApiToken(db.Model):
    """A personal access token for the JSON API (issue 21). Only the SHA-256 of its secret is kept:
    the secret is shown once, when it is made. It acts as its owner with the owner's current
    permissions, within its scopes (app.accounts.api_tokens)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown in lists so a person can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(400))  # space-separated, e.g. "events:read lessons:write"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
