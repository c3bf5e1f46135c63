"""A person's organisation is a membership that is granted, not chosen.

A person requests membership (at sign-up, from the profile, or an organiser names it for an invited
person); the organisation's admins (its contact persons: an approved membership with is_admin) or a
network admin (Role.ADMIN) approve or reject it; a person whose verified email's domain is one of the
organisation's domains is granted it at once (via="domain"). User.organisation_id mirrors the one
approved membership, and every access rule reads that column, so it is set here and only here.

Decisions written down:
- Changing organisation: the old approved membership ENDS as soon as the person requests another
  organisation (not when the new one is approved), so a claim never keeps old access: until the new
  request is decided the person is a member of no organisation.
- Domains match exactly (app.directory.domains): "police.gov.ua" does not admit "x.police.gov.ua",
  since a subdomain may be run by someone else. A domain-granted membership lasts while the account's
  confirmed address is on the domain; confirming an address elsewhere ends it. Adding a domain later
  does not sweep existing accounts: it applies when an address is next confirmed.
- A request from an account whose email is not confirmed yet is kept but not announced to the
  deciders until the address is confirmed (no mail to organisation admins from throwaway accounts).
- Nobody decides their own request, except a network admin (who may change any account anyway).

Every change locks the person's users row first (SELECT ... FOR UPDATE; SQLite's write lock, taken at
the start of each writing request, does the same), then reads their memberships again: two decisions
about one person run one after the other, so a person never holds two approved memberships.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts import membership_notices as notices
from app.accounts.models import Membership, MembershipStatus, User
from app.accounts.signals import email_confirmed
from app.directory.domains import domain_of_email, organisation_id_for_email
from app.directory.models import Organisation
from app.errors import RuleError, rolls_back_on
from app.extensions import db
from app.roles import Role, is_signed_in
from app.timeutil import now

PENDING, APPROVED = MembershipStatus.PENDING, MembershipStatus.APPROVED
REJECTED, ENDED = MembershipStatus.REJECTED, MembershipStatus.ENDED


class MembershipError(RuleError):
    """A broken membership rule."""


# --- who decides ------------------------------------------------------------------------------

def is_network_admin(user) -> bool:
    return is_signed_in(user) and user.role == Role.ADMIN


def is_organisation_admin(user, organisation_id: int) -> bool:
    """An approved organisation admin (contact person) of the organisation."""
    if not is_signed_in(user) or not getattr(user, "is_confirmed", False):
        return False
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation_id,
        Membership.status == APPROVED, Membership.is_admin.is_(True)).limit(1)) is not None


def may_decide(actor, membership: Membership) -> bool:
    """Approve, reject or end someone's membership: a network admin, or an admin of that organisation
    deciding about somebody else (coordinators are not organisation admins by their role)."""
    if is_network_admin(actor):
        return True
    return actor.id != membership.user_id and is_organisation_admin(actor, membership.organisation_id)


def may_end(actor, membership: Membership) -> bool:
    """The member (leaving, or withdrawing a request), or whoever may decide."""
    return is_signed_in(actor) and (actor.id == membership.user_id or may_decide(actor, membership))


# --- the steps (in the caller's transaction) --------------------------------------------------

def _lock(user_id: int) -> None:
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _open_memberships(user_id: int) -> list[Membership]:
    """The person's pending and approved memberships, read afresh (after _lock)."""
    return list(db.session.scalars(
        select(Membership).where(Membership.user_id == user_id, Membership.status.in_((PENDING, APPROVED)))
        .order_by(Membership.id).execution_options(populate_existing=True)))


def _reread(membership: Membership) -> Membership:
    _lock(membership.user_id)
    db.session.refresh(membership)
    return membership


def _close(membership: Membership, status: MembershipStatus, actor, reason: str | None) -> None:
    was_approved = membership.status == APPROVED
    membership.status, membership.reason = status, reason
    membership.decided_at, membership.decided_by_id = now(), getattr(actor, "id", None)
    membership.is_admin = False
    user = membership.user
    if was_approved and user.organisation_id == membership.organisation_id:
        user.organisation_id = None
    action = "membership.end" if was_approved else f"membership.{'reject' if status == REJECTED else 'withdraw'}"
    audit.record(actor, action, membership, {"user_id": user.id, "organisation_id": membership.organisation_id,
                                             "reason": reason}, summary=membership.organisation.name)


