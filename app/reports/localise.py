"""A built report in the viewer's language. Reports are built in English (their labels are msgids,
marked with N_) and kept in the cache and in report_snapshots for every viewer alike; the page and
the exports show `localise(report, viewer)`: titles, column headings, notes, row labels, chart
titles, series and categories translated, country names in the viewer's locale, the
scope, filter and project lines stated again in it. The figures are untouched."""

from __future__ import annotations

from dataclasses import replace

from app.countries import country_name, english_names
from app.i18n import gettext as _
from app.reports.results import ALL, COUNTRY, Chart, Report, Series, Table
from app.reports.scope import project_details, scope_label
from app.reports.tables import ALWAYS_TRANSLATED

_COUNTRY_CODES = english_names()


def label(text, mode: str):
    """One row label or chart category as the viewer reads it."""
    if not isinstance(text, str):
        return text
    if mode == ALL or text in ALWAYS_TRANSLATED:
        return _(text)
    if mode == COUNTRY and text in _COUNTRY_CODES:
        return country_name(_COUNTRY_CODES[text])
    return text


def _table(table: Table) -> Table:
    return replace(
        table,
        title=_(table.title),
        columns=[_(column) for column in table.columns],
        rows=[[label(row[0], table.labels), *row[1:]] if row else row for row in table.rows],
        note=_(table.note) if table.note else "",
    )


def _chart(chart: Chart, tables: dict[str, Table]) -> Chart:
    mode = chart.labels or (tables[chart.table_key].labels if chart.table_key in tables else ALL)
    return replace(
        chart,
        title=_(chart.title),
        categories=[label(category, mode) for category in chart.categories],
        series=[Series(_(series.name), series.values) for series in chart.series],
    )


def localise(report: Report, viewer) -> Report:
    """The report as `viewer` reads it, in the current language (a copy; the kept one is unchanged)."""
    return replace(
        report,
        title=_(report.title),
        scope=scope_label(viewer),
        filter_line=report.filters.describe(),
        tables={key: _table(table) for key, table in report.tables.items()},
        charts=[_chart(chart, report.tables) for chart in report.charts],
        details=project_details(report.filters),
    )
