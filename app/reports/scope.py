"""Who may report on which events, and the filter: the viewer's scope (coordinators and admins:
the whole network; organisers: events they created or co-organise), the report filter and the WHERE
clauses every figure shares.

The clauses hold the filter's values, the viewer's id and the instant as named bound parameters
(each carrying its value), so a figure's statement has one shape per kind of viewer and set of
filter fields: Scope.rows runs it on the DBAPI cursor (app.cache.raw), built and compiled once per
shape, with this scope's values (building and compiling it on every page view cost more CPU than
the database's answer to it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Integer, and_, bindparam, exists, or_

from app.accounts.models import Role
from app.cache import raw
from app.directory.models import Project, Theme
from app.events.access import managed_clause_of, managed_shape
from app.events.models import Event, EventKind, EventStatus, event_projects, event_themes
from app.extensions import db
from app.lessons.models import Lesson, lesson_themes
from app.templating import country_name

# Aliases for the filter's EXISTS clauses, so they never correlate with a query that joins the
# same association table (e.g. participation by project joins event_projects).
_filter_projects = event_projects.alias("filter_projects")
_filter_event_themes = event_themes.alias("filter_event_themes")
_filter_lesson_themes = lesson_themes.alias("filter_lesson_themes")


@dataclass(frozen=True)
class ReportFilter:
    date_from: date | None = None
    date_to: date | None = None
    project_id: int | None = None
    country: str | None = None
    theme_id: int | None = None
    kind: EventKind | None = None

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments (the same names the filter form uses)."""
        args = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "project": str(self.project_id) if self.project_id else "",
            "country": self.country or "",
            "theme": str(self.theme_id) if self.theme_id else "",
            "kind": self.kind.value if self.kind else "",
        }
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """One line stating the filter in the current language, e.g. "Filter: project ABC; country Ukraine"."""
        parts = []
        if self.date_from and self.date_to:
            parts.append(_("period %(start)s to %(end)s", start=self.date_from.isoformat(), end=self.date_to.isoformat()))
        elif self.date_from:
            parts.append(_("period from %(start)s", start=self.date_from.isoformat()))
        elif self.date_to:
            parts.append(_("period until %(end)s", end=self.date_to.isoformat()))
        if self.project_id:
            project = db.session.get(Project, self.project_id)
            parts.append(_("project %(name)s", name=project.acronym if project else self.project_id))
        if self.country:
            parts.append(_("country %(name)s", name=country_name(self.country)))
        if self.theme_id:
            theme = db.session.get(Theme, self.theme_id)
            parts.append(_("theme %(name)s", name=theme.label if theme else self.theme_id))
        if self.kind:
            parts.append(_("event kind %(name)s", name=self.kind.label))
        if not parts:
            return _("Filter: none (all events)")
        return _("Filter: %(parts)s", parts="; ".join(parts))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class Scope:
    """The viewer, the filter and the instant: the WHERE clauses every figure shares."""

    def __init__(self, user, filters: ReportFilter, at: datetime):
        self.user = user
        self.filters = filters
        self.at = at
        self.today = at.date()
        f = filters
        managed = managed_shape(user)
        # What the statements' shape depends on (the viewer's rule, which filter fields are set),
        # and the values of their bound parameters.
        self.shape = (managed, *(bool(value) for value in (
            f.date_from, f.date_to, f.project_id, f.country, f.theme_id, f.kind)))
        self.params = {"scope_at": at, "scope_today": self.today}
        # Statements already running beside the others: {(build, args, key): wait for its rows}.
        self.beside: dict = {}
        if managed == "own":
            self.params["scope_user_id"] = user.id
        if f.date_from:
            self.params["scope_from"] = _start_of(f.date_from)
        if f.date_to:
            self.params["scope_until"] = _start_of(f.date_to + timedelta(days=1))
        for name, value in (("scope_project_id", f.project_id), ("scope_country", f.country),
                            ("scope_theme_id", f.theme_id), ("scope_kind", f.kind)):
            if value:
                self.params[name] = value

    def bound(self, name: str, type_):
        """The bound parameter `name` of self.params (scope_at, scope_today, a filter's value)."""
        return bindparam(name, self.params[name], type_=type_)

    def rows(self, build, *args, key: tuple = ()) -> list[list]:
        """Every row of `build(self, *args)`'s statement (lists of values as SQLAlchemy's types give
        them), run on the DBAPI cursor: built and planned once per (build, shape, args, key), `key`
        naming whatever else the statement depends on. A statement started beside the others
        (app.reports.beside) is not run again: its rows are waited for."""
        waiting = self.beside.pop((build, args, key), None)
        if waiting is not None:
            return waiting()
        found, _plan = raw.read(db.session, (build, self.shape, args, key), lambda: build(self, *args),
                                self.params, every=True)
        return found

    def plan_of(self, build, args: tuple, key: tuple, dialect) -> tuple:
        """(statement, plan, compiled) of what rows(build, *args, key=key) runs, on `dialect`."""
        return raw.planned((build, self.shape, args, key), lambda: build(self, *args), dialect, tuple(self.params))

    @property
    def at_bound(self):
        """The instant, as the bound parameter every statement shares."""
        return self.bound("scope_at", Event.ends_at.type)

    def events(self, *, theme: bool = True) -> list:
        f = self.filters
        user_id = self.bound("scope_user_id", Integer()) if "scope_user_id" in self.params else None
        conditions = [managed_clause_of(self.shape[0], user_id)]
        if f.date_from:
            conditions.append(Event.starts_at >= self.bound("scope_from", Event.starts_at.type))
        if f.date_to:
            conditions.append(Event.starts_at < self.bound("scope_until", Event.starts_at.type))
        if f.project_id:
            conditions.append(
                exists().where(
                    _filter_projects.c.event_id == Event.id,
                    _filter_projects.c.project_id == self.bound("scope_project_id", Integer()),
                )
            )
        if f.country:
            conditions.append(Event.country == self.bound("scope_country", Event.country.type))
        if theme and f.theme_id:
            conditions.append(self._event_has_theme())
        if f.kind:
            conditions.append(Event.kind == self.bound("scope_kind", Event.kind.type))
        return conditions

    def _event_has_theme(self):
        return exists().where(
            _filter_event_themes.c.event_id == Event.id,
            _filter_event_themes.c.theme_id == self.bound("scope_theme_id", Integer()),
        )

    def published(self) -> list:
        return [*self.events(), Event.status == EventStatus.PUBLISHED]

    def held(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at <= self.at_bound)

    def planned(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at > self.at_bound)

    def lessons(self) -> list:
        conditions = [*self.events(theme=False), Event.status == EventStatus.PUBLISHED]
        if self.filters.theme_id:
            conditions.append(
                or_(
                    self._event_has_theme(),
                    exists().where(
                        _filter_lesson_themes.c.lesson_id == Lesson.id,
                        _filter_lesson_themes.c.theme_id == self.bound("scope_theme_id", Integer()),
                    ),
                )
            )
        return conditions


def scope_label(user) -> str:
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return _("Scope: the whole network")
    return _("Scope: events organised by %(name)s", name=user.name)


def project_details(filters: ReportFilter) -> list[str]:
    """The filtered project's acronym, title, funding and period (none without a project filter)."""
    project = db.session.get(Project, filters.project_id) if filters.project_id else None
    if project is None:
        return []
    line = _("Project %(acronym)s: %(title)s", acronym=project.acronym, title=project.title)
    grant = _("grant %(number)s", number=project.grant_number) if project.grant_number else None
    funding = ", ".join(part for part in (project.programme, grant) if part)
    if funding:
        line += f" — {funding}"
    if project.starts_on or project.ends_on:
        line += " (" + _("%(start)s to %(end)s", start=project.starts_on or "…", end=project.ends_on or "…") + ")"
    return [line]
