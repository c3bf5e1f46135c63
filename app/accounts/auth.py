"""Flask-Login wiring and the helpers every view uses to decide who may do what."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_login.utils import _create_identifier
from itsdangerous import BadSignature
from sqlalchemy import bindparam, delete, exists, select

from app.accounts.models import RevokedSession, Role, User
from app.cache import raw, stamps
from app.extensions import db, login_manager
from app.negotiation import wants_json
from app.roles import is_signed_in
from app.timeutil import now

# Deferred columns of User that higher packages add at import time, so a fact every page view asks
# about the signed-in user comes in the same round trip as the user (app.registrations.consent:
# registrations awaiting consent). Page views (GET) only: requests that change data load the user alone.
PAGE_VIEW_COLUMNS: list = []


def _signed_in_statement(*deferred):
    """The signed-in user's row, unless this session was signed out (app.cache.stamps.first_row_with_stamps
    adds the change stamps): plain columns, made into a User by app.cache.raw.loaded."""
    return select(*raw.columns_by_attribute(User, User.administers_organisation, *deferred)).where(
        User.id == bindparam("user_id"),
        ~exists().where(RevokedSession.sid == bindparam("sid")),
    )


def _user_statement():
    return _signed_in_statement()


def _page_view_user_statement():
    return _signed_in_statement(*PAGE_VIEW_COLUMNS)


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign `user` in on this browser, under a new session id that signing out revokes."""
    user.login_sid = secrets.token_urlsafe(24)
    login_user(user, remember=remember)


def end_session() -> None:
    """Sign this browser out and revoke its session id: a copy of its session cookie, or of its
    remember-me cookie, signs nobody in any more. Revocations that no cookie can outlive any more
    are deleted at the same time, so the list stays as short as the cookies' lifetime."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    sid = user.__dict__.get("login_sid") if user is not None else None
    if sid:
        at = now()
        db.session.execute(delete(RevokedSession).where(RevokedSession.expires_at < at))
        db.session.add(RevokedSession(sid=sid, user_id=user.id, revoked_at=at, expires_at=at + _cookie_lifetime()))
        db.session.commit()
    logout_user()


def _cookie_lifetime() -> timedelta:
    """How long a cookie carrying a session id can still be accepted: the session cookie's
    lifetime after its last refresh, or the remember-me cookie's, whichever is longer."""
    def as_delta(value) -> timedelta:
        return value if isinstance(value, timedelta) else timedelta(seconds=int(value))

    remember = as_delta(current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365)))
    return max(as_delta(current_app.permanent_session_lifetime), remember)


# Cookies remembered by SlidingSessionInterface.open_session: how many (each a few hundred bytes),
# and the types of value they may hold (immutable, so a session cannot change the remembered one).
_OPENED_MAX = 2048
_PLAIN = (str, int, float, bool, type(None))


