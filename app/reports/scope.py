"""Who may report on which events, and the filter: the viewer's scope (coordinators and admins:
the whole network; organisers: events they created or co-organise), the report filter and the WHERE
clauses every figure shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_

from app.accounts.models import Role
from app.directory.models import Project, Theme
from app.events.access import managed_clause
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

    def events(self, *, theme: bool = True) -> list:
        f = self.filters
        conditions = [managed_clause(self.user)]
        if f.date_from:
            conditions.append(Event.starts_at >= _start_of(f.date_from))
        if f.date_to:
            conditions.append(Event.starts_at < _start_of(f.date_to + timedelta(days=1)))
        if f.project_id:
            conditions.append(
                exists().where(
                    _filter_projects.c.event_id == Event.id,
                    _filter_projects.c.project_id == f.project_id,
                )
            )
        if f.country:
            conditions.append(Event.country == f.country)
        if theme and f.theme_id:
            conditions.append(self._event_has_theme())
        if f.kind:
            conditions.append(Event.kind == f.kind)
        return conditions

    def _event_has_theme(self):
        return exists().where(
            _filter_event_themes.c.event_id == Event.id,
            _filter_event_themes.c.theme_id == self.filters.theme_id,
        )

    def published(self) -> list:
        return [*self.events(), Event.status == EventStatus.PUBLISHED]

    def held(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at <= self.at)

    def planned(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at > self.at)

    def lessons(self) -> list:
        conditions = [*self.events(theme=False), Event.status == EventStatus.PUBLISHED]
        if self.filters.theme_id:
            conditions.append(
                or_(
                    self._event_has_theme(),
                    exists().where(
                        _filter_lesson_themes.c.lesson_id == Lesson.id,
                        _filter_lesson_themes.c.theme_id == self.filters.theme_id,
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
