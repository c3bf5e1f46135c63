"""What the account pages read."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from app.accounts.models import Role, User
from app.countries import country_name
from app.directory.models import Organisation
from app.extensions import db


def user_query(q: str = "", role: str = "") -> Select:
    """The admin's list of accounts, searched by name or email and filtered by role."""
    query = select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    return query


PEOPLE_SEARCH_LIMIT = 20


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _person_label(name: str, organisation: str | None, country: str | None) -> str:
    details = ", ".join(part for part in (organisation, country_name(country) if country else None) if part)
    return f"{name} — {details}" if details else name


def people_search(q: str, limit: int = PEOPLE_SEARCH_LIMIT) -> list[dict]:
    """Active, confirmed accounts whose name or organisation contains `q` (case-insensitive), at most
    `limit` (capped at PEOPLE_SEARCH_LIMIT), in one statement. No email: the pickers that call it
    show name, organisation and country, which is what organisers need to tell people apart."""
    q = " ".join((q or "").split())[:100].lower()
    if not q:
        return []
    limit = max(1, min(int(limit), PEOPLE_SEARCH_LIMIT))
    like = f"%{_like_escape(q)}%"
    rows = db.session.execute(
        select(User.id, User.name, User.country, Organisation.name.label("organisation"))
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.is_active_account.is_(True), User.email_confirmed_at.is_not(None), User.deleted_at.is_(None))
        .where(or_(func.lower(User.name).like(like, escape="\\"), func.lower(Organisation.name).like(like, escape="\\")))
        .order_by(User.name, User.id)
        .limit(limit)
    )
    return [
        {"id": row.id, "name": row.name, "organisation": row.organisation, "country": row.country,
         "label": _person_label(row.name, row.organisation, row.country)}
        for row in rows
    ]


def people_labels(ids) -> dict[int, str]:
    """{id: label} of the active accounts among `ids`, in one statement: what a people picker shows
    for the people already chosen and accepts when its form comes back."""
    ids = {int(i) for i in ids or () if i and 0 < int(i) < 2**31}  # a forged huge id is simply unknown
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.name, User.country, Organisation.name.label("organisation"))
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(ids), User.is_active_account.is_(True), User.deleted_at.is_(None))
        .order_by(User.name, User.id)
    )
    return {row.id: _person_label(row.name, row.organisation, row.country) for row in rows}
