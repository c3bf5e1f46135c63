"""What the directory pages read: organisations, projects and themes, searched and counted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.extensions import db


def all_organisations() -> list[Organisation]:
    """Every organisation by name (the choices of an organisation field)."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def counts() -> dict[str, int]:
    return {
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "projects": db.session.scalar(select(func.count(Project.id))),
        "themes": db.session.scalar(select(func.count(Theme.id))),
    }


def organisation_query(q: str = "", type_value: str = "", country: str = ""):
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(Organisation.name).like(like) | func.lower(Organisation.short_name).like(like))
    if type_value in {t.value for t in OrganisationType}:
        query = query.where(Organisation.type == OrganisationType(type_value))
    if country and len(country) == 2:
        query = query.where(Organisation.country == country.upper())
    return query


def project_query(q: str = ""):
    query = select(Project).options(joinedload(Project.coordinator_organisation)).order_by(Project.acronym)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            func.lower(Project.acronym).like(like)
            | func.lower(Project.title).like(like)
            | func.lower(func.coalesce(Project.programme, "")).like(like)
        )
    return query


def theme_query(q: str = "", cycle: str = ""):
    query = select(Theme).order_by(Theme.empact_cycle.is_(None), Theme.empact_cycle.desc(), Theme.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(Theme.name).like(like))
    if cycle == "none":
        query = query.where(Theme.empact_cycle.is_(None))
    elif cycle:
        query = query.where(Theme.empact_cycle == cycle)
    return query
