"""Report exports: CSV, XLSX (one sheet per table) and PDF (charts drawn as bars, then the tables).
Pure builders: they take a Report (the same object the page shows, app.reports.localise: in the
downloader's language) and return bytes."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from flask_babel import gettext as _

from app.reports.results import Chart, Report, Table, cell_text
from app.spreadsheets import csv_bytes, safe_cell

# fpdf2 subsets the TTF font through fontTools, which logs every table at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIRS = [
    Path(__file__).resolve().parent.parent / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
]


def _header(report: Report) -> list[list[str]]:
    return [[f"Liaison — {report.title}"], [report.scope], [report.filter_line], [report.produced_line],
            *([line] for line in report.details)]


def to_csv(report: Report, table_key: str | None = None) -> bytes:
    """All tables one after another (a title row, a header row, the rows, a blank line), or only
    `table_key`'s table as a plain CSV. UTF-8 with BOM so spreadsheet programs read it right."""
    if table_key:
        table = report.tables[table_key]
        return csv_bytes(table.columns, [_csv_row(row) for row in table.rows])
    rows: list[list] = list(_header(report))
    for table in report.tables.values():
        rows += [[], [table.title], list(table.columns), *(_csv_row(row) for row in table.rows)]
    return csv_bytes(None, rows)


def _csv_row(row) -> list:
    """A row as the page shows it (cell_text), numbers kept as numbers so that the formula guard
    (app.spreadsheets) quotes text only, never a negative figure."""
    return [round(value, 1) if isinstance(value, float) else cell_text(value) if value is None else value
            for value in row]


def sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" {n}"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    about.title = sheet_name(_("About"), set())
    for row in _header(report):
        about.append([safe_cell(value) for value in row])
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 90
    taken = {about.title.lower()}
    for table in report.tables.values():
        sheet = workbook.create_sheet(sheet_name(table.title, taken))
        sheet.append([safe_cell(value) for value in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe_cell(value) for value in row])
        if table.note:
            sheet.append([])
            sheet.append([safe_cell(table.note)])
        sheet.column_dimensions["A"].width = max(18, min(50, max((len(str(r[0])) for r in table.rows), default=10) + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# PDF

PDF_PALETTE = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0)]


def _font_path(name: str) -> Path | None:
    for folder in FONT_DIRS:
        path = folder / name
        if path.exists():
            return path
    return None


class _Pdf:
    def __init__(self, report: Report):
        from fpdf import FPDF

        self.report = report
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(True, margin=15)
        regular, bold = _font_path("DejaVuSans.ttf"), _font_path("DejaVuSans-Bold.ttf")
        if regular:
            pdf.add_font("Body", "", str(regular))
            pdf.add_font("Body", "B", str(bold or regular))
            self.family = "Body"
        else:  # pragma: no cover - the font ships with the system image
            self.family = "Helvetica"
        pdf.set_title(f"Liaison — {report.title}")
        pdf.set_creator("Liaison")
        pdf.alias_nb_pages()
        self.pdf = pdf

    def text(self, value: str) -> str:
        if self.family == "Helvetica":  # pragma: no cover
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def line(self, value: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, self.text(value), new_x="LMARGIN", new_y="NEXT")

    def ensure_room(self, height: float) -> None:
        pdf = self.pdf
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()

    def chart(self, chart: Chart) -> None:
        pdf = self.pdf
        rows = len(chart.categories)
        row_height = 5.0
        self.ensure_room(12 + row_height * max(rows, 1) + (6 if len(chart.series) > 1 else 0))
        self.line(chart.title, size=11, bold=True, height=6)
        pdf.set_font(self.family, "", 8)
        if not rows:
            self.line(_("No data for this filter."), size=9)
            pdf.ln(2)
            return
        left = pdf.l_margin
        if len(chart.series) > 1:
            x = left
            for index, series in enumerate(chart.series):
                pdf.set_fill_color(*PDF_PALETTE[index % len(PDF_PALETTE)])
                pdf.rect(x, pdf.get_y() + 1, 3, 3, style="F")
                pdf.set_xy(x + 4, pdf.get_y())
                pdf.cell(pdf.get_string_width(series.name) + 2, 5, self.text(series.name))
                x += pdf.get_string_width(series.name) + 10
            pdf.ln(6)
        label_width, value_width = 55.0, 14.0
        span = pdf.w - pdf.l_margin - pdf.r_margin - label_width - value_width
        totals = chart.totals  # once, not once per row
        scale_max = chart.maximum or max(totals) or 1
        for i, category in enumerate(chart.categories):
            self.ensure_room(row_height)
            y = pdf.get_y()
            label = category if pdf.get_string_width(category) < label_width - 2 else category[:28] + "…"
            pdf.set_xy(left, y)
            pdf.cell(label_width - 2, row_height, self.text(label), align="R")
            x = left + label_width
            for index, series in enumerate(chart.series):
                width = span * (series.values[i] or 0) / scale_max
                if width > 0:
                    pdf.set_fill_color(*PDF_PALETTE[index % len(PDF_PALETTE)])
                    pdf.rect(x, y + 0.8, width, row_height - 1.6, style="F")
                x += width
            pdf.set_xy(x + 1, y)
            pdf.cell(value_width, row_height, cell_text(totals[i]))
            pdf.set_xy(left, y + row_height)
        pdf.ln(3)

    def table(self, table: Table) -> None:
        """Plain cells, one line a row (fpdf2's table() wraps text but is ten times slower)."""
        pdf = self.pdf
        row_height = 4.8
        self.ensure_room(6 + row_height * min(len(table.rows) + 1, 4))
        self.line(table.title, size=11, bold=True, height=6)
        columns = len(table.columns)
        usable = pdf.w - pdf.l_margin - pdf.r_margin
        first = min(70.0, usable * (0.4 if columns > 2 else 0.6))
        widths = [first, *([(usable - first) / max(columns - 1, 1)] * (columns - 1))]

        def draw(cells: list[str], *, heading: bool = False, shade: bool = False) -> None:
            self.ensure_room(row_height)
            pdf.set_font(self.family, "B" if heading else "", 7.5 if heading else 8)
            pdf.set_fill_color(*((222, 226, 230) if heading else (244, 246, 248)))
            for index, (text, width) in enumerate(zip(cells, widths, strict=True)):
                while len(text) > 1 and pdf.get_string_width(text) > width - 1.5:
                    text = text[:-2] + "…"
                pdf.cell(width, row_height, self.text(text), border="B", align="L" if index == 0 else "R",
                         fill=heading or shade)
            pdf.ln(row_height)

        draw(list(table.columns), heading=True)
        for number, row in enumerate(table.rows):
            draw([cell_text(value) for value in row], shade=number % 2 == 1)
        if not table.rows:
            self.line(_("No data for this filter."), size=8)
        if table.note:
            self.line(table.note, size=8)
        pdf.ln(3)

    def build(self) -> bytes:
        report, pdf = self.report, self.pdf
        pdf.add_page()
        self.line(f"Liaison — {report.title}", size=16, bold=True, height=8)
        self.line(report.scope)
        self.line(report.filter_line)
        self.line(report.produced_line)
        for detail in report.details:
            self.line(detail)
        pdf.ln(3)
        summary = report.tables.get("summary")
        if summary is not None:
            self.table(summary)
        for chart in report.charts:
            self.chart(chart)
        for key, table in report.tables.items():
            if key != "summary":
                self.table(table)
        return bytes(pdf.output())


def to_pdf(report: Report) -> bytes:
    return _Pdf(report).build()
