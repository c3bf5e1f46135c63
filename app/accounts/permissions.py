"""Who may see and do what. Views and queries ask here instead of checking roles themselves."""

from __future__ import annotations

from app.roles import Role, has_role, is_signed_in, unproxied

__all__ = ["is_signed_in", "has_role", "unproxied", "can_create_events", "can_manage_users", "can_search_people"]


def can_create_events(user) -> bool:
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)


def can_manage_users(user) -> bool:
    return has_role(user)  # admins only



def can_search_people(user) -> bool:
    """Who may search every account by name (the people pickers): those who appoint co-organisers
    and speakers across events — organisers, coordinators and admins."""
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)
