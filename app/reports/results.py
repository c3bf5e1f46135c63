"""What a report is made of: tables, charts (series over categories) and the report itself — plain
data, the same objects the page, the charts, the exports and the snapshots read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.reports.scope import ReportFilter


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

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

    @property
    def totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.categories))]

    def description(self) -> str:
        if not self.categories:
            return f"{self.title}: no data for this filter."
        names = ", ".join(s.name for s in self.series)
        items = []
        for i, category in enumerate(self.categories[:15]):
            values = " / ".join(cell_text(s.values[i]) for s in self.series)
            items.append(f"{category}: {values}")
        more = f"; and {len(self.categories) - 15} more" if len(self.categories) > 15 else ""
        return f"{self.title} ({names}). " + "; ".join(items) + more + "."


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
        return "Produced " + self.produced_at.strftime("%d %b %Y, %H:%M UTC")

    def figure(self, label: str):
        return self.tables["summary"].value(label)


def cell_text(value) -> str:
    """How a cell reads on screen and in CSV: the same text in both places."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
