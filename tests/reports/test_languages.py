"""Reports in the viewer's language: one built report (kept in the cache and the shared snapshot, in
English) is shown to each viewer in theirs, on the page and in the exports. A small Ukrainian
catalog is installed for the test, so it checks translated output whatever app/translations holds."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from app.extensions import db
from app.reports import cache
from app.reports.charts import svg
from app.reports.results import Chart, Series
from tests.reports import dataset
from tests.scheduler.reminder_uk import catalog_installed

UK = {
    "Dashboard": "Панель показників",
    "Key figures": "Основні показники",
    "Registrations": "Реєстрації",
    "Events by kind": "Заходи за видом",
    "Event kind": "Вид заходу",
    "Held": "Проведені",
    "Workshop": "Семінар",
    "Not recorded": "Не зазначено",
    "Scope: the whole network": "Охоплення: уся мережа",
    "Filter: none (all events)": "Фільтр: немає (усі заходи)",
    "Produced %(when)s UTC": "Підготовлено %(when)s UTC",
    "About": "Про звіт",
    ("%(items)s; and %(num)d more", "%(items)s; and %(num)d more"):
        ("%(items)s; і ще %(num)d", "%(items)s; і ще %(num)d", "%(items)s; і ще %(num)d"),
}


@pytest.fixture
def data(app):
    return dataset.build()


@pytest.fixture
def ukrainian(app, tmp_path):
    with catalog_installed(app, tmp_path, "uk", UK):
        yield


@pytest.fixture
def cached(app):
    app.config["REPORTS_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    app.config.pop("REPORTS_CACHE_SECONDS")
    cache.clear()


def test_one_kept_report_is_shown_to_each_viewer_in_their_language(data, login, ukrainian, cached):
    data.coordinator.language = "uk"
    db.session.commit()
    ukrainian_page = login(data.coordinator).get("/reports/").get_data(as_text=True)
    assert "<h1>Панель показників</h1>" in ukrainian_page
    assert "Охоплення: уся мережа" in ukrainian_page and "Фільтр: немає (усі заходи)" in ukrainian_page
    assert 'data-figure="Реєстрації">11<' in ukrainian_page
    assert "Заходи за видом" in ukrainian_page and ">Семінар<" in ukrainian_page  # an enum label, translated
    assert "Підготовлено 15 черв. 2026" in ukrainian_page  # Babel's month name

    # The report it was built from is kept in English, and an English viewer gets English from it.
    kept = cache.get("dashboard", data.coordinator, cache.ReportFilter())
    assert kept.title == "Dashboard" and kept.tables["events_by_kind"].title == "Events by kind"
    assert "Workshop" in kept.tables["events_by_kind"].column("Event kind")
    english = login(data.organiser).get("/reports/?lang=en").get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in english and "Панель" not in english


def test_exports_speak_the_downloaders_language(data, login, ukrainian):
    data.coordinator.language = "uk"
    db.session.commit()
    client = login(data.coordinator)
    rows = list(csv.reader(io.StringIO(client.get("/reports/dashboard.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Liaison — Панель показників"] and ["Заходи за видом"] in rows
    header = next(row for row in rows if row and row[0] == "Вид заходу")
    assert header[1] == "Проведені" and not {"Planned", "Cancelled", "Total"} & set(header)
    workbook = load_workbook(io.BytesIO(client.get("/reports/dashboard.xlsx").data))
    assert workbook.sheetnames[:3] == ["Про звіт", "Основні показники", "Заходи за видом"]


def test_chart_description_counts_the_rest_with_plural_forms(app, ukrainian):
    chart = Chart("c", "People by country", "t", [f"Country {i}" for i in range(36)],
                  [Series("People", list(range(36)))])
    with app.test_request_context("/?lang=uk"):
        refresh()  # the test's app context is shared: forget the language chosen before
        assert "; і ще 21." in str(svg(chart))
    with app.test_request_context("/?lang=en"):
        refresh()
        assert "; and 21 more." in str(svg(chart))
