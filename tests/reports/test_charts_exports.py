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


# The macros that wrote the report pages' tables before app.reports.page_html did (the reference:
# the Python writer must give the same markup).
FORMER_MACROS = """
{% macro cell(value) -%}{{ '–' if value is none else (value|decimalformat('0.0') if value is float else value) }}{%- endmacro %}
{% macro data_table(table, name, caption=True) -%}
<div class="table-responsive">
<table class="table table-sm table-striped align-middle report-figures" id="table-{{ table.key }}" data-table="{{ table.key }}">
  {% if caption %}<caption>{{ table.title }}{% if table.note %} — {{ table.note }}{% endif %}</caption>{% endif %}
  <thead><tr>{% for column in table.columns %}<th scope="col"{% if not loop.first %} class="text-end"{% endif %}>{{ column }}</th>{% endfor %}</tr></thead>
  <tbody>
  {%- for row in table.rows %}
    <tr>{% for value in row %}{% if loop.first %}<th scope="row">{{ value }}</th>{% else %}<td>{{ cell(value) }}</td>{% endif %}{% endfor %}</tr>
  {%- else %}
    <tr><td colspan="{{ table.columns|length }}" class="text-muted">{{ _("No data for this filter.") }}</td></tr>
  {% endfor %}
  </tbody>
</table>
</div>
<a class="small no-print" href="{{ url_for('reports.export', name=name, fmt='csv', table=table.key, **export_args) }}">{{ _("Download this table (CSV)") }}</a>
{%- endmacro %}
{% macro key_figures(table) -%}
<section aria-labelledby="key-figures" class="mb-4">
  <h2 class="h4" id="key-figures">{{ table.title }}</h2>
  {# A <dl> holds only dt/dd groups, each in one <div>: the grid comes from CSS (.key-figures). #}
  <dl class="key-figures report-figures" data-table="summary">
    {% for label, value in table.rows %}
    <div>
      <dt class="small text-muted fw-normal">{{ label }}</dt>
      <dd class="fs-4 mb-0" data-figure="{{ label }}">{{ cell(value) }}</dd>
    </div>
    {% endfor %}
  </dl>
</section>
{%- endmacro %}
{{ data_table(table, name, caption) }}|{{ key_figures(table) if table.columns|length == 2 else "" }}
"""


def test_tables_written_in_python_are_the_former_macros_markup(app):
    from flask import render_template_string
    from flask_babel import refresh

    from app.reports.page_html import TableWriter

    tables = [
        Table("by_country", "People by <country>", ["Country", "People", "Rate (%)"],
              [["Ukraine", 4, 66.7], ["Moldova <&>", 2, None], ["\"Quoted\"", 0, 0.25]], note="A note & more"),
        Table("empty", "Nothing", ["Figure", "Value"]),
        Table("summary", "Key figures", ["Figure", "Value"], [["Events held", 3], ["Rate", 12.34], ["None", None]]),
    ]
    for language in ("en", "uk", "sr_Latn"):
        for name, export_args in (("dashboard", {}), ("participation", {"country": "UA", "kind": "training"})):
            with app.test_request_context(f"/reports/?lang={language}"):
                refresh()  # (the test's app context keeps the locale of the language before)
                writer = TableWriter(name, export_args)
                for table in tables:
                    for caption in (True, False):
                        expected = render_template_string(FORMER_MACROS, table=table, name=name, caption=caption,
                                                          export_args=export_args)
                        figures = writer.key_figures(table) if len(table.columns) == 2 else ""
                        written = f"{writer.table(table, caption)}|{figures}"
                        assert written == expected.lstrip("\n"), (language, table.key, caption)