class SlidingSessionInterface(SecureCookieSessionInterface):
    """A signed-in session's cookie slides its expiry (SESSION_LIFETIME_HOURS after the last
    activity), but is re-signed and re-sent at most every SESSION_REFRESH_SECONDS instead of on
    every request: signing and sending it cost about as much as a small page."""

    def get_signing_serializer(self, app: Flask):
        """Flask builds the cookie's serializer afresh for every request (itsdangerous' set-up costs
        about as much as checking the signature): built once per secret key and fallbacks."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built = self.__dict__.get("_serializer")
        if built is None or built[0] != keys:  # (keys, serializer, cookies opened with it: open_session)
            built = self._serializer = (keys, super().get_signing_serializer(app), {})
        return built[1]

    def open_session(self, app: Flask, request):
        """Flask's open_session, remembering what a cookie held: a browser sends the same cookie on
        every request until it is re-signed (SESSION_REFRESH_SECONDS), and checking its signature and
        decoding it cost more than the rest of the session's handling. A remembered cookie is the very
        string that passed the check under these keys (a new key forgets them all); its age is
        checked again on every request, as itsdangerous does. Only cookies holding plain values
        (text, numbers, booleans) are remembered, so no request can change another's session."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        opened = self._serializer[2]
        known = opened.get(value)
        if known is not None:
            age = int(time.time()) - known[0]  # itsdangerous' clock (TimestampSigner.get_timestamp)
            return self.session_class(known[1]) if 0 <= age <= max_age else self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(item) in _PLAIN for item in data.values()):
            if len(opened) >= _OPENED_MAX:
                opened.pop(next(iter(opened)), None)
            opened[value] = (int(signed_at.timestamp()), data.copy())
        return self.session_class(data)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            if session.permanent:
                session["_slid"] = int(now().timestamp())  # this cookie's expiry starts now
            return True
        moment = self._slides_at(app, session)
        if moment is None:
            return False
        session["_slid"] = moment
        return True

    def _slides_at(self, app: Flask, session) -> int | None:
        """The moment an unchanged session's cookie is re-sent to slide its expiry: now, if its last
        sending is SESSION_REFRESH_SECONDS old (or unknown); None if it is not re-sent now."""
        moment = int(now().timestamp())
        if not session.permanent or not app.config.get("SESSION_REFRESH_EACH_REQUEST", True):
            return None
        last = session.get("_slid")
        if isinstance(last, int) and 0 <= moment - last < app.config.get("SESSION_REFRESH_SECONDS", 600):
            return None
        return moment

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's, its most frequent outcome first: a session that was read but neither changed nor due
        to slide (nearly every request) only adds "Vary: Cookie", here without the HeaderSet that Flask
        parses and writes back to add it (when the response has no Vary header yet)."""
        if session and session.accessed and not session.modified and self._slides_at(app, session) is None:
            if "Vary" in response.headers:
                response.vary.add("Cookie")
            else:
                response.headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)


# Flask-Login's session protection hashes the client's address and browser (SHA-512) on every request
# that looks at the user: the hash of each (X-Forwarded-For, address, User-Agent) met lately is kept
# (all forgotten when there are this many; headers longer than a browser's are never kept).
_IDENTIFIERS_MAX = 1024
_IDENTIFIER_HEADERS_MAX = 600  # characters
_identifiers: dict[tuple, str] = {}


def _session_identifier() -> str:
    """flask_login.utils._create_identifier, which reads exactly these three values, remembered."""
    environ = request.environ
    forwarded, agent = environ.get("HTTP_X_FORWARDED_FOR"), environ.get("HTTP_USER_AGENT")
    key = (forwarded, environ.get("REMOTE_ADDR"), agent)
    identifier = _identifiers.get(key)
    if identifier is None:
        identifier = _create_identifier()
        if len(forwarded or "") + len(agent or "") <= _IDENTIFIER_HEADERS_MAX:
            if len(_identifiers) >= _IDENTIFIERS_MAX:
                _identifiers.clear()
            _identifiers[key] = identifier
    return identifier


LOGIN_MESSAGE = _l("Please sign in to continue.")


def install_login(app: Flask) -> None:
    app.session_interface = SlidingSessionInterface()
    login_manager.login_view = "accounts.login"
    login_manager.login_message = LOGIN_MESSAGE
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager._session_identifier_generator = _session_identifier

    @login_manager.user_loader
    def _load(identity: str) -> User | None:
        # "id:version:sid" (User.get_id); "id:version" from sessions started before session ids.
        try:
            parts = identity.split(":", 2)
            user_id, version = int(parts[0]), int(parts[1])
        except (ValueError, AttributeError, IndexError):
            return None
        sid = parts[2] if len(parts) == 3 else ""
        # Every signed-in request loads its user: not its organisation (User.organisation is
        # joined by default), which few pages show; they load it when they touch it. The change
        # stamps (app.cache) come in the same round trip: most pages read them next.
        build = _page_view_user_statement if request.method in ("GET", "HEAD") else _user_statement
        values = stamps.first_row_with_stamps(db.session, build, {"user_id": user_id, "sid": sid})
        if values is None:
            return None
        user = raw.loaded(db.session(), User, values)
        if user.session_version != version or not user.is_active:
            return None
        if sid:
            user.login_sid = sid
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        if current_user.is_authenticated:  # signed in, email not confirmed yet
            if wants_json() or request.method not in ("GET", "HEAD"):
                abort(403)
            flash(_("Confirm your email address first: follow the link we sent you."), "warning")
            return redirect(url_for("identity.confirm_needed"))
        if wants_json() or request.method not in ("GET", "HEAD"):
            abort(401 if wants_json() else 403)
        flash(str(LOGIN_MESSAGE), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable) -> Callable:
    """Allow only signed-in users whose email address is confirmed (app.roles.is_signed_in): an
    unconfirmed account is sent to the "confirm your email" page (GET) or refused (403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_signed_in(current_user):
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def signed_in_required(view: Callable) -> Callable:
    """Allow any signed-in account, confirmed or not: only for the pages an unconfirmed account
    needs (profile, change email, resend the link, sign out)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: Role) -> Callable:
    """Allow only signed-in, confirmed users with one of `roles` (admins always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not is_signed_in(current_user):
                return login_manager.unauthorized()
            if current_user.role != Role.ADMIN and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only relative paths on this site: no scheme, no host, no '//' or '\\' tricks."""
    if not target or len(target) > 2000:
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)
