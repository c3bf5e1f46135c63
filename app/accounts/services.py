"""Account rules: create users, authenticate, change profile, email and password."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts import membership
from app.accounts.confirmation import request_email_change, send_confirmation
from app.accounts.emails import lookup_form, valid_address
from app.accounts.errors import AccountError
from app.accounts.models import Role, User, new_token
from app.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.errors import rolls_back_on
from app.extensions import db
from app.notifications.services import notify
from app.timeutil import is_valid_timezone, now
from app.urls import absolute_url

UNCHANGED = object()


@dataclass
class NewUser:
    email: str
    name: str
    password: str | None
    role: Role = Role.MEMBER
    # The organisation whose membership the person REQUESTS (its admins decide): never set directly.
    organisation_id: int | None = None
    country: str | None = None
    position: str | None = None
    timezone: str = "Europe/Brussels"


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == lookup_form(email)))


def create_user(data: NewUser, *, actor: User | None = None, check_password: bool = True) -> User:
    """Add an unconfirmed user to the session (the caller commits; confirmation.mark_confirmed
    confirms an address proven otherwise)."""
    email = valid_address(data.email)
    if find_by_email(email) is not None:
        raise AccountError(_l("An account with this email address exists already."), "email")
    if data.password is not None and check_password:
        problem = password_problem(data.password, email=email, name=data.name)
        if problem:
            raise AccountError(problem, "password")
    if not is_valid_timezone(data.timezone):
        raise AccountError(_l("Unknown time zone."), "timezone")
    user = User(
        email=email,
        name=" ".join(data.name.split()),  # one line: a name travels into mail headers
        password_hash=hash_password(data.password) if data.password else None,
        role=data.role,
        country=data.country or None,
        position=data.position,
        timezone=data.timezone,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor or user, "user.create", user, {"email": email, "role": data.role.value})
    if data.organisation_id:
        try:
            membership.add_request(user, data.organisation_id, actor=actor or user)
        except membership.MembershipError as error:
            raise AccountError(str(error), error.field) from error
    return user


@rolls_back_on(AccountError)
def sign_up(data: NewUser) -> User | None:
    """A new member's own account, unconfirmed, with the link that confirms it on its way. Committed.

    An address that has an account already gets a notice instead ("someone tried to sign up with
    your address"), and the caller answers exactly as for a new account: the page must not tell
    who has an account. The password is hashed either way, so the two take about as long. Returns
    the new user, or None when the address was taken."""
    email = valid_address(data.email)
    existing = find_by_email(email)
    if existing is None:
        try:
            user = create_user(data)
            send_confirmation(user)
            db.session.commit()
            return user
        except IntegrityError:  # the same address signed up a moment ago, in another request
            db.session.rollback()
            existing = find_by_email(email)
    if existing is None:
        raise AccountError(_l("Please try again."), "email")
    if data.password:
        hash_password(data.password)  # the work a new account costs
    notify(existing, "accounts/signup_exists", kind="account.signup_exists",
           login_url=absolute_url("/login"), reset_url=absolute_url("/password/forgot"))
    db.session.commit()
    return None


def admin_update(actor: User, user: User, *, email: str, role: Role, is_active_account: bool,
                 organisation_id=UNCHANGED, **fields) -> None:
    """An admin edits an account. A changed role or deactivation signs the user out everywhere. The
    organisation (when given) is a membership granted or ended through app.accounts.membership."""
    email = valid_address(email)
    other = find_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(_l("Another account uses this email address."), "email")
    if user.id == actor.id and (role != Role.ADMIN or not is_active_account):
        raise AccountError(_l("You cannot remove your own admin role or deactivate yourself."), "role")
    try:
        if organisation_id is not UNCHANGED:
            membership.admin_set_organisation(actor, user, organisation_id)
    except membership.MembershipError as error:
        raise AccountError(str(error), error.field) from error
    fields = {"email": email, "role": role, "is_active_account": is_active_account, **fields}
    changes = {k: [str(v[0]), str(v[1])] for k, v in audit.diff(user, fields).items()}
    for name, value in fields.items():
        setattr(user, name, value)
    if changes.get("is_active_account") or changes.get("role"):
        user.session_version += 1
    audit.record(actor, "user.admin_edit", user, changes)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time for unknown emails."""
    user = find_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH.get(), password)  # equalise timing
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = now()
    db.session.commit()
    return user


class _DummyHash:
    value: str | None = None

    def get(self) -> str:
        if self.value is None:
            self.value = hash_password("not-a-real-password-just-timing")
        return self.value


_DUMMY_HASH = _DummyHash()


def update_profile(user: User, **fields) -> None:
    if "organisation_id" in fields:  # a membership, granted by the organisation (app.accounts.membership)
        raise AccountError(_l("Your organisation is a membership: request it from your profile."), "organisation_id")
    if "timezone" in fields and not is_valid_timezone(fields["timezone"]):
        raise AccountError(_l("Unknown time zone."), "timezone")
    changes = audit.diff(user, fields)
    for name, value in fields.items():
        setattr(user, name, value)
    if changes:
        audit.record(user, "user.profile", user, changes)
    db.session.commit()


def change_email(user: User, new_email: str, current_password: str) -> str:
    """Ask to change the address: it changes when the link sent to the new one is followed
    (app.accounts.confirmation). Returns the pending address."""
    return request_email_change(user, new_email, current_password)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_l("Your current password is not right."), "current_password")
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # signs out every other session
    audit.record(user, "user.password", user, {})
    db.session.commit()


def regenerate_calendar_token(user: User) -> str:
    user.calendar_token = new_token()
    audit.record(user, "user.calendar_token", user, {})
    db.session.commit()
    return user.calendar_token
