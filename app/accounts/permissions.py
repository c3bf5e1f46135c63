"""Who may see and do what. Views and queries ask here instead of checking roles themselves."""

from __future__ import annotations

from app.roles import Role, has_role, is_signed_in

__all__ = ["is_signed_in", "has_role", "can_create_events", "can_manage_users", "is_event_organiser"]


def can_create_events(user) -> bool:
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)


def can_manage_users(user) -> bool:
    return has_role(user)  # admins only


def is_event_organiser(user, event) -> bool:
    """The event's creator, its co-organisers, coordinators and admins manage an event."""
    if not is_signed_in(user):
        return False
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if event.created_by_id == user.id:
        return True
    return any(organiser.id == user.id for organiser in event.organisers)
