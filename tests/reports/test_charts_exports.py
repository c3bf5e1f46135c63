"""The pure builders: SVG charts (accessible, CSP-safe) and the export formats."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from app.reports import charts, exports
from app.reports.results import Chart, Report, Series, Table
from app.reports.scope import ReportFilter


def a_chart(**kw) -> Chart:
    defaults = dict(key="by_country", title="People by country", table_key="by_country",
                    categories=["Ukraine", "Moldova <&>"], series=[Series("People", [4, 2])])
    return Chart(**{**defaults, **kw})


def test_bar_chart_is_accessible_svg_without_inline_styles():
    markup = str(charts.svg(a_chart()))
    assert markup.startswith("<svg") and 'role="img"' in markup
    assert '<title id="chart-by_country-title">People by country</title>' in markup
    assert "Ukraine: 4; Moldova &lt;&amp;&gt;: 2" in markup  # the description reads the values
    assert "style=" not in markup and "<script" not in markup
    assert markup.count("<rect") == 2
    # Bars are proportional: the largest fills the plot, the other half of it.
    widths = [float(part.split('"')[0]) for part in markup.split('width="')[2:]]
    assert widths[0] == 2 * widths[1]


def test_stacked_columns_and_legend_for_months():
    chart = a_chart(key="months", categories=["2026-01", "2026-02"], vertical=True,
                    series=[Series("Held", [1, 0]), Series("Planned", [0, 3])])
    markup = str(charts.svg(chart))
    assert "Held" in markup and "Planned" in markup and 'transform="rotate(-45' in markup
    assert "<title>2026-02, Planned: 3</title>" in markup


def test_empty_chart_says_so():
    markup = str(charts.svg(a_chart(categories=[], series=[Series("People", [])])))
    assert "No data for this filter." in markup


def small_report() -> Report:
    summary = Table("summary", "Key figures", ["Figure", "Value"], [["Registrations", 7], ["Rate (%)", 50.0], ["None", None]])
    country = Table("by_country", "People by country: Ukraine/Moldova [test]", ["Country", "People"],
                    [["Україна", 4], ["Moldova", 2]])
    return Report("Dashboard", "Scope: the whole network", ReportFilter(), "Filter: none (all events)",
                  datetime(2026, 6, 15, 12, tzinfo=UTC), {"summary": summary, "by_country": country},
                  [a_chart(categories=["Україна", "Moldova"])])


def test_csv_uses_the_screen_text_of_each_value():
    body = exports.to_csv(small_report()).decode("utf-8-sig")
    assert "Registrations,7\r\nRate (%),50.0\r\nNone,–" in body
    assert exports.to_csv(small_report(), "by_country").decode("utf-8-sig") == "Country,People\r\nУкраїна,4\r\nMoldova,2\r\n"


def test_xlsx_sheet_names_are_valid_and_values_numeric():
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(small_report())))
    assert workbook.sheetnames == ["About", "Key figures", "People by country  Ukraine Mold"]
    assert workbook["Key figures"]["B2"].value == 7 and workbook["Key figures"]["B3"].value == 50.0
    assert workbook["People by country  Ukraine Mold"]["A2"].value == "Україна"
    taken: set[str] = set()
    assert [exports.sheet_name("Same", taken) for _ in range(3)] == ["Same", "Same 2", "Same 3"]


def test_pdf_draws_unicode_text_and_charts():
    reader = PdfReader(io.BytesIO(exports.to_pdf(small_report())))
    text = reader.pages[0].extract_text()
    assert "Filter: none (all events)" in text and "Україна" in text and "People by country" in text
