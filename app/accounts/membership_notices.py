"""The emails about memberships, all through the outbox in the deciding transaction: the deciders
hear of a new request, the person hears of every decision made about them."""

from __future__ import annotations

from app.accounts import membership_queries as queries
from app.accounts.models import Membership
from app.notifications.services import notify
from app.urls import absolute


def _requests_url(organisation_id: int) -> str:
    return absolute("membership.requests", "/memberships", organisation=organisation_id)


def _profile_url() -> str:
    return absolute("accounts.profile", "/profile")


def announce(membership: Membership) -> None:
    """Tell the organisation's admins (or, when it has none, the network admins) of a new request."""
    for decider in queries.deciders(membership.organisation_id):
        if decider.id == membership.user_id:
            continue
        notify(decider, "accounts/membership_requested", kind="membership_requested",
               dedupe_key=f"membership-requested-{membership.id}-{decider.id}",
               membership=membership, person=membership.user, organisation=membership.organisation,
               url=_requests_url(membership.organisation_id))


def decided(membership: Membership, actor) -> None:
    """Approved or rejected (with the reason): the person is told."""
    notify(membership.user, "accounts/membership_decided", kind="membership_decided",
           membership=membership, organisation=membership.organisation, actor=actor, url=_profile_url())


def granted(membership: Membership) -> None:
    """Granted because the person's confirmed email is on the organisation's domain list."""
    notify(membership.user, "accounts/membership_granted", kind="membership_granted",
           membership=membership, organisation=membership.organisation, url=_profile_url())


def ended(membership: Membership, actor) -> None:
    """Somebody else ended the person's membership."""
    notify(membership.user, "accounts/membership_ended", kind="membership_ended",
           membership=membership, organisation=membership.organisation, actor=actor, url=_profile_url())


def admin_changed(membership: Membership, actor) -> None:
    notify(membership.user, "accounts/membership_admin", kind="membership_admin",
           membership=membership, organisation=membership.organisation, actor=actor,
           url=_requests_url(membership.organisation_id))


def lapsed(membership: Membership) -> None:
    """A domain-granted membership ended with the address that granted it."""
    notify(membership.user, "accounts/membership_lapsed", kind="membership_lapsed",
           membership=membership, organisation=membership.organisation, url=_profile_url())
