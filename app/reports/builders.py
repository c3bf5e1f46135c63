"""The two reports, the dashboard and the participation report, assembled from the scope, the
figures (app.reports.figures, app.reports.participants) and the tables (app.reports.tables)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask_babel import force_locale

from app.i18n import DEFAULT
from app.reports import figures, participants
from app.reports.beside import start as read_beside
from app.reports.counting import rate, tune_for_aggregates
from app.reports.learning import learning_table
from app.reports.results import N_, Chart, Report, Table
from app.reports.scope import ReportFilter, Scope, project_details, scope_label
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


def _in_english(build: Callable[..., Report]) -> Callable[..., Report]:
    """A report is built in English (enum labels and country names included) whoever asks for it,
    since one built report serves every viewer; app.reports.localise translates it when shown."""

    @wraps(build)
    def built_in_english(*args, **kwargs) -> Report:
        with force_locale(DEFAULT):
            return build(*args, **kwargs)

    return built_in_english


@_in_english
def dashboard_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """The coordinator's (or organiser's) dashboard: a fixed number of queries."""
    scope, tables, charts = _start(user, filters, at, N_("Key figures"), beside=figures.dashboard_later_statements)
    held, planned, cancelled = events_tables(scope, tables, charts)
    cells = participants.participant_cells(scope)
    totals = participants.totals(cells)
    countries, types = people_tables(cells, tables, charts)
    capacity = capacity_table(scope, tables, totals["trained_people"])
    lessons = lessons_tables(scope, tables, charts)
    actions, overdue = actions_table(scope, tables, charts)
    tables["summary"].rows = [
        [N_("Events held"), held],
        [N_("Events planned"), planned],
        [N_("Events cancelled"), cancelled],
        *_reach_rows(totals, countries, types, people_who_attended=False),
        [N_("Training hours delivered"), capacity["hours"]],
        [N_("People trained"), capacity["people_trained"]],
        [N_("Certificates issued"), capacity["certificates"]],
        [N_("Lessons recorded"), lessons],
        [N_("Open follow-up actions"), actions["open"] + actions["in_progress"]],
        [N_("Overdue follow-up actions"), actions["overdue"]],
    ]
    return _report(N_("Dashboard"), scope, tables, charts, overdue_actions=overdue)


@_in_english
def participation_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """Participation and capacity building, per project and period."""
    scope, tables, charts = _start(user, filters, at, N_("Participation"))
    cells = participants.participant_cells(scope)
    totals = participants.totals(cells)
    held, planned = participation_by_kind_table(scope, tables, charts)
    countries, types = people_tables(cells, tables, charts)
    participation_by_project_table(scope, tables)
    registrations_by_status_table(scope, tables)
    registrations_by_role_table(scope, tables)
    capacity = capacity_table(scope, tables, totals["trained_people"])
    feedback = feedback_table(scope, tables, charts)
    learning = learning_table(scope, tables)
    tables["summary"].rows = [
        [N_("Events held"), held],
        [N_("Events planned"), planned],
        *_reach_rows(totals, countries, types, people_who_attended=True),
        [N_("Trainings held"), capacity["trainings"]],
        [N_("Training hours delivered"), capacity["hours"]],
        [N_("People trained"), capacity["people_trained"]],
        [N_("Certificates issued"), capacity["certificates"]],
        [N_("People tested before and after training"), learning["tested"]],
        [N_("Feedback answers"), feedback["answers"]],
        [N_("Average overall rating (1–5)"), feedback["overall"]],
    ]
    return _report(
        N_("Participation report"), scope, tables, charts, details=project_details(filters)
    )


def _start(user, filters: ReportFilter, at: datetime | None, summary_title: str, beside=None):
    """The scope (at now unless given), the tables with an empty summary first, no charts yet;
    `beside(scope)`'s statements started beside the others when the request may (app.reports.beside)."""
    scope = Scope(user, filters, at or now())
    if beside is not None:
        read_beside(scope, beside(scope))
    tune_for_aggregates()
    tables: dict[str, Table] = {"summary": Table("summary", summary_title, [N_("Figure"), N_("Value")])}
    charts: list[Chart] = []
    return scope, tables, charts


def _reach_rows(totals: dict, countries: int, types: int, *, people_who_attended: bool) -> list:
    """The summary rows on registrations, attendance and reach that both reports show."""
    rows = [
        [N_("Registrations"), totals["registrations"]],
        [N_("People registered"), totals["people"]],
        [N_("Registrations attended"), totals["attended"]],
    ]
    if people_who_attended:
        rows.append([N_("People who attended"), totals["attended_people"]])
    return [
        *rows,
        [
            N_("Attendance rate at held events (%)"),
            rate(totals["held_attended"], totals["held_registrations"]),
        ],
        [N_("Countries reached"), countries],
        [N_("Organisation types reached"), types],
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