def _approve(membership: Membership, actor, via: str | None = None) -> None:
    organisation = membership.organisation
    for other in _open_memberships(membership.user_id):
        if other.id != membership.id and other.status == APPROVED:
            _close(other, ENDED, actor, f"Became a member of {organisation.name}")
    membership.status, membership.reason = APPROVED, None
    membership.decided_at, membership.decided_by_id = now(), getattr(actor, "id", None)
    membership.via = via or membership.via
    membership.user.organisation_id = membership.organisation_id
    audit.record(actor, "membership.approve", membership,
                 {"user_id": membership.user_id, "organisation_id": organisation.id, "via": membership.via},
                 summary=organisation.name)


def add_request(user: User, organisation_id: int | None, *, actor) -> Membership:
    """Record `user`'s request to join the organisation (the caller commits). Ends any other pending
    request and any approved membership of another organisation (see the module's notes)."""
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise MembershipError(_l("Choose an organisation from the list."), "organisation_id")
    _lock(user.id)
    open_ones = _open_memberships(user.id)
    for existing in open_ones:
        if existing.organisation_id == organisation.id:
            if existing.status == APPROVED:
                raise MembershipError(_l("You are a member of %(organisation)s already.", organisation=organisation.name),
                                      "organisation_id")
            return existing  # asked already
    for existing in open_ones:
        _close(existing, ENDED, actor, f"Requested membership of {organisation.name}")
    membership = Membership(user=user, organisation=organisation, status=PENDING, via="request",
                            requested_at=now())
    db.session.add(membership)
    db.session.flush()
    audit.record(actor, "membership.request", membership, {"user_id": user.id, "organisation_id": organisation.id},
                 summary=organisation.name)
    if user.is_confirmed and organisation_id_for_email(user.email) == organisation.id:
        _approve(membership, None, via="domain")
        notices.granted(membership)
    elif user.is_confirmed:
        notices.announce(membership)
    return membership


def grant_by_domain(user: User) -> Membership | None:
    """When `user`'s confirmed email is on an organisation's domain list: the membership, approved
    (their pending request for that organisation, or a new one). A pending request for another
    organisation stays pending. None when nothing changed. The caller commits."""
    if not user.is_confirmed:
        return None
    organisation_id = organisation_id_for_email(user.email)
    if organisation_id is None:
        return None
    _lock(user.id)
    open_ones = _open_memberships(user.id)
    if any(m.organisation_id == organisation_id and m.status == APPROVED for m in open_ones):
        return None
    membership = _open_or_new(user, organisation_id, open_ones)
    _approve(membership, None, via="domain")
    audit.record(None, "membership.grant", membership, {"user_id": user.id, "domain": domain_of_email(user.email)},
                 summary=membership.organisation.name)
    notices.granted(membership)
    return membership


def end_lapsed_domain_membership(user: User) -> None:
    """A membership granted by an email domain lasts while the person's address is on it: after a
    change to another address, it ends (the person may ask again). The caller commits."""
    _lock(user.id)
    for existing in _open_memberships(user.id):
        if (existing.status == APPROVED and existing.via == "domain"
                and organisation_id_for_email(user.email) != existing.organisation_id):
            _close(existing, ENDED, None, "The email address on the organisation's domain is no longer this account's")
            notices.lapsed(existing)


def _open_or_new(user: User, organisation_id: int, open_ones: list[Membership]) -> Membership:
    """The person's open membership of the organisation, or a new request for it (flushed)."""
    membership = next((m for m in open_ones if m.organisation_id == organisation_id), None)
    if membership is None:
        membership = Membership(user=user, organisation_id=organisation_id, status=PENDING, requested_at=now())
        db.session.add(membership)
        db.session.flush()
    return membership


