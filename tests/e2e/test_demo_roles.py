"""The demo is browsable by each role in a real browser; the sign-in page lists the demo logins only
in demo mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.accounts.views import DEMO_LOGINS, DEMO_PASSWORD
from app.demo.data import load_demo
from tests.e2e.conftest import sign_in


@pytest.fixture
def demo(app):
    load_demo()
    previous = app.config.get("DEMO_MODE")
    app.config["DEMO_MODE"] = True
    yield
    app.config["DEMO_MODE"] = previous


def test_each_demo_role_signs_in_and_sees_the_home_page_with_its_badge(page, demo):
    for email, role in DEMO_LOGINS:
        page.context.clear_cookies()
        page.goto("/login")
        listing = page.get_by_test_id("demo-logins")
        expect(listing).to_be_visible()
        assert email in listing.inner_text()
        sign_in(page, email, DEMO_PASSWORD)
        page.wait_for_url("**/")
        expect(page.get_by_role("heading", name="Welcome,")).to_be_visible()
        badge = page.get_by_test_id("nav-profile").locator(".badge")
        # The organisation admin is a member by role who decides their organisation's requests.
        assert badge.inner_text() == ("Member" if role == "Organisation admin" else role)


def test_coordinator_browses_the_directory(page, demo):
    sign_in(page, "coordinator@liaison.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_test_id("nav-manage").click()  # the coordinator's directory is under "Manage"
    page.get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Organisations").first.click()
    expect(page.get_by_role("link", name="Europol", exact=True)).to_be_visible()
    page.get_by_label("Search").fill("Moldova")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="General Police Inspectorate of Moldova", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Europol", exact=True)).to_have_count(0)


def test_sign_in_page_hides_demo_logins_outside_demo_mode(page, app):
    load_demo()
    assert not app.config.get("DEMO_MODE")
    page.goto("/login")
    assert page.get_by_test_id("demo-logins").count() == 0
    assert DEMO_PASSWORD not in page.content()
