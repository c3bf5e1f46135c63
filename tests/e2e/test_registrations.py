"""Real browser: the waiting list moves when someone cancels, and an organiser checks a person in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _register(page, event_id):
    page.goto(f"/events/{event_id}/registration")
    page.get_by_label("I have read and accept the privacy notice").check()
    page.locator("[data-testid=registration-box] form button[type=submit]").last.click()


def test_waitlisted_member_is_confirmed_when_a_seat_frees_and_is_checked_in(page, new_page, make, db):
    organiser = make.user(role="organiser", email="org@police.example", name="Olga Organiser")
    make.user(email="first@police.example", name="Ana First")
    make.user(email="second@police.example", name="Bogdan Second")
    event = make.event(capacity=1, title="Cross-border drug trafficking workshop", organisers=[organiser])
    event_id, event_starts_at = event.id, event.starts_at
    db.session.commit()

    first = page
    first.on("dialog", lambda dialog: dialog.accept())
    sign_in(first, "first@police.example", PASSWORD)
    _register(first, event_id)
    first.wait_for_url(re.compile(rf"/events/{event_id}"))
    assert "Confirmed" in first.get_by_test_id("registration-status").inner_text()

    second = new_page()
    sign_in(second, "second@police.example", PASSWORD)
    _register(second, event_id)
    second.wait_for_url(re.compile(rf"/events/{event_id}"))
    assert "Waiting list" in second.get_by_test_id("registration-status").inner_text()
    assert second.get_by_test_id("waitlist-position").inner_text() == "1"

    first.goto(f"/events/{event_id}/registration")
    first.get_by_role("button", name="Cancel my registration").click()
    expect(first.get_by_test_id("registration-status")).to_contain_text("cancelled")

    second.goto(f"/events/{event_id}/registration")
    assert "Confirmed" in second.get_by_test_id("registration-status").inner_text()
    second.goto("/my/events")
    assert "Confirmed" in second.get_by_test_id(f"my-registration-{event_id}").inner_text()

    # The desk checks people in on the event's day only: the server's clock moves to it.
    set_now(event_starts_at + timedelta(hours=1))
    desk = new_page()
    sign_in(desk, "org@police.example", PASSWORD)
    desk.goto(f"/events/{event_id}/check-in")
    desk.get_by_label("Search by name or organisation").fill("Bogdan")
    desk.get_by_role("button", name="Search").click()
    row = desk.locator("li.checkin-row", has_text="Bogdan Second")
    row.get_by_role("button", name="Check in").click()
    row.get_by_role("button", name="Undo").wait_for()
    expect(row.locator("[data-checked-badge]")).to_be_visible()
    # The check-in is stored: a reload shows it.
    desk.reload()
    expect(desk.locator("li.checkin-row", has_text="Bogdan Second").get_by_role("button", name="Undo")).to_be_visible()
    desk.goto(f"/events/{event_id}/attendance")
    assert "Attended" in desk.get_by_test_id("attendance-figures").inner_text()
