"""Directory rules: create and edit organisations, projects and themes (unique names, ordered dates)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.directory.domains import DomainProblem, normalise_domain
from app.directory.models import Organisation, OrganisationDomain, OrganisationType, Project, Theme
from app.errors import RuleError
from app.extensions import db
from app.roles import has_role

DUPLICATE_ORGANISATION = _l("An organisation with this name exists already in this country.")
DUPLICATE_ACRONYM = _l("Another project uses this acronym.")
DUPLICATE_THEME = _l("A theme with this name exists already (in this EMPACT cycle).")


class DirectoryError(RuleError):
    """A broken directory rule."""


def _same_text(column, value: str):
    return func.lower(column) == value.strip().lower()


# --- organisations ---------------------------------------------------------------------------

def _check_organisation(name: str, country: str | None, exclude_id: int | None) -> None:
    query = select(Organisation.id).where(_same_text(Organisation.name, name))
    query = query.where(Organisation.country == country if country else Organisation.country.is_(None))
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise DirectoryError(DUPLICATE_ORGANISATION, "name")


def save_organisation(organisation: Organisation | None, actor, *, name: str, short_name: str | None,
                      type: OrganisationType, country: str | None, website: str | None,
                      domains: str | None = None) -> Organisation:
    """Create (organisation=None) or update an organisation, with an audit entry; commits.
    `domains`: its email domains, one a line (None: unchanged); only a network admin may change them,
    since a domain makes everyone who confirms an address on it a member."""
    name = name.strip()
    country = country.upper() if country else None
    _check_organisation(name, country, organisation.id if organisation else None)
    wanted = _check_domains(organisation, actor, domains)
    fields = {"name": name, "short_name": short_name, "type": type, "country": country, "website": website}

    def set_domains(saved: Organisation) -> None:
        if wanted is not None:
            _replace_domains(saved, actor, wanted)

    return _save(Organisation, organisation, actor, fields, "organisation", "name",
                 DUPLICATE_ORGANISATION, before_commit=set_domains)


def _current_domains(organisation: Organisation | None) -> list[str]:
    if organisation is None or organisation.id is None:
        return []
    return list(db.session.scalars(select(OrganisationDomain.domain)
                                   .where(OrganisationDomain.organisation_id == organisation.id)
                                   .order_by(OrganisationDomain.domain)))


def _check_domains(organisation: Organisation | None, actor, text: str | None) -> list[str] | None:
    """The organisation's new domain list (None: unchanged), or a DirectoryError beside the field."""
    if text is None:
        return None
    wanted: list[str] = []
    for line in text.replace(",", "\n").splitlines():
        if not line.strip():
            continue
        try:
            domain = normalise_domain(line)
        except DomainProblem as problem:
            raise DirectoryError(problem.args[0], "domains") from problem
        if domain not in wanted:
            wanted.append(domain)
    wanted.sort()
    if wanted == _current_domains(organisation):
        return None
    if not has_role(actor):
        raise DirectoryError(_l("Only a network administrator may change an organisation's email domains."), "domains")
    taken = db.session.execute(
        select(OrganisationDomain.domain, Organisation.name).join(Organisation)
        .where(OrganisationDomain.domain.in_(wanted),
               OrganisationDomain.organisation_id != (organisation.id if organisation else -1))
    ).first()
    if taken is not None:
        raise DirectoryError(_l("%(domain)s is an email domain of %(organisation)s already.", domain=taken[0],
                                organisation=taken[1]), "domains")
    return wanted


def _replace_domains(organisation: Organisation, actor, wanted: list[str]) -> None:
    before = _current_domains(organisation)
    for row in db.session.scalars(select(OrganisationDomain).where(OrganisationDomain.organisation_id == organisation.id)):
        if row.domain not in wanted:
            db.session.delete(row)
    for domain in wanted:
        if domain not in before:
            db.session.add(OrganisationDomain(organisation_id=organisation.id, domain=domain))
    db.session.flush()
    audit.record(actor, "organisation.domains", organisation, {"domains": [before, wanted]}, summary=organisation.name)


# --- projects --------------------------------------------------------------------------------

def save_project(project: Project | None, actor, *, acronym: str, title: str, programme: str | None,
                 grant_number: str | None, starts_on: date | None, ends_on: date | None,
                 website: str | None, description: str | None,
                 coordinator_organisation_id: int | None) -> Project:
    acronym = acronym.strip()
    if starts_on and ends_on and ends_on < starts_on:
        raise DirectoryError(_l("The end date must be on or after the start date."), "ends_on")
    query = select(Project.id).where(_same_text(Project.acronym, acronym))
    if project is not None:
        query = query.where(Project.id != project.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise DirectoryError(DUPLICATE_ACRONYM, "acronym")
    if coordinator_organisation_id and db.session.get(Organisation, coordinator_organisation_id) is None:
        raise DirectoryError(_l("Choose an organisation from the list."), "coordinator_organisation_id")
    fields = {
        "acronym": acronym, "title": title.strip(), "programme": programme, "grant_number": grant_number,
        "starts_on": starts_on, "ends_on": ends_on, "website": website, "description": description,
        "coordinator_organisation_id": coordinator_organisation_id or None,
    }
    return _save(Project, project, actor, fields, "project", "acronym", DUPLICATE_ACRONYM)


# --- themes ----------------------------------------------------------------------------------

def save_theme(theme: Theme | None, actor, *, name: str, description: str | None,
               empact_cycle: str | None) -> Theme:
    name = name.strip()
    query = select(Theme.id).where(_same_text(Theme.name, name))
    query = query.where(Theme.empact_cycle == empact_cycle if empact_cycle else Theme.empact_cycle.is_(None))
    if theme is not None:
        query = query.where(Theme.id != theme.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise DirectoryError(DUPLICATE_THEME, "name")
    fields = {"name": name, "description": description, "empact_cycle": empact_cycle or None}
    return _save(Theme, theme, actor, fields, "theme", "name",
                 DUPLICATE_THEME)


def _save(model, obj, actor, fields: dict, noun: str, unique_field: str, duplicate_message: str,
          before_commit=None):
    if obj is None:
        obj = model(**fields)
        db.session.add(obj)
        action, changes = f"{noun}.create", {k: v for k, v in fields.items() if v is not None}
    else:
        changes = audit.diff(obj, fields)
        for key, value in fields.items():
            setattr(obj, key, value)
        action = f"{noun}.edit"
    try:
        db.session.flush()
        if changes or action.endswith("create"):
            audit.record(actor, action, obj, changes)
        if before_commit is not None:
            before_commit(obj)
        db.session.commit()
    except IntegrityError as error:
        # A concurrent insert won the race past the check above.
        db.session.rollback()
        if "organisation_domains" in str(error.orig):
            raise DirectoryError(_l("One of these email domains was just given to another organisation."),
                                 "domains") from error
        raise DirectoryError(duplicate_message, unique_field) from error
    return obj
