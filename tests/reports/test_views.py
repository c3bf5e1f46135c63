"""Report pages and exports through the HTTP client: permissions, filters in the query string,
the same numbers on screen and in the CSV/XLSX/PDF, and a bounded number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event as sa_event

from app.extensions import db
from tests.reports import dataset


@pytest.fixture
def data(app):
    return dataset.build()


def screen_figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)</dd>', html))


def csv_section(body: str, title: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    start = rows.index([title]) + 2
    section = {}
    for row in rows[start:]:
        if not row:
            break
        section[row[0]] = row[1:]
    return section


@pytest.mark.parametrize("path", ["/reports/", "/reports/participation", "/reports/dashboard.csv",
                                  "/reports/dashboard.xlsx", "/reports/participation.pdf"])
def test_members_may_not_see_reports(data, login, client, path):
    assert login(data.member).get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dashboard_shows_figures_charts_and_their_tables(data, login):
    response = login(data.coordinator).get("/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figures = screen_figures(html)
    assert figures["Registrations"] == "11"
    assert figures["People registered"] == "5"
    assert figures["Attendance rate at held events (%)"] == "66.7"
    assert figures["Training hours delivered"] == "14.5"
    assert figures["Certificates issued"] == "3"
    assert figures["Overdue follow-up actions"] == "1"
    assert "Scope: the whole network" in html and "Filter: none (all events)" in html
    assert "Produced 15 Jun 2026, 12:00 UTC" in html
    # Every chart is an accessible SVG with its data table one click away.
    for key in ["events_by_month", "events_by_kind", "participants_by_country",
                "participants_by_organisation_type", "lessons_by_status", "lessons_by_theme", "actions"]:
        assert f'data-chart="{key}"' in html
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
        assert f'<details class="mt-2" data-testid="details-{key}">' in html
        assert f'id="table-{key}"' in html
    assert "Overdue action" in html
    assert " style=" not in html and "<script>" not in html


def test_organiser_dashboard_covers_only_their_events(data, login):
    html = login(data.organiser).get("/reports/").get_data(as_text=True)
    figures = screen_figures(html)
    assert figures["Events held"] == "1" and figures["Events planned"] == "1"
    assert figures["Registrations"] == "4" and figures["People registered"] == "3"
    assert "Scope: events organised by Olga Organiser" in html
    assert "Overdue action" in html  # the action on Olga's workshop


def test_filters_come_from_the_query_string(data, login):
    client = login(data.coordinator)
    html = client.get(f"/reports/?project={data.alpha.id}&date_from=2026-01-01&date_to=2026-12-31").get_data(as_text=True)
    assert "Filter: period 2026-01-01 to 2026-12-31; project ALPHA" in html
    assert screen_figures(html)["Registrations"] == "5"
    # The export links carry the same filter.
    assert f"/reports/dashboard.xlsx?date_from=2026-01-01&amp;date_to=2026-12-31&amp;project={data.alpha.id}" in html


@pytest.mark.parametrize("query", ["date_from=2026-13-01", "date_from=2026-06-01&date_to=2026-05-01",
                                   "project=999", "kind=party", "country=ZZ", "theme=abc"])
def test_bad_filter_is_shown_again_with_an_error(data, login, query):
    client = login(data.coordinator)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is-invalid" in html and "The filter is not valid" in html
    assert client.get(f"/reports/participation?{query}").status_code == 422
    assert client.get(f"/reports/dashboard.xlsx?{query}").status_code == 422


def test_period_end_before_start_is_explained(data, login):
    html = login(data.coordinator).get("/reports/?date_from=2026-06-01&date_to=2026-05-01").get_data(as_text=True)
    assert "The end of the period must be on or after its start." in html


def test_csv_export_has_the_screen_numbers(data, login):
    client = login(data.coordinator)
    query = f"?project={data.alpha.id}"
    figures = screen_figures(client.get("/reports/participation" + query).get_data(as_text=True))
    response = client.get("/reports/participation.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert "Filter: project ALPHA" in body and "Produced 15 Jun 2026, 12:00 UTC" in body
    summary = csv_section(body, "Participation")
    assert {label: values[0] for label, values in summary.items()} == figures
    assert summary["Registrations"] == ["5"]
    assert csv_section(body, "Participants by country")["Ukraine"] == ["2", "3", "3", "2"]


def test_single_table_csv(data, login):
    client = login(data.coordinator)
    body = client.get("/reports/dashboard.csv?table=events_by_month").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[:2] == [["Month", "Held", "Planned"], ["2026-03", "1", "0"]]
    assert client.get("/reports/dashboard.csv?table=nope").status_code == 404


def test_xlsx_export_has_one_sheet_per_table_and_the_screen_numbers(data, login):
    client = login(data.coordinator)
    figures = screen_figures(client.get("/reports/").get_data(as_text=True))
    response = client.get("/reports/dashboard.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:4] == ["About", "Key figures", "Events by kind", "Events by month"]
    assert "Participants by country" in workbook.sheetnames and "Follow-up actions" in workbook.sheetnames
    assert workbook["About"]["A3"].value == "Filter: none (all events)"
    sheet = workbook["Key figures"]
    from_sheet = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert from_sheet["Registrations"] == 11 and from_sheet["Training hours delivered"] == 14.5
    shown = {label: ("–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value)))
             for label, value in from_sheet.items()}
    assert shown == figures
    months = list(workbook["Events by month"].iter_rows(values_only=True))
    assert months[0] == ("Month", "Held", "Planned") and months[3] == ("2026-05", 2, 0)


def test_pdf_report_states_filter_and_time_and_has_the_figures(data, login):
    response = login(data.coordinator).get(f"/reports/participation.pdf?project={data.alpha.id}&country=UA")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Filter: project ALPHA; country Ukraine" in text
    assert "Produced 15 Jun 2026, 12:00 UTC" in text
    assert "Participants by country" in text and "Certificates issued" in text
    response = login(data.coordinator).get("/reports/dashboard.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Filter: none (all events)" in text and "Events by month of start" in text


def _count_queries(client, url: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def _grow(data, factor: int = 15):
    """Many more events, people, registrations, sessions, lessons, actions and feedback."""
    from tests import factories

    db.session.rollback()  # end this session's read snapshot: the requests wrote since (SQLite WAL)
    people = [factories.user(organisation=factories.organisation(country="RO")) for _ in range(factor)]
    themes = [factories.theme() for _ in range(5)]
    for n in range(factor):
        event = factories.event(kind=["training", "workshop", "webinar"][n % 3],
                                starts_at=dataset.NOW - timedelta(days=10 + 7 * n), country="RO",
                                projects=[data.alpha, data.beta], themes=themes[:2], created_by=data.organiser)
        session = factories.session(event, kind="training", hours=2)
        for person in people:
            registration = factories.registration(event, person, checked_in=n % 2 == 0)
            dataset.feedback(registration, 4, 4, 4)
            factories.session_attendance(registration, session, event.starts_at)
        lesson = factories.lesson(event, status="validated", themes=themes)
        factories.action(None, dataset.NOW.date() - timedelta(days=n + 1), lesson=lesson)
    db.session.commit()


@pytest.mark.parametrize("path", ["/reports/", "/reports/participation"])
def test_query_count_does_not_grow_with_data(data, login, path):
    client = login(data.coordinator)
    url = f"{path}?project={data.alpha.id}&theme={data.cyber.id}"
    small_unfiltered, small = _count_queries(client, path), _count_queries(client, url)
    _grow(data)
    large_unfiltered, large = _count_queries(client, path), _count_queries(client, url)
    assert large_unfiltered == small_unfiltered and large == small
    assert small <= 30
    figures = screen_figures(client.get(path).get_data(as_text=True))
    assert int(figures["Registrations"]) == 11 + 15 * 15


def test_built_report_is_reused_for_a_short_while(data, login, app):
    from app.reports import cache

    client = login(data.coordinator)
    app.config["REPORTS_CACHE_SECONDS"] = 60
    try:
        first = _count_queries(client, "/reports/")
        again = _count_queries(client, "/reports/")
        # The signed-in user, the filter's choices (and at most once a second, when the shared
        # snapshot was produced).
        assert again < first and again <= 5
        # The XLSX within the cache time has exactly the figures of the page.
        workbook = load_workbook(io.BytesIO(client.get("/reports/dashboard.xlsx").data))
        assert workbook["Key figures"]["B5"].value == 11
        # Organisers never get the network's figures from the cache.
        html = login(data.organiser).get("/reports/").get_data(as_text=True)
        assert screen_figures(html)["Registrations"] == "4"
    finally:
        app.config.pop("REPORTS_CACHE_SECONDS")
        cache.clear()


def test_organiser_exports_cover_only_their_events(data, login):
    client = login(data.organiser)
    workbook = load_workbook(io.BytesIO(client.get("/reports/participation.xlsx").data))
    assert workbook["About"]["A2"].value == "Scope: events organised by Olga Organiser"
    figures = {row[0]: row[1] for row in workbook["Participation"].iter_rows(min_row=2, values_only=True)}
    assert figures["Registrations"] == 4 and figures["People registered"] == 3
    projects = {row[0]: row[1:] for row in workbook["Participation by project"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(projects) - {"An event linked to several projects counts for each of them."} == {"ALPHA", "BETA"}
    assert projects["ALPHA"] == (1, 2, 2, 1)  # E1 only: Alice (attended) and Bob
