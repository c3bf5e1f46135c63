"""Search-as-you-type over the directory (issue 23): organisations, projects and themes by part of their
name, at most LOOKUP_LIMIT in one statement, and the labels of those already chosen. Only what pages show
to any signed-in member (names, acronyms, titles, countries): never domains, grant numbers or websites."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.countries import country_name
from app.directory.models import Organisation, Project, Theme
from app.extensions import db

LOOKUP_LIMIT = 20


def _like(q: str) -> str | None:
    q = " ".join((q or "").split())[:100].lower()
    if not q:
        return None
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _limit(limit) -> int:
    try:
        return max(1, min(int(limit), LOOKUP_LIMIT))
    except (TypeError, ValueError):
        return LOOKUP_LIMIT


def _ids(ids) -> set[int]:
    found = set()
    for value in ids or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**31:  # a forged huge id is simply unknown
            found.add(number)
    return found


def organisation_label(name: str, short_name: str | None, country: str | None) -> str:
    label = f"{name} ({short_name})" if short_name and short_name != name else name
    return f"{label} — {country_name(country)}" if country else label


def project_label(acronym: str, title: str) -> str:
    return f"{acronym} — {title}"


def theme_label(name: str, empact_cycle: str | None) -> str:
    return f"{name} (EMPACT {empact_cycle})" if empact_cycle else name


def search_organisations(q: str, limit=LOOKUP_LIMIT) -> list[dict]:
    like = _like(q)
    if like is None:
        return []
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.short_name, Organisation.country)
        .where(or_(func.lower(Organisation.name).like(like, escape="\\"),
                   func.lower(func.coalesce(Organisation.short_name, "")).like(like, escape="\\")))
        .order_by(Organisation.name, Organisation.id).limit(_limit(limit)))
    return [{"id": r.id, "label": organisation_label(r.name, r.short_name, r.country)} for r in rows]


def search_projects(q: str, limit=LOOKUP_LIMIT) -> list[dict]:
    like = _like(q)
    if like is None:
        return []
    rows = db.session.execute(
        select(Project.id, Project.acronym, Project.title)
        .where(or_(func.lower(Project.acronym).like(like, escape="\\"), func.lower(Project.title).like(like, escape="\\")))
        .order_by(Project.acronym, Project.id).limit(_limit(limit)))
    return [{"id": r.id, "label": project_label(r.acronym, r.title)} for r in rows]


def search_themes(q: str, limit=LOOKUP_LIMIT) -> list[dict]:
    like = _like(q)
    if like is None:
        return []
    rows = db.session.execute(
        select(Theme.id, Theme.name, Theme.empact_cycle)
        .where(or_(func.lower(Theme.name).like(like, escape="\\"),
                   func.lower(func.coalesce(Theme.empact_cycle, "")).like(like, escape="\\")))
        .order_by(Theme.name, Theme.empact_cycle, Theme.id).limit(_limit(limit)))
    return [{"id": r.id, "label": theme_label(r.name, r.empact_cycle)} for r in rows]


def organisation_labels(ids) -> dict[int, str]:
    ids = _ids(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.short_name, Organisation.country)
                              .where(Organisation.id.in_(ids)).order_by(Organisation.name))
    return {r.id: organisation_label(r.name, r.short_name, r.country) for r in rows}


def project_labels(ids) -> dict[int, str]:
    ids = _ids(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Project.id, Project.acronym, Project.title)
                              .where(Project.id.in_(ids)).order_by(Project.acronym))
    return {r.id: project_label(r.acronym, r.title) for r in rows}


def theme_labels(ids) -> dict[int, str]:
    ids = _ids(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Theme.id, Theme.name, Theme.empact_cycle)
                              .where(Theme.id.in_(ids)).order_by(Theme.name, Theme.empact_cycle))
    return {r.id: theme_label(r.name, r.empact_cycle) for r in rows}


SEARCHES = {"organisations": search_organisations, "projects": search_projects, "themes": search_themes}
LABELS = {"organisations": organisation_labels, "projects": project_labels, "themes": theme_labels}
