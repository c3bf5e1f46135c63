"""Who may see and change facilities. Everyone sees the active ones; the contact (name, email, phone)
only signed-in confirmed members; the hosting organisation's contact persons (an approved membership
with is_admin) maintain its facilities; coordinators and admins curate all of them."""

from __future__ import annotations

from app.accounts.membership import is_organisation_admin
from app.accounts.membership_queries import administered_organisation_ids
from app.roles import Role, has_role, is_signed_in


def may_see_contact(user) -> bool:
    return is_signed_in(user)


def may_curate(user) -> bool:
    """Edit and archive every facility, for any organisation: coordinators and admins."""
    return has_role(user, Role.COORDINATOR)


def may_add(user) -> bool:
    return may_curate(user) or bool(administered_organisation_ids(user))


def may_edit(user, facility) -> bool:
    if may_curate(user):
        return True
    return is_organisation_admin(user, facility.organisation_id)


def may_view(user, facility) -> bool:
    """An archived facility is seen only by those who may edit it (to restore it)."""
    return facility.is_active or may_edit(user, facility)
