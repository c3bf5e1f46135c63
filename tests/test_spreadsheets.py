"""The one formula guard and CSV format every spreadsheet export goes through (app.spreadsheets)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.spreadsheets import csv_bytes, csv_text, safe_cell


@pytest.mark.parametrize("value", ["=1+1", "+32 2 555 0100", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd",
                                   '=HYPERLINK("http://evil.example","click")'])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ana Popescu", "", " =not first", "a=b", "100%", "'already", None, 5, -5,
                                   1.5, date(2026, 12, 4)])
def test_other_values_are_unchanged(value):
    assert safe_cell(value) == value


def test_csv_text_guards_every_cell_and_ends_lines_with_crlf():
    text = csv_text(["Name", "Note"], [["=2+3", None], ["Ковальчук, Ана", 'say "hi"'], [7, "-x"]])
    assert text == 'Name,Note\r\n\'=2+3,\r\n"Ковальчук, Ана","say ""hi"""\r\n7,\'-x\r\n'
    assert list(csv.reader(io.StringIO(text))) == [["Name", "Note"], ["'=2+3", ""], ["Ковальчук, Ана", 'say "hi"'],
                                                   ["7", "'-x"]]


def test_csv_bytes_is_utf8_with_a_bom_and_the_header_is_optional():
    body = csv_bytes(None, [["Україна", 4]])
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig") == "Україна,4\r\n"
    assert csv_bytes(["A"], []).decode("utf-8-sig") == "A\r\n"
