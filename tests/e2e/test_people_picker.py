"""In a real browser (issue 23): an organiser adds a speaker to a session with the keyboard only, through
the search-as-you-type picker (Tom Select asking /people/search), and the speaker shows on the agenda.
The `page` fixture fails the test on any CSP violation (Tom Select styles through the CSSOM)."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from app.accounts.models import Role
from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD


def test_organiser_adds_a_speaker_with_the_keyboard(page, make):
    set_now(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    try:
        _add_speaker(page, make)
    finally:
        set_now(None)


def _add_speaker(page, make):
    organiser = make.user(role=Role.ORGANISER, name="Oksana Organiser", email="oksana@npu.gov.ua")
    police = make.organisation("Cyber Police Department", country="UA")
    make.user(name="Taras Shevchenko", country="UA", organisation=police)
    for i in range(30):
        make.user(name=f"Bystander {i:02d}")
    make.user(name="Shevron Hidden", is_active_account=False)
    event = make.event("Kyiv study visit", starts_at=datetime(2026, 10, 23, 7, 0, tzinfo=UTC), days=3,
                       created_by=organiser)

    sign_in(page, organiser.email, PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/events/{event.id}/sessions/new")
    page.get_by_label("Title", exact=True).fill("Crypto tracing training")
    page.get_by_label("Starts", exact=True).fill("2026-10-24T09:00")
    page.get_by_label("Ends", exact=True).fill("2026-10-24T12:00")

    # From the room field, Tab to the speakers picker, then only the keyboard.
    page.get_by_label("Room or site", exact=True).focus()
    page.keyboard.press("Tab")  # description
    page.keyboard.press("Tab")  # learning objectives
    page.keyboard.press("Tab")  # speakers: Tom Select's combobox
    combobox = page.get_by_role("combobox", name="Speakers / trainers (users)")
    expect(combobox).to_be_focused()
    page.keyboard.type("shev", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)  # the inactive "Shevron" is not offered
    expect(listbox.get_by_role("option")).to_contain_text("Taras Shevchenko — Cyber Police Department, Ukraine")
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", listbox.get_by_role("option").get_attribute("id"))
    page.keyboard.press("Enter")
    chosen = page.locator(".ts-control .item")
    expect(chosen).to_contain_text("Taras Shevchenko — Cyber Police Department, Ukraine")
    expect(chosen.get_by_role("button", name="Remove: Taras Shevchenko — Cyber Police Department, Ukraine")).to_have_count(1)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # external speakers
    page.keyboard.press("Tab")  # capacity
    page.keyboard.press("Tab")  # sign-up box
    page.keyboard.press("Tab")  # Add session
    expect(page.get_by_role("button", name="Add session")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/events/{event.id}#agenda")
    expect(page.get_by_text("The session is added to the agenda.")).to_be_visible()
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Crypto tracing training")
    expect(agenda).to_contain_text("Taras Shevchenko")
