"""Who may manage the directory."""

from __future__ import annotations

from app.roles import Role, has_role


def can_manage_directory(user) -> bool:
    """Organisations, projects and themes: admins and coordinators."""
    return has_role(user, Role.COORDINATOR)
