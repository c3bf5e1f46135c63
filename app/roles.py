"""The global roles and the two questions every permission starts from (signed in? which role?).

Infrastructure: any package may ask here; it imports no capability package, so the directory (below
accounts) can guard its pages without importing accounts."""

from __future__ import annotations

from dataclasses import dataclass

from flask.globals import _cv_app, _cv_request
from flask_babel import lazy_gettext as _l
from flask_login import current_user as _current_user
from werkzeug.local import LocalProxy

from app.db import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ORGANISER = "organiser"
    MEMBER = "member"

    __labels__ = {"admin": _l("Admin"), "coordinator": _l("Coordinator"), "organiser": _l("Organiser"),
                  "member": _l("Member")}


def unproxied(user):
    """The user behind flask_login's `current_user`, or `user` itself: every attribute read through
    the proxy looks the signed-in user up again (~1 µs each; a page asks dozens)."""
    if user is _current_user:
        # flask_login's own lookup (_get_user: in a request, the user it loaded onto g), read on
        # the contexts instead of through the g and request proxies; a page asks this ~30 times.
        if _cv_request.get(None) is not None:
            found = _cv_app.get().g.__dict__.get("_login_user")
            if found is not None:
                return found
        return user._get_current_object()
    return user._get_current_object() if isinstance(user, LocalProxy) else user


def is_signed_in(user) -> bool:
    """Signed in with a confirmed email address. An unconfirmed account counts as anonymous, so
    every permission built on this treats it as a visitor (AnonymousUserMixin has neither)."""
    user = unproxied(user)
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_confirmed", False)
    )


@dataclass(frozen=True)
class BoundUser:
    """A stand-in for every user of one shape (signed in or not, role, with an organisation or not)
    whose id and organisation are bound parameters: an access rule applied to it (events.access,
    lessons.visibility) builds its statement once per shape, executed with the real user's values,
    so the rule keeps its one home and is not rebuilt on every request. It answers only what the
    rules branch on; a rule that starts reading another attribute of the user fails here loudly."""

    is_authenticated: bool
    role: Role | None
    id: object  # a bindparam
    organisation_id: object = None  # a bindparam, or None for "no organisation"

    @property
    def is_confirmed(self) -> bool:
        return self.is_authenticated


def has_role(user, *roles: Role) -> bool:
    """Admins have every role."""
    user = unproxied(user)
    return is_signed_in(user) and (user.role == Role.ADMIN or user.role in roles)
