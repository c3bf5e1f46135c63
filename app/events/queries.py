"""What the event pages read: the filtered list, the month grid, upcoming events, one event with its
agenda, overlapping events, and the choices of the filter form (read-only; nothing commits)."""

from __future__ import annotations

import calendar as _calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import bindparam, column, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.cache import fragments, raw
from app.directory.models import Project, Theme
from app.events.access import managed_clause, organiser_ids, visible_clause
from app.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Session,
    SessionSpeaker,
    event_organisers,
)
from app.events.times import local_date, local_span
from app.extensions import db
from app.forms_common import country_choices
from app.i18n import formatting_locale
from app.timeutil import now


@dataclass
class EventFilters:
    tab: str = "upcoming"
    kind: str = ""
    format: str = ""
    country: str = ""
    project: int | None = None
    theme: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    q: str = ""
    mine: bool = False

    @classmethod
    def from_args(cls, args) -> EventFilters:
        """Parse query-string filters; anything unreadable is ignored (never an error page)."""

        def as_int(name):
            try:
                value = int(args.get(name) or 0)
            except (TypeError, ValueError):
                return None
            return value if 0 < value < 2**31 else None

        def as_date(name):
            try:
                return date.fromisoformat((args.get(name) or "")[:10])
            except ValueError:
                return None

        kind = args.get("kind") or ""
        fmt = args.get("format") or ""
        country = (args.get("country") or "").upper()[:2]
        return cls(
            tab="past" if args.get("tab") == "past" else "upcoming",
            kind=kind if kind in {k.value for k in EventKind} else "",
            format=fmt if fmt in {f.value for f in EventFormat} else "",
            country=country if re.fullmatch(r"[A-Z]{2}", country) else "",
            project=as_int("project"),
            theme=as_int("theme"),
            starts_on=as_date("from"),
            ends_on=as_date("to"),
            q=(args.get("q") or "").strip()[:100],
            mine=args.get("mine") == "1",
        )

    def where(self, user) -> list:
        clauses = [visible_clause(user)]
        if self.mine:
            clauses.append(managed_clause(user))
        values = self.values()
        return clauses + filter_clauses(values, values.__getitem__)

    def values(self) -> dict:
        """The set filters' values as their clauses compare them, by name (in filter_clauses' order)."""
        values = {}
        if self.kind:
            values["kind"] = EventKind(self.kind)
        if self.format:
            values["format"] = EventFormat(self.format)
        if self.country:
            values["country"] = self.country
        if self.project:
            values["project"] = self.project
        if self.theme:
            values["theme"] = self.theme
        if self.starts_on:
            values["starts_on"] = datetime.combine(self.starts_on, time(), UTC)
        if self.ends_on:
            values["ends_on"] = datetime.combine(self.ends_on + timedelta(days=1), time(), UTC)
        if self.q:
            values["like"] = self.like_pattern()
        return values

    def like_pattern(self) -> str:
        """The search text as a LIKE pattern (lower case, its wildcards escaped with a backslash)."""
        return "%" + self.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def query_args(self) -> dict:
        args = {
            "kind": self.kind, "format": self.format, "country": self.country, "project": self.project,
            "theme": self.theme, "q": self.q, "mine": "1" if self.mine else None,
            "from": self.starts_on.isoformat() if self.starts_on else None,
            "to": self.ends_on.isoformat() if self.ends_on else None,
        }
        return {k: v for k, v in args.items() if v}


def filter_clauses(names, value) -> list:
    """The WHERE clauses of the named filters (EventFilters.values' names), each comparing with
    `value(name)`: the value itself (EventFilters.where) or a bound parameter (a statement built
    once per shape of filters: app.events.list_rows)."""
    clauses = []
    for name in names:
        if name == "kind":
            clauses.append(Event.kind == value(name))
        elif name == "format":
            clauses.append(Event.format == value(name))
        elif name == "country":
            clauses.append(Event.country == value(name))
        elif name == "project":
            clauses.append(Event.projects.any(Project.id == value(name)))
        elif name == "theme":
            clauses.append(Event.themes.any(Theme.id == value(name)))
        elif name == "starts_on":
            clauses.append(Event.ends_at > value(name))
        elif name == "ends_on":
            clauses.append(Event.starts_at < value(name))
        elif name == "like":
            like = value(name)
            clauses.append(or_(*(func.lower(column).like(like, escape="\\") for column in (
                Event.title, Event.summary, Event.city, Event.venue))))
    return clauses


