"""What the membership pages, the nav and the notices read: who decides an organisation's requests,
which organisations a person administers, the requests and members of an organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Membership, MembershipStatus, User
from app.directory.models import Organisation
from app.extensions import db
from app.roles import Role, is_signed_in

PENDING, APPROVED = MembershipStatus.PENDING, MembershipStatus.APPROVED
LIST_LIMIT = 200  # a page shows at most this many rows of each list (the oldest requests first)


def _active_people():
    return (User.is_active_account.is_(True), User.deleted_at.is_(None))


def deciders(organisation_id: int) -> list[User]:
    """Who decides the organisation's requests: its admins, or the network admins when it has none."""
    admins = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id, Membership.status == APPROVED,
               Membership.is_admin.is_(True), User.email_confirmed_at.is_not(None), *_active_people())
        .order_by(User.id)))
    if admins:
        return admins
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN, *_active_people()).order_by(User.id)))


def administered_organisation_ids(user) -> list[int]:
    if not is_signed_in(user) or not getattr(user, "is_confirmed", False):
        return []
    return list(db.session.scalars(
        select(Membership.organisation_id).where(Membership.user_id == user.id, Membership.status == APPROVED,
                                                 Membership.is_admin.is_(True))))


def administers_any(user) -> bool:
    """For the nav: a network admin, or an organisation admin (read with the signed-in user's row:
    User.administers_organisation)."""
    if not is_signed_in(user):
        return False
    return user.role == Role.ADMIN or (getattr(user, "is_confirmed", False) and bool(user.administers_organisation))


@dataclass
class RequestsPage:
    organisations: list[Organisation]  # the ones the viewer decides for (to filter by)
    chosen: Organisation | None
    pending: list[Membership] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)
    decided: list[Membership] = field(default_factory=list)  # recently rejected or ended


def _with_people(query):
    return query.options(joinedload(Membership.user), joinedload(Membership.organisation)).limit(LIST_LIMIT)


def requests_page(viewer, organisation_id: int | None) -> RequestsPage:
    """The pending requests of the organisations the viewer decides for (a network admin: all, or
    one), and, for one chosen organisation, its members and its recent decisions."""
    is_admin = viewer.role == Role.ADMIN
    ids = None if is_admin else administered_organisation_ids(viewer)
    query = select(Organisation).order_by(Organisation.name)
    organisations = list(db.session.scalars(query if ids is None else query.where(Organisation.id.in_(ids))))
    allowed = {o.id: o for o in organisations}
    chosen = allowed.get(organisation_id) if organisation_id else (organisations[0] if len(organisations) == 1 else None)
    scope = [chosen.id] if chosen else (None if is_admin else list(allowed))
    pending = select(Membership).where(Membership.status == PENDING).order_by(Membership.requested_at, Membership.id)
    if scope is not None:
        pending = pending.where(Membership.organisation_id.in_(scope))
    page = RequestsPage(organisations, chosen, list(db.session.scalars(_with_people(pending))))
    if chosen is not None:
        members = select(Membership).join(User, User.id == Membership.user_id).where(
            Membership.organisation_id == chosen.id, Membership.status == APPROVED).order_by(User.name)
        page.members = list(db.session.scalars(_with_people(members)))
        decided = select(Membership).where(
            Membership.organisation_id == chosen.id,
            Membership.status.in_((MembershipStatus.REJECTED, MembershipStatus.ENDED)),
        ).order_by(Membership.decided_at.desc(), Membership.id.desc())
        page.decided = list(db.session.scalars(_with_people(decided).limit(20)))
    return page


@dataclass
class MyMembership:
    current: Membership | None
    pending: Membership | None
    last_rejected: Membership | None


def my_membership(user) -> MyMembership:
    """The profile's view: the approved membership, the pending request and the last rejection."""
    rows = list(db.session.scalars(
        select(Membership).options(joinedload(Membership.organisation))
        .where(Membership.user_id == user.id, Membership.status != MembershipStatus.ENDED)
        .order_by(Membership.id.desc()).limit(20)))
    first = {status: next((m for m in rows if m.status == status), None) for status in MembershipStatus}
    rejected, pending, current = first[MembershipStatus.REJECTED], first[PENDING], first[APPROVED]
    if rejected is not None and any(m is not None and m.id > rejected.id for m in (pending, current)):
        rejected = None  # asked again since: the old answer is history
    return MyMembership(current, pending, rejected)
