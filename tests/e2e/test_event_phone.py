"""The event page on a phone (issue 23): the viewer's registration status and main action (register,
join the waiting list, cancel) come before the agenda, within the first screen; on a desktop the
registration box stays in the side column."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.timeutil import now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
DESCRIPTION = "\n\n".join(
    ["**Programme**", "Two days on joint investigation teams along the Danube: case studies from Moldova, "
     "Romania and Ukraine, then a table-top exercise on cross-border surveillance and controlled deliveries."] * 4)


def _event(make, capacity=30, members=0):
    organiser = make.user(role="organiser", email="organiser@police.example", name="Olga Organiser")
    event = make.event(
        "Cross-border cooperation on the Danube: joint investigation teams in practice", capacity=capacity,
        summary="A cross-regional meeting of border police and prosecutors from the Danube countries.",
        description=DESCRIPTION, organisers=[organiser], created_by=organiser, city="Galați", country="RO",
        timezone="Europe/Bucharest")
    start = event.starts_at
    for index in range(10):
        make.session(event, f"Session {index + 1}: joint investigation teams, part {index + 1}",
                     starts_at=start + timedelta(hours=index), hours=1)
    for _index in range(members):
        make.registration(event, make.user())
    return event


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", timezone_id="Europe/Bucharest",
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _within_first_screen(page, locator):
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    agenda = page.locator("#agenda").bounding_box()
    assert box["y"] < agenda["y"], "the action comes after the agenda"


@pytest.mark.parametrize("full", [False, True])
def test_register_button_is_on_the_first_screen_of_a_phone(browser, live_server, make, full):
    event = _event(make, capacity=1 if full else 30, members=1 if full else 0)
    make.user(email="member@police.example", name="Mihai Member")
    context, page = _phone(browser, live_server)
    try:
        sign_in(page, "member@police.example", PASSWORD)
        page.goto(f"/events/{event.id}")
        name = "Join the waiting list" if full else "Register"
        button = page.get_by_test_id("registration-box").get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        _within_first_screen(page, button)
    finally:
        context.close()


def test_confirmed_participant_sees_status_and_cancel_first_on_a_phone(browser, live_server, make):
    event = _event(make)
    member = make.user(email="member@police.example", name="Mihai Member")
    make.registration(event, member)
    context, page = _phone(browser, live_server)
    try:
        sign_in(page, "member@police.example", PASSWORD)
        page.goto(f"/events/{event.id}")
        _within_first_screen(page, page.get_by_test_id("registration-status"))
        _within_first_screen(page, page.get_by_role("button", name="Cancel my registration"))
    finally:
        context.close()


def test_visitor_sees_sign_in_to_register_first_on_a_phone(browser, live_server, make):
    event = _event(make)
    context, page = _phone(browser, live_server)
    try:
        page.goto(f"/events/{event.id}")
        _within_first_screen(page, page.get_by_role("link", name="Sign in to register"))
    finally:
        context.close()


def test_desktop_keeps_the_registration_box_beside_the_agenda(page, make):
    event = _event(make)
    assert now() < event.starts_at
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/events/{event.id}")
    box = page.get_by_test_id("registration-box").bounding_box()
    main = page.locator(".event-main").bounding_box()
    assert box["x"] > main["x"] + main["width"] - 1  # in the side column, to the right


def test_needs_are_one_tap_away_and_saved_with_the_registration(browser, live_server, make, db):
    from app.registrations.models import Registration

    event = _event(make)
    event_id = event.id
    make.user(email="member@police.example", name="Mihai Member")
    context, page = _phone(browser, live_server)
    try:
        sign_in(page, "member@police.example", PASSWORD)
        page.goto(f"/events/{event_id}")
        box = page.get_by_test_id("registration-box")
        expect(box.get_by_label("Dietary needs")).to_be_hidden()  # folded: optional
        box.get_by_text("Dietary, accessibility or visa needs (optional)").click()
        box.get_by_label("Dietary needs").fill("Vegetarian")
        box.get_by_label("I have read and accept the privacy notice").check()
        box.get_by_role("button", name="Register", exact=True).click()
        expect(page.get_by_test_id("registration-status")).to_contain_text("Confirmed")
    finally:
        context.close()
    db.session.rollback()
    assert db.session.query(Registration).filter_by(event_id=event_id).one().dietary_needs == "Vegetarian"
