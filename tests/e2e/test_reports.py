"""A coordinator opens the dashboard, filters it by a project and downloads the XLSX."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.reports import dataset


def test_coordinator_filters_dashboard_by_project_and_downloads_xlsx(page, app, tmp_path):
    data = dataset.build()
    sign_in(page, data.coordinator.email, PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/reports/")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    assert page.locator('[data-figure="Registrations"]').inner_text() == "11"
    # A chart's data table is one click away.
    details = page.get_by_test_id("details-participants_by_country")
    details.locator("summary").click()
    expect(details.get_by_role("table")).to_be_visible()

    page.get_by_label("Project").select_option(label="ALPHA")
    page.get_by_role("button", name="Apply filter").click()
    page.wait_for_url(f"**/reports/?*project={data.alpha.id}*")
    assert page.get_by_test_id("report-filter").inner_text() == "Filter: project ALPHA"
    assert page.locator('[data-figure="Registrations"]').inner_text() == "5"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path)
    assert workbook["About"]["A3"].value == "Filter: project ALPHA"
    figures = {row[0]: row[1] for row in workbook["Key figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["Registrations"] == 5
    assert figures["People registered"] == 4
