"""Demo memberships, one of each state: every demo person an approved member of their organisation
(so organisation-based TLP access shows), organisation admins of a few organisations (one is the
"Organisation admin" demo login), an organisation with an email domain and people matched by it,
and a pending and a rejected request waiting on the organisation admin's page. Idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Membership, MembershipStatus, Role, User
from app.directory.models import Organisation, OrganisationDomain
from app.extensions import db

ORGANISATION_ADMIN = "orgadmin@liaison.example"
# (organisation short name, its admins' emails)
ORGANISATION_ADMINS = [
    ("NPU", [ORGANISATION_ADMIN]),
    ("IGP", ["ion.rusu@politia.example.md"]),
    ("GBP", ["giorgi.kapanadze@bpg.example.ge"]),
]
# (organisation short name, email domain): people with a confirmed address there are members by it.
DOMAINS = [("NPU", "npu.example.gov.ua")]
# (email, name, organisation short name, status, reason): people without an organisation yet.
REQUESTS = [
    ("vasyl.moroz@mail.example", "Vasyl Moroz", "NPU", MembershipStatus.PENDING, None),
    ("petro.ivanenko@mail.example", "Petro Ivanenko", "NPU", MembershipStatus.REJECTED,
     "We could not find you among the staff of the National Police; ask your head of unit to write to us."),
]


def load_memberships(organisations: dict[str, Organisation], users: dict[str, User], today: datetime,
                     password_hash: str) -> int:
    """Add what is missing; returns how many memberships were added."""
    domains = _domains(organisations)
    admins = {email for _, emails in ORGANISATION_ADMINS for email in emails}
    existing = {m.user_id for m in db.session.scalars(select(Membership))}
    added = 0
    for user in users.values():
        if user.organisation_id is None or user.id in existing:
            continue
        domain = user.email.rpartition("@")[2]
        via = "domain" if domains.get(domain) == user.organisation_id else "admin"
        db.session.add(Membership(
            user_id=user.id, organisation_id=user.organisation_id, status=MembershipStatus.APPROVED,
            is_admin=user.email in admins, via=via, requested_at=today - timedelta(days=60),
            decided_at=today - timedelta(days=59)))
        added += 1
    return added + _requests(organisations, users, today, password_hash, existing)


def _domains(organisations: dict[str, Organisation]) -> dict[str, int]:
    known = {d.domain: d.organisation_id for d in db.session.scalars(select(OrganisationDomain))}
    for short, domain in DOMAINS:
        if domain not in known:
            db.session.add(OrganisationDomain(organisation_id=organisations[short].id, domain=domain))
            known[domain] = organisations[short].id
    return known


def _requests(organisations, users, today: datetime, password_hash: str, existing: set[int]) -> int:
    decider = users[ORGANISATION_ADMIN]
    added = 0
    for email, name, short, status, reason in REQUESTS:
        user = users.get(email)
        if user is None:
            user = User(email=email, name=name, role=Role.MEMBER, country=organisations[short].country,
                        timezone="Europe/Kyiv", language="uk", password_hash=password_hash,
                        email_confirmed_at=today - timedelta(days=3))
            db.session.add(user)
            db.session.flush()
            users[email] = user
        if user.id in existing:
            continue
        decided = status != MembershipStatus.PENDING
        db.session.add(Membership(
            user_id=user.id, organisation_id=organisations[short].id, status=status, via="request",
            requested_at=today - timedelta(days=2), reason=reason,
            decided_at=today - timedelta(days=1) if decided else None, decided_by_id=decider.id if decided else None))
        added += 1
    return added
