"""What a report is made of: tables, charts (series over categories) and the report itself — plain
data, the same objects the page, the charts, the exports and the snapshots read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext

from app.i18n import format_pattern, formatting_locale
from app.reports.scope import ReportFilter


def N_(text: str) -> str:
    """Mark a label for extraction (pybabel -k N_): reports are built and kept in English, shared
    by every viewer, and translated when shown (app.reports.localise)."""
    return text


# How the first cells of a table (and a chart's categories) are shown in the viewer's language:
# ALL labels are our words (msgids), COUNTRY labels are English country names, NONE are the users'
# own words (project acronyms, themes) or ISO months. UNKNOWN-like labels
# (app.reports.tables.UNKNOWN, NO_THEME) are translated in every mode.
ALL, COUNTRY, NONE = "all", "country", "none"


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    labels: str = ALL

    def column(self, name: str) -> list:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def value(self, label: str, column: int = 1):
        """The value in `column` of the row whose first cell is `label` (tests and charts)."""
        for row in self.rows:
            if row[0] == label:
                return row[column]
        raise KeyError(label)


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    key: str
    title: str
    table_key: str
    categories: list[str]
    series: list[Series]
    vertical: bool = False  # columns (time on the x axis) instead of horizontal bars
    maximum: float | None = None  # fixed scale (e.g. 5 for ratings); else the largest total
    labels: str | None = None  # how categories are shown (None: as its table's first cells)

    @property
    def totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.categories))]

    def description(self) -> str:
        """The chart's data in words, for screen readers (in the current language)."""
        if not self.categories:
            return _("%(title)s: no data for this filter.", title=self.title)
        names = ", ".join(s.name for s in self.series)
        items = []
        for i, category in enumerate(self.categories[:15]):
            values = " / ".join(cell_text(s.values[i]) for s in self.series)
            items.append(f"{category}: {values}")
        text = "; ".join(items)
        if len(self.categories) > 15:
            rest = len(self.categories) - 15
            text = ngettext("%(items)s; and %(num)d more", "%(items)s; and %(num)d more", rest, items=text)
        return f"{self.title} ({names}). {text}."


@dataclass
class Report:
    title: str
    scope: str
    filters: ReportFilter
    filter_line: str
    produced_at: datetime
    tables: dict[str, Table]
    charts: list[Chart]
    overdue_actions: list[dict] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # e.g. the filtered project's title and grant

    @property
    def produced_line(self) -> str:
        return _("Produced %(when)s UTC", when=format_pattern(self.produced_at, "%d %b %Y, %H:%M"))

    def figure(self, label: str):
        return self.tables["summary"].value(label)


def cell_text(value) -> str:
    """How a cell reads on screen and in CSV: the same text in both places."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_decimal(value, "0.0", locale=formatting_locale())
    return str(value)
