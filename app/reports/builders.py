"""The two reports, the dashboard and the participation report, assembled from the scope, the
figures (app.reports.figures, app.reports.participants) and the tables (app.reports.tables)."""

from __future__ import annotations

from datetime import datetime

from app.directory.models import Project
from app.extensions import db
from app.reports import figures, participants
from app.reports.counting import rate, tune_for_aggregates
from app.reports.results import Chart, Report, Table
from app.reports.scope import ReportFilter, Scope, scope_label
from app.reports.tables import (
    actions_table,
    capacity_table,
    events_tables,
    feedback_table,
    lessons_tables,
    participation_by_kind_table,
    participation_by_project_table,
    people_tables,
    registrations_by_role_table,
    registrations_by_status_table,
)
from app.timeutil import now


def dashboard_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """The coordinator's (or organiser's) dashboard: a fixed number of queries."""
    scope, tables, charts = _start(user, filters, at, "Key figures")
    held, planned, cancelled = events_tables(scope, tables, charts)
    cells = participants.participant_cells(scope)
    totals = participants.totals(cells)
    countries, types = people_tables(cells, tables, charts)
    capacity = capacity_table(scope, tables)
    lessons = lessons_tables(scope, tables, charts)
    actions = actions_table(scope, tables, charts)
    tables["summary"].rows = [
        ["Events held", held],
        ["Events planned", planned],
        ["Events cancelled", cancelled],
        *_reach_rows(totals, countries, types, people_who_attended=False),
        ["Training hours delivered", capacity["hours"]],
        ["People trained", capacity["people_trained"]],
        ["Certificates issued", capacity["certificates"]],
        ["Lessons recorded", lessons],
        ["Open follow-up actions", actions["open"] + actions["in_progress"]],
        ["Overdue follow-up actions", actions["overdue"]],
    ]
    return _report("Dashboard", scope, tables, charts, overdue_actions=figures.overdue_actions(scope))


def participation_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """Participation and capacity building, per project and period."""
    scope, tables, charts = _start(user, filters, at, "Participation")
    cells = participants.participant_cells(scope)
    totals = participants.totals(cells)
    held, planned = participation_by_kind_table(scope, tables, charts)
    countries, types = people_tables(cells, tables, charts)
    participation_by_project_table(scope, tables)
    registrations_by_status_table(scope, tables)
    registrations_by_role_table(scope, tables)
    capacity = capacity_table(scope, tables)
    feedback = feedback_table(scope, tables, charts)
    tables["summary"].rows = [
        ["Events held", held],
        ["Events planned", planned],
        *_reach_rows(totals, countries, types, people_who_attended=True),
        ["Trainings held", capacity["trainings"]],
        ["Training hours delivered", capacity["hours"]],
        ["People trained", capacity["people_trained"]],
        ["Certificates issued", capacity["certificates"]],
        ["Feedback answers", feedback["answers"]],
        ["Average overall rating (1–5)", feedback["overall"]],
    ]
    return _report(
        "Participation report", scope, tables, charts, details=_project_details(filters)
    )


def _start(user, filters: ReportFilter, at: datetime | None, summary_title: str):
    """The scope (at now unless given), the tables with an empty summary first, no charts yet."""
    scope = Scope(user, filters, at or now())
    tune_for_aggregates()
    tables: dict[str, Table] = {"summary": Table("summary", summary_title, ["Figure", "Value"])}
    charts: list[Chart] = []
    return scope, tables, charts


def _reach_rows(totals: dict, countries: int, types: int, *, people_who_attended: bool) -> list:
    """The summary rows on registrations, attendance and reach that both reports show."""
    rows = [
        ["Registrations", totals["registrations"]],
        ["People registered", totals["people"]],
        ["Registrations attended", totals["attended"]],
    ]
    if people_who_attended:
        rows.append(["People who attended", totals["attended_people"]])
    return [
        *rows,
        [
            "Attendance rate at held events (%)",
            rate(totals["held_attended"], totals["held_registrations"]),
        ],
        ["Countries reached", countries],
        ["Organisation types reached", types],
    ]


def _report(title: str, scope: Scope, tables: dict, charts: list, **extra) -> Report:
    return Report(
        title=title,
        scope=scope_label(scope.user),
        filters=scope.filters,
        filter_line=scope.filters.describe(),
        produced_at=scope.at,
        tables=tables,
        charts=charts,
        **extra,
    )


def _project_details(filters: ReportFilter) -> list[str]:
    project = db.session.get(Project, filters.project_id) if filters.project_id else None
    if project is None:
        return []
    funding = ", ".join(
        part
        for part in (
            project.programme,
            f"grant {project.grant_number}" if project.grant_number else None,
        )
        if part
    )
    period = ""
    if project.starts_on or project.ends_on:
        period = f" ({project.starts_on or '…'} to {project.ends_on or '…'})"
    return [
        f"Project {project.acronym}: {project.title}"
        + (f" — {funding}" if funding else "")
        + period
    ]
