"""The report pages' tables and key figures as HTML, written in Python (issue 19): a dashboard shows
about 600 cells, and a template macro per cell (its number formatted through Babel each time) cost
more than the rest of the page's body. The markup is what templates/reports/_report.html's macros
wrote (they call this); phrases are looked up once per page, every value is escaped as Jinja would,
each number formatted once per page."""

from __future__ import annotations

from flask import url_for
from flask_babel import format_decimal
from markupsafe import Markup

from app.escaping import escaped
from app.i18n import catalog
from app.reports.results import Table

_LABEL_HEADING = 'scope="col"'
_NUMBER_HEADING = 'scope="col" class="text-end"'


class TableWriter:
    """Writes the tables of one report page (`name`: dashboard or participation) for the filter's
    `export_args` (the CSV links)."""

    def __init__(self, name: str, export_args: dict):
        gettext = catalog().ugettext
        self.name = name
        self.export_args = export_args
        self.no_data = gettext("No data for this filter.") % {}
        self.download = gettext("Download this table (CSV)") % {}
        self.cells: dict = {}

    def cell(self, value) -> str:
        """The _report.html `cell` macro: – for none, a float with one decimal (the locale's way),
        anything else as it reads; escaped."""
        if value is None:
            return "–"
        key = (type(value), value)
        text = self.cells.get(key)
        if text is None:
            if isinstance(value, float):  # (flask_babel's, as the template's `decimalformat` filter)
                text = escaped(format_decimal(value, "0.0"))
            else:
                text = escaped(value)
            self.cells[key] = text
        return text

    def table(self, table: Table, caption: bool = True) -> Markup:
        """The _report.html `data_table` macro: the table, its caption (unless not `caption`) and
        the link to its CSV."""
        key = escaped(table.key)
        if caption:
            note = f" — {escaped(table.note)}" if table.note else ""
            caption_html = f"<caption>{escaped(table.title)}{note}</caption>"
        else:
            caption_html = ""
        head = "".join(f"<th {_NUMBER_HEADING if index else _LABEL_HEADING}>{escaped(column)}</th>"
                       for index, column in enumerate(table.columns))
        cell = self.cell
        if table.rows:
            body = "".join(
                f'\n    <tr><th scope="row">{escaped(row[0])}</th>{"".join(f"<td>{cell(value)}</td>" for value in row[1:])}</tr>'
                if row else "\n    <tr></tr>"
                for row in table.rows
            )
        else:
            body = (f'\n    <tr><td colspan="{len(table.columns)}" class="text-muted">{self.no_data}</td></tr>'
                    "\n  ")
        url = url_for("reports.export", name=self.name, fmt="csv", table=table.key, **self.export_args)
        return Markup(
            '<div class="table-responsive">\n'
            f'<table class="table table-sm table-striped align-middle report-figures" id="table-{key}" data-table="{key}">\n'
            f"  {caption_html}\n"
            f"  <thead><tr>{head}</tr></thead>\n"
            f"  <tbody>{body}\n"
            "  </tbody>\n"
            "</table>\n"
            "</div>\n"
            f'<a class="small no-print" href="{escaped(url)}">{self.download}</a>'
        )

    def key_figures(self, table: Table) -> Markup:
        """The _report.html `key_figures` macro: the summary table as a <dl>."""
        cell = self.cell
        items = "".join(
            f"\n    <div>\n"
            f'      <dt class="small text-muted fw-normal">{label}</dt>\n'
            f'      <dd class="fs-4 mb-0" data-figure="{label}">{cell(value)}</dd>\n'
            "    </div>\n    "
            for label, value in ((escaped(row[0]), row[1]) for row in table.rows)
        )
        return Markup(
            '<section aria-labelledby="key-figures" class="mb-4">\n'
            f'  <h2 class="h4" id="key-figures">{escaped(table.title)}</h2>\n'
            "  \n"
            '  <dl class="key-figures report-figures" data-table="summary">\n'
            f"    {items}\n"
            "  </dl>\n"
            "</section>"
        )
