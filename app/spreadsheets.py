"""Cells and CSV files for spreadsheet programs: the one formula guard and the one CSV format.

A spreadsheet runs a cell that begins with =, +, - or @ as a formula (and a leading tab or carriage
return can hide one), so text from users must not reach a CSV or XLSX cell as is: OWASP's advice
is to prefix such a cell with a single quote, which makes the spreadsheet show it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a UTF-8 CSV right only when it starts with the byte order mark


def safe_cell(value):
    """`value` as a spreadsheet should receive it: text beginning with = + - @ tab or CR gets a
    leading single quote; anything else (numbers, dates, None, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence | None, rows: Iterable[Sequence]) -> str:
    """The rows (after the header row, if any) as CSV text: every cell through safe_cell(), None as
    an empty cell, lines ended by CRLF (RFC 4180). No byte order mark: see csv_bytes()."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow([safe_cell(value) for value in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_bytes(header: Sequence | None, rows: Iterable[Sequence]) -> bytes:
    """csv_text() encoded as UTF-8 with a byte order mark, for a download."""
    return (BOM + csv_text(header, rows)).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], title: str | None, fallback: str) -> bytes:
    """One sheet named `title`, else `fallback` (cut to Excel's 31 characters, without the ones it refuses):
    a bold, frozen header row sized to its labels, then the rows, every cell through safe_cell()."""
    from openpyxl import Workbook  # loaded by the workers that export, not at start-up
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or fallback)[:31].translate(str.maketrans("", "", "[]:*?/\\")) or fallback[:31]
    sheet.append([str(label) for label in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(str(label)) + 4)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
