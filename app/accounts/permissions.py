"""Who may see and do what. Views and queries ask here instead of checking roles themselves."""

from __future__ import annotations

from app.accounts.models import Role, User


def is_signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def has_role(user, *roles: Role) -> bool:
    return is_signed_in(user) and (user.role == Role.ADMIN or user.role in roles)


def can_manage_directory(user) -> bool:
    """Organisations, projects and themes: admins and coordinators."""
    return has_role(user, Role.COORDINATOR)


def can_create_events(user) -> bool:
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)


def can_manage_users(user) -> bool:
    return has_role(user)  # admins only


def can_see_across_network(user) -> bool:
    """Coordinators (and admins) see every event, participant list and report."""
    return has_role(user, Role.COORDINATOR)


def is_event_organiser(user, event) -> bool:
    """The event's creator, its co-organisers, coordinators and admins manage an event."""
    if not is_signed_in(user):
        return False
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if event.created_by_id == user.id:
        return True
    return any(organiser.id == user.id for organiser in event.organisers)


def user_label(user: User | None) -> str:
    return user.name if user is not None else "someone"
