"""Dashboard charts (issue 23): labels were cut off on the left. Drawn in Chromium, every label of a
chart lies inside the chart, with long labels (Latin, Cyrillic, Georgian) wrapped onto two lines."""

from __future__ import annotations

import pytest

from app.reports import charts
from app.reports.results import Chart, Series

LONG = [
    "Border and Coast Guard Agency of North Macedonia",
    "Criminal finances, money laundering and asset recovery (horizontal) (EMPACT 2022-2025)",
    "Overdue (open or in progress)",
    "Генеральний інспекторат поліції Республіки Молдова",
    "საქართველოს შინაგან საქმეთა სამინისტრო",
    "Europol",
    "Serbia",
]
FONTS = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Liberation Sans",Arial,sans-serif'
MONTHS = ["вересень 2026", "жовтень 2026", "листопад 2026", "грудень 2026", "Jan 2027", "Feb 2027"]

# Each text's box in the SVG's own coordinates, and the chart's width and height.
BOXES = """() => {
  const svg = document.querySelector('svg');
  const view = svg.viewBox.baseVal;
  return {width: view.width, height: view.height, boxes: [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    const m = t.getCTM(), s = svg.getCTM().inverse().multiply(m);
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
      .map(([x, y]) => ({x: s.a * x + s.c * y + s.e, y: s.b * x + s.d * y + s.f}));
    return {text: t.textContent, left: Math.min(...corners.map(c => c.x)), right: Math.max(...corners.map(c => c.x)),
            top: Math.min(...corners.map(c => c.y)), bottom: Math.max(...corners.map(c => c.y)),
            lines: t.querySelectorAll('tspan').length || 1};
  })};
}"""


@pytest.fixture
def drawn(_browser, app):
    page = _browser.new_page(viewport={"width": 800, "height": 900})

    def draw(chart: Chart) -> dict:
        with app.test_request_context("/"):
            markup = str(charts.svg(chart))
        # The dashboard's font (Bootstrap's system-ui stack: DejaVu Sans here, among the widest).
        page.set_content(f"<!doctype html><meta charset='utf-8'><body style='margin:0; font-family: {FONTS}'>{markup}</body>")
        return page.evaluate(BOXES)

    yield draw
    page.close()


def test_long_bar_labels_stay_inside_the_chart_on_two_lines(drawn):
    chart = Chart("by_organisation", "Participants by organisation", "t", LONG,
                  [Series("Participants", [12, 9, 7, 30, 4, 2, 1])])
    result = drawn(chart)
    labels = [box for box in result["boxes"] if box["lines"] > 1 or box["text"] in LONG]
    assert len(labels) == len(LONG)
    for box in result["boxes"]:
        assert box["left"] >= 0 and box["right"] <= result["width"], box
        assert box["top"] >= 0 and box["bottom"] <= result["height"], box
    assert sum(box["lines"] == 2 for box in labels) >= 2  # the long names wrap
    assert any(box["text"] == "Europol" for box in labels)  # a short one stays whole


def test_month_labels_under_columns_stay_inside_the_chart(drawn):
    chart = Chart("by_month", "Events by month", "t", MONTHS,
                  [Series("Events", [3, 5, 2, 4, 1, 6]), Series("Trainings", [1, 0, 2, 1, 1, 0])], vertical=True)
    result = drawn(chart)
    for box in result["boxes"]:
        assert box["left"] >= 0 and box["right"] <= result["width"], box
        assert box["top"] >= 0 and box["bottom"] <= result["height"], box
