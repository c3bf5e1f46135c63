"""Real browser: a participant proposes a topic on a phone, another supports it, the organiser accepts
it and puts it on the agenda in one step; the session shows the proposer as speaker."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.contributions.calls import save_call
from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def fixed_clock(app):
    """After `app` (which resets the clock): the server's clock stands still at NOW."""
    set_now(NOW)
    yield
    set_now(None)


def test_a_proposal_from_a_phone_becomes_an_agenda_session(app, fixed_clock, browser, live_server, page, new_page,
                                                           make, db):
    organiser = make.user(role="organiser", email="org@police.example", name="Nino Beridze")
    event = make.event("Cross-regional meeting on migrant smuggling routes", organisers=[organiser],
                       created_by=organiser, starts_at=datetime(2026, 10, 1, 7, 0, tzinfo=UTC), days=2,
                       timezone="Europe/Skopje")
    for email, name in (("milica@mup.example.rs", "Milica Jovanović"), ("natalia@border.example.md", "Natalia Ciobanu")):
        make.registration(event, make.user(email=email, name=name))
    save_call(organiser, event, NOW + timedelta(days=10), "Recent cases are welcome.")
    event_id = event.id

    phone_context = browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Belgrade", **PHONE)
    phone = phone_context.new_page()
    try:
        sign_in(phone, "milica@mup.example.rs", PASSWORD)
        phone.goto(f"/events/{event_id}")
        panel = phone.get_by_test_id("call-panel")
        expect(panel).to_contain_text("11 Sept 2026")
        panel.get_by_role("link", name="Propose a topic").click()
        phone.get_by_label("A case to present").check()
        phone.get_by_label("Title").fill("Drivers recruited on Telegram")
        phone.get_by_label("Short description").fill("How one network recruited drivers and paid them in crypto.")
        phone.get_by_label("Kind of session").select_option("panel")
        phone.get_by_role("button", name="Send my proposal").click()
        phone.wait_for_url(re.compile(rf"/events/{event_id}/proposals$"))
        expect(phone.get_by_test_id("proposal")).to_contain_text("Drivers recruited on Telegram")
        # Nothing sticks out of the phone's screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        phone_context.close()

    other = new_page()
    sign_in(other, "natalia@border.example.md", PASSWORD)
    other.goto(f"/events/{event_id}/proposals")
    other.get_by_role("button", name="Support").click()
    expect(other.get_by_test_id("support-count")).to_have_text("1 supporter")

    sign_in(page, "org@police.example", PASSWORD)
    page.goto(f"/events/{event_id}/proposals")
    page.get_by_role("link", name="Review").click()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/schedule$"))
    expect(page.get_by_test_id("from-proposal")).to_contain_text("Milica Jovanović")
    expect(page.get_by_label("Title")).to_have_value("Drivers recruited on Telegram")
    page.get_by_label("Starts").fill("2026-10-02T14:00")
    page.get_by_label("Ends", exact=True).fill("2026-10-02T15:00")
    page.get_by_role("button", name="Add session").click()
    page.wait_for_url(re.compile(rf"/events/{event_id}(#agenda)?$"))
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Drivers recruited on Telegram")
    expect(agenda).to_contain_text("Milica Jovanović")

    other.goto(f"/events/{event_id}/proposals")
    expect(other.get_by_test_id("proposal-status")).to_have_text("On the agenda")