def list_query(filters: EventFilters, user):
    """Events `user` may see matching `filters`, upcoming (soonest first) or past (latest first), as
    entities (the API; the events page reads plain rows: app.events.list_rows)."""
    query = select(Event).where(*filters.where(user)).options(joinedload(Event.host_organisation),
                                                              selectinload(Event.themes))
    if filters.tab == "past":
        return query.where(Event.ends_at <= now()).order_by(Event.starts_at.desc(), Event.id.desc())
    return query.where(Event.ends_at > now()).order_by(Event.starts_at, Event.id)


def month_events(filters: EventFilters, user, year: int, month: int, limit: int = 500) -> list[Event]:
    """Visible events touching the month (with a day's margin for zones; the grid places them)."""
    first = datetime(year, month, 1, tzinfo=UTC) - timedelta(days=1)
    last_day = _calendar.monthrange(year, month)[1]
    after = datetime(year, month, last_day, tzinfo=UTC) + timedelta(days=2)
    query = (
        select(Event)
        .where(*filters.where(user), Event.starts_at < after, Event.ends_at > first)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def month_grid(events: list[Event], year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of days, each with the events happening that day in their own zone."""
    by_day: dict[date, list[Event]] = {}
    for event in events:
        day, last = local_span(event.starts_at, event.ends_at, event.timezone)
        while day <= last:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([{"date": d, "in_month": d.month == month, "events": by_day.get(d, [])} for d in week])
    return weeks


def upcoming(user, limit: int = 5) -> list[Event]:
    query = (
        select(Event)
        .where(visible_clause(user), Event.status == EventStatus.PUBLISHED, Event.ends_at > now())
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def load_event(event_id: int) -> Event | None:
    """An event with everything its page shows, in 2 queries: the event with its host, organisers
    (and their organisations), projects and themes joined (a few rows each, so their product stays
    a handful of rows), then its sessions with their speakers. The statement is built once."""
    return db.session.scalars(_load_event_statement(), {"event_id": event_id}).unique().one_or_none()


@functools.cache
def _load_event_statement():
    return (
        select(Event)
        .where(Event.id == bindparam("event_id"))
        .options(
            joinedload(Event.host_organisation),
            joinedload(Event.facility),
            joinedload(Event.created_by).joinedload(User.organisation),
            joinedload(Event.organisers).joinedload(User.organisation),
            joinedload(Event.projects),
            joinedload(Event.themes),
            selectinload(Event.sessions).joinedload(Session.facility),
            selectinload(Event.sessions)
            .joinedload(Session.speakers)
            .joinedload(SessionSpeaker.user)
            .joinedload(User.organisation),
        )
    )


def timetable(event: Event) -> list[tuple[date, list[Session]]]:
    """Sessions grouped by day in the event's zone, in agenda order."""
    days: dict[date, list[Session]] = {}
    for item in sorted(event.sessions, key=lambda s: (s.starts_at, s.position, s.id)):
        days.setdefault(local_date(item.starts_at, event.timezone), []).append(item)
    return sorted(days.items())


def overlapping_events(event: Event) -> list[Event]:
    """Other published events at the same time in the same country or with a shared organiser."""
    people = organiser_ids(event)
    same = []
    if event.country:
        same.append(Event.country == event.country)
    if people:
        same.append(Event.created_by_id.in_(people))
        same.append(exists().where(
            event_organisers.c.event_id == Event.id, event_organisers.c.user_id.in_(people)
        ))
    if not same:
        return []
    query = (
        select(Event)
        .where(
            Event.id != event.id,
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at < event.ends_at,
            Event.ends_at > event.starts_at,
            or_(*same),
        )
        .order_by(Event.starts_at)
        .limit(10)
    )
    return list(db.session.scalars(query))


def filter_choices(filters: EventFilters, choices: dict | None = None) -> dict:
    """What the filter form of the list and the month calendar offers: the kinds, formats, projects
    and themes, and the countries' <option>s already written with `filters`' country selected
    (templates/events/_filters.html; ~250 options, written by the template they were most of the
    form's time). `choices`: kept_choices() as the caller found them."""
    return {
        "kinds": list(EventKind),
        "formats": list(EventFormat),
        "country_options": _selected(_country_options(str(formatting_locale()), _("Any country")), filters.country),
        **_project_and_theme_options(filters, choices or kept_choices()),
    }


def _project_and_theme_options(filters: EventFilters, choices: dict) -> dict:
    return {
        "project_options": _selected(_options(tuple((p.id, p.acronym) for p in choices["projects"])), filters.project),
        "theme_options": _selected(_options(tuple((t.id, t.label) for t in choices["themes"])), filters.theme),
    }


@functools.lru_cache(maxsize=16)
def _options(pairs: tuple) -> tuple[tuple, str, str]:
    """(value, '<option value="value"', '>label</option>') for (value, label) pairs, once per worker
    for the same projects or themes."""
    return tuple((value, f'<option value="{escape(value)}"', f">{escape(label)}</option>") for value, label in pairs)


@functools.lru_cache(maxsize=32)
def _country_options(_locale: str, blank: str) -> tuple[tuple[str, str], ...]:
    """(code, '<option value="code"', '>name</option>') for the countries in the language of
    `_locale` (the key: country_choices reads the current one), as the template wrote them."""
    return _options(tuple(country_choices(blank)))


def _selected(options, selected: str) -> Markup:
    return Markup("".join(f"{start} selected{end}" if code == selected else f"{start}{end}"
                          for code, start, end in options))


@dataclass(frozen=True, slots=True)
class ThemeChoice:
    id: int
    name: str
    empact_cycle: str | None

    label = property(Theme.label.fget)  # the one way a theme is named


@dataclass(frozen=True, slots=True)
class ProjectChoice:
    id: int
    acronym: str


def _projects_and_themes_statement():
    return union_all(
        select(literal(0).label("part"), Project.id.label("id"), Project.acronym.label("name"),
               null().label("cycle")),
        select(literal(1), Theme.id, Theme.name, Theme.empact_cycle),
    ).order_by(column("part"), column("name"), column("cycle"))


def projects_and_themes() -> dict:
    """The projects (by acronym) and themes (by name, then cycle) a filter offers (the events list's
    and the reports'): one statement (on the DBAPI cursor: app.cache.raw)."""
    choices: dict[str, list] = {"projects": [], "themes": []}
    found, _plan = raw.read(db.session, _projects_and_themes_statement, _projects_and_themes_statement, {},
                            every=True)
    for part, row_id, name, cycle in found:
        if part == 0:
            choices["projects"].append(ProjectChoice(row_id, name))
        else:
            choices["themes"].append(ThemeChoice(row_id, name, cycle))
    return choices


def kept_choices(stamps: tuple | None = None) -> dict:
    """projects_and_themes(), read again only when a project or theme has changed: kept under the
    change stamps (app.cache), or under `stamps` (those of projects and themes as a statement read
    them along: app.events.list_rows) in this worker's memory, with the cache off too."""
    if stamps is None:
        return fragments.remember("events.filter_choices", (), ("projects", "themes"), projects_and_themes)
    return fragments.remember("events.filter_choices", stamps, ("projects", "themes"), projects_and_themes,
                              fingerprinted=True, worker=True)


def session_of(event: Event, session_id: int, *, with_speakers: bool = False) -> Session | None:
    """The session `session_id` if it belongs to `event`; `with_speakers`: its speakers read in the
    same statement (the session form shows and compares them)."""
    item = db.session.get(Session, session_id, options=[joinedload(Session.speakers)] if with_speakers else None)
    return item if item is not None and item.event_id == event.id else None


def _ids(ids) -> set[int]:
    """The ids a form or a list gave, as integers, the empty ones left out."""
    return {int(i) for i in ids or () if i}


def _users_by_name(what, ids) -> list:
    ids = _ids(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(what).where(User.id.in_(ids)).order_by(User.name)))


def users_by_ids(ids) -> list[User]:
    return _users_by_name(User, ids)


def user_ids_by_name(ids) -> list[int]:
    """users_by_ids' ids, in its order, without building the users (a session's speakers keep ids only)."""
    return _users_by_name(User.id, ids)


def rows_by_ids(model, ids) -> list:
    ids = _ids(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))
