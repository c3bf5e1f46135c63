"""Flask-Login wiring and the helpers every view uses to decide who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from app.accounts.models import Role, User
from app.cache import stamps
from app.extensions import db, login_manager


def _user_statement():
    """The signed-in user's row (app.cache.stamps.first_with_stamps adds the change stamps)."""
    return select(User).where(User.id == bindparam("user_id")).options(lazyload(User.organisation))


class SlidingSessionInterface(SecureCookieSessionInterface):
    """A signed-in session's cookie slides its expiry (SESSION_LIFETIME_HOURS after the last
    activity), but is re-signed and re-sent at most every SESSION_REFRESH_SECONDS instead of on
    every request: signing and sending it cost about as much as a small page."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        from app.timeutil import now

        moment = int(now().timestamp())
        if session.modified:
            if session.permanent:
                session["_slid"] = moment  # this cookie's expiry starts now
            return True
        if not session.permanent or not app.config.get("SESSION_REFRESH_EACH_REQUEST", True):
            return False
        last = session.get("_slid")
        if isinstance(last, int) and 0 <= moment - last < app.config.get("SESSION_REFRESH_SECONDS", 600):
            return False
        session["_slid"] = moment
        return True


def install_login(app: Flask) -> None:
    app.session_interface = SlidingSessionInterface()
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(identity: str) -> User | None:
        try:
            user_id, version = (int(part) for part in identity.split(":", 1))
        except (ValueError, AttributeError):
            return None
        # Every signed-in request loads its user: not its organisation (User.organisation is
        # joined by default), which few pages show; they load it when they touch it. The change
        # stamps (app.cache) come in the same round trip: most pages read them next.
        user = stamps.first_with_stamps(db.session, _user_statement, {"user_id": user_id})
        if user is None or user.session_version != version or not user.is_active:
            return None
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import flash, redirect, url_for

        from app.web import wants_json

        if wants_json() or request.method not in ("GET", "HEAD"):
            abort(401 if wants_json() else 403)
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def role_required(*roles: Role) -> Callable:
    """Allow only signed-in users with one of `roles` (admins always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
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
