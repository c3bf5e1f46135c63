"""The global roles and the two questions every permission starts from (signed in? which role?).

Infrastructure: any package may ask here; it imports no capability package, so the directory (below
accounts) can guard its pages without importing accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.db import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ORGANISER = "organiser"
    MEMBER = "member"

    __labels__ = {"admin": _l("Admin"), "coordinator": _l("Coordinator"), "organiser": _l("Organiser"),
                  "member": _l("Member")}


def is_signed_in(user) -> bool:
    """Signed in with a confirmed email address. An unconfirmed account counts as anonymous, so
    every permission built on this treats it as a visitor (AnonymousUserMixin has neither)."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_confirmed", False)
    )


def has_role(user, *roles: Role) -> bool:
    """Admins have every role."""
    return is_signed_in(user) and (user.role == Role.ADMIN or user.role in roles)