@email_confirmed.connect
def _on_email_confirmed(user, **_kwargs) -> None:
    """A confirmed address: a membership granted by the old address's domain ends; one is granted by
    the new address's domain, or else the person's pending request is announced to its deciders now
    (it was kept quiet while the address was unconfirmed)."""
    end_lapsed_domain_membership(user)
    if grant_by_domain(user) is None:
        for membership in _open_memberships(user.id):
            if membership.status == PENDING:
                notices.announce(membership)


def admin_set_organisation(actor, user: User, organisation_id: int | None) -> None:
    """A network admin sets a person's organisation from the user form: an approved membership
    (via="admin"), or the current one ended. The caller commits."""
    if (organisation_id or None) == user.organisation_id:
        return
    if not is_network_admin(actor):
        raise MembershipError(_l("Only a network administrator may grant a membership."), "organisation_id")
    _lock(user.id)
    open_ones = _open_memberships(user.id)
    if not organisation_id:
        for existing in open_ones:
            if existing.status == APPROVED:
                _close(existing, ENDED, actor, "Removed by an administrator")
                notices.ended(existing, actor)
        return
    if db.session.get(Organisation, organisation_id) is None:
        raise MembershipError(_l("Choose an organisation from the list."), "organisation_id")
    membership = _open_or_new(user, organisation_id, open_ones)
    _approve(membership, actor, via="admin")
    notices.decided(membership, actor)


# --- the decisions (each commits) -------------------------------------------------------------

@rolls_back_on(MembershipError)
def request_membership(user: User, organisation_id: int | None, *, actor) -> Membership:
    if not is_signed_in(actor) or (actor.id != user.id and not is_network_admin(actor)):
        raise MembershipError(_l("You may request a membership only for yourself."), "organisation_id")
    membership = add_request(user, organisation_id, actor=actor)
    db.session.commit()
    return membership


def _decidable(membership: Membership, actor) -> Membership:
    if not may_decide(actor, membership):
        raise MembershipError(_l("Only the organisation's admins or a network administrator decide this request."))
    _reread(membership)
    if membership.status != PENDING:
        raise MembershipError(_l("This request was decided or withdrawn already."))
    return membership


@rolls_back_on(MembershipError)
def approve(membership: Membership, actor) -> None:
    _approve(_decidable(membership, actor), actor)
    notices.decided(membership, actor)
    db.session.commit()


@rolls_back_on(MembershipError)
def reject(membership: Membership, actor, reason: str | None) -> None:
    reason = (reason or "").strip()[:500]
    if not reason:
        raise MembershipError(_l("Say why, so that the person knows what to do."), "reason")
    _close(_decidable(membership, actor), REJECTED, actor, reason)
    notices.decided(membership, actor)
    db.session.commit()


@rolls_back_on(MembershipError)
def end(membership: Membership, actor, reason: str | None = None) -> None:
    """The member leaves (or withdraws their request), or a decider removes them."""
    if not may_end(actor, membership):
        raise MembershipError(_l("Only the member, the organisation's admins or a network administrator may end this."))
    _reread(membership)
    if membership.status not in (PENDING, APPROVED):
        raise MembershipError(_l("This membership has ended already."))
    default = "Left the organisation" if actor.id == membership.user_id else "Removed from the organisation"
    _close(membership, ENDED, actor, (reason or "").strip()[:500] or default)
    if actor.id != membership.user_id:
        notices.ended(membership, actor)
    db.session.commit()


@rolls_back_on(MembershipError)
def set_admin(membership: Membership, actor, is_admin: bool) -> None:
    """A network admin appoints (or removes) an organisation admin: the person is told."""
    if not is_network_admin(actor):
        raise MembershipError(_l("Only a network administrator appoints an organisation's admins."))
    _reread(membership)
    if membership.status != APPROVED:
        raise MembershipError(_l("Only an approved member can be an organisation admin."))
    if membership.is_admin == is_admin:
        return
    audit.record(actor, "membership.admin", membership,
                 {"user_id": membership.user_id, "is_admin": [membership.is_admin, is_admin]},
                 summary=membership.organisation.name)
    membership.is_admin = is_admin
    notices.admin_changed(membership, actor)
    db.session.commit()
