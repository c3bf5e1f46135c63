"""What the facility pages read: the filtered roster, the country view, one facility, and the choices
that events and the filters offer (read-only; bounded queries)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.membership_queries import administered_organisation_ids
from app.directory.lookup import organisation_labels
from app.directory.models import Organisation, Theme
from app.extensions import db
from app.facilities.access import may_curate
from app.facilities.models import Facility, FacilityKind, FacilityStatus, facility_themes

COUNTRY_VIEW_LIMIT = 1000  # the country view lists at most this many facilities
PICK_LIMIT = 500  # an event form offers at most this many facilities


def _as_int(value) -> int | None:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@dataclass
class FacilityFilters:
    q: str = ""
    kind: str = ""
    country: str = ""
    theme: int | None = None
    organisation: int | None = None
    archived: bool = False

    @classmethod
    def from_args(cls, args) -> FacilityFilters:
        """Parse query-string filters; anything unreadable is ignored (never an error page)."""
        kind = args.get("kind") or ""
        country = (args.get("country") or "").upper()[:2]
        return cls(
            q=" ".join((args.get("q") or "").split())[:100],
            kind=kind if kind in {k.value for k in FacilityKind} else "",
            country=country if re.fullmatch(r"[A-Z]{2}", country) else "",
            theme=_as_int(args.get("theme")), organisation=_as_int(args.get("organisation")),
            archived=args.get("status") == "archived",
        )

    def where(self, user) -> list:
        clauses = [_status_clause(user, self.archived)]
        if self.kind:
            clauses.append(Facility.kind == FacilityKind(self.kind))
        if self.country:
            clauses.append(Facility.country == self.country)
        if self.theme:
            clauses.append(Facility.themes.any(Theme.id == self.theme))
        if self.organisation:
            clauses.append(Facility.organisation_id == self.organisation)
        if self.q:
            like = "%" + self.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            columns = (Facility.name, Facility.city, Facility.capabilities, Facility.description)
            clauses.append(or_(*(func.lower(func.coalesce(c, "")).like(like, escape="\\") for c in columns),
                               Facility.organisation.has(func.lower(Organisation.name).like(like, escape="\\"))))
        return clauses

    def query_args(self) -> dict:
        args = {"q": self.q, "kind": self.kind, "country": self.country, "theme": self.theme,
                "organisation": self.organisation, "status": "archived" if self.archived else None}
        return {k: v for k, v in args.items() if v}


def _status_clause(user, archived: bool):
    """Active facilities for everyone; archived ones for curators, and each organisation's contact
    persons for their own."""
    if not archived:
        return Facility.status == FacilityStatus.ACTIVE
    if may_curate(user):
        return Facility.status == FacilityStatus.ARCHIVED
    own = administered_organisation_ids(user)
    return (Facility.status == FacilityStatus.ARCHIVED) & Facility.organisation_id.in_(own or [-1])


def list_query(filters: FacilityFilters, user):
    return (
        select(Facility).where(*filters.where(user))
        .options(joinedload(Facility.organisation), selectinload(Facility.themes))
        .order_by(Facility.country, Facility.city, Facility.name, Facility.id)
    )


def by_country(filters: FacilityFilters, user) -> list[tuple[str, int, list[Facility]]]:
    """(country, count, facilities) for the country view, countries by how many facilities they have:
    one count query and one list query, whatever the number of countries."""
    counts = db.session.execute(
        select(Facility.country, func.count(Facility.id)).where(*filters.where(user))
        .group_by(Facility.country).order_by(func.count(Facility.id).desc(), Facility.country))
    rows = db.session.scalars(
        select(Facility).where(*filters.where(user)).options(joinedload(Facility.organisation))
        .order_by(Facility.country, Facility.city, Facility.name).limit(COUNTRY_VIEW_LIMIT))
    grouped: dict[str, list[Facility]] = {}
    for facility in rows:
        grouped.setdefault(facility.country, []).append(facility)
    return [(country, count, grouped.get(country, [])) for country, count in counts]


def load_facility(facility_id: int) -> Facility | None:
    return db.session.scalars(
        select(Facility).where(Facility.id == facility_id)
        .options(joinedload(Facility.organisation), selectinload(Facility.themes))
    ).one_or_none()


def filter_choices(filters: FacilityFilters) -> dict:
    """The filter form's choices: kinds, the organisations hosting facilities (a short list), themes
    used by facilities, and the chosen ones' labels."""
    hosts = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(select(Facility.organisation_id)))
        .order_by(Organisation.name))
    themes = db.session.scalars(
        select(Theme).where(Theme.id.in_(select(facility_themes.c.theme_id)))
        .order_by(Theme.name, Theme.empact_cycle))
    return {"kinds": list(FacilityKind), "organisations": list(hosts), "themes": list(themes)}


def hostable_organisations(user) -> list[tuple[int, str]] | None:
    """The organisations `user` may add facilities for: None for curators (any: the picker searches),
    else those whose contact person they are."""
    if may_curate(user):
        return None
    return list(organisation_labels(administered_organisation_ids(user)).items())


def active_facilities(limit: int = PICK_LIMIT) -> list[Facility]:
    """What an event or a session may pick: active facilities, by country and name."""
    return list(db.session.scalars(
        select(Facility).where(Facility.status == FacilityStatus.ACTIVE)
        .order_by(Facility.country, Facility.name).limit(limit)))
