"""In a real browser (issues 22 and 23): a coordinator adds a facility choosing its organisation and a
theme with the keyboard only, through the directory pickers (Tom Select asking /organisations/search and
/themes/search); an organiser picks the facility for an event and the empty venue fields fill in."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from app.accounts.models import Role
from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD


def test_coordinator_adds_a_facility_with_the_keyboard(page, make):
    set_now(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    try:
        _add_facility(page, make)
    finally:
        set_now(None)


def _pick(page, name: str, typed: str, expected: str) -> None:
    combobox = page.get_by_role("combobox", name=name)
    expect(combobox).to_be_focused()
    page.keyboard.type(typed, delay=40)
    options = page.locator(".ts-dropdown:visible").get_by_role("option")  # this picker's listbox
    expect(options).to_have_count(1)
    expect(options).to_contain_text(expected)
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", options.get_attribute("id"))
    page.keyboard.press("Enter")


def _add_facility(page, make):
    coordinator = make.user(role=Role.COORDINATOR, name="Ana Coordinator")
    make.organisation("Ministry of Internal Affairs of Georgia", country="GE", short_name="MIA")
    for i in range(25):
        make.organisation(f"Regional police {i:02d}", country="RO")
    make.theme("Firearms and explosives crime", empact_cycle="2026-2029")
    make.theme("Cryptocurrency investigations")

    sign_in(page, coordinator.email, PASSWORD)
    page.wait_for_url("**/")
    page.goto("/facilities/new")
    page.get_by_label("Name", exact=True).fill("Expertise Forensic Bureau")
    page.get_by_label("Kind", exact=True).select_option("forensic_lab")
    page.get_by_label("Capacity", exact=True).fill("20")
    page.keyboard.press("Tab")  # the hosting organisation: Tom Select's combobox
    _pick(page, "Hosting organisation", "georg", "Ministry of Internal Affairs of Georgia (MIA) — Georgia")
    expect(page.locator(".ts-control .item").first).to_contain_text("Ministry of Internal Affairs of Georgia")
    page.keyboard.press("Tab")  # the picker's clear button, named for what it removes
    expect(page.get_by_role("button", name="Remove: Ministry of Internal Affairs of Georgia (MIA) — Georgia")).to_be_focused()
    page.keyboard.press("Tab")  # description
    page.keyboard.press("Tab")  # equipment and capabilities
    page.keyboard.type("Ballistics laboratory with an IBIS station")
    page.keyboard.press("Tab")  # themes
    _pick(page, "Themes", "firearms", "Firearms and explosives crime (EMPACT 2026-2029)")
    chosen = page.locator("select[name=theme_ids] + .ts-wrapper .item")
    expect(chosen.get_by_role("button", name="Remove: Firearms and explosives crime (EMPACT 2026-2029)")).to_have_count(1)
    page.keyboard.press("Escape")
    page.get_by_label("City", exact=True).fill("Tbilisi")
    page.get_by_label("Country", exact=True).select_option("GE")
    page.get_by_role("button", name="Save facility").click()

    expect(page.get_by_text("Expertise Forensic Bureau is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Expertise Forensic Bureau")).to_be_visible()
    expect(page.locator("body")).to_contain_text("hosted by Ministry of Internal Affairs of Georgia")
    expect(page.locator("body")).to_contain_text("Firearms and explosives crime (EMPACT 2026-2029)")


def test_picking_a_facility_fills_the_empty_venue_fields(page, make):
    set_now(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    try:
        organiser = make.user(role=Role.ORGANISER, name="Oksana Organiser")
        host = make.organisation("Romanian Police", country="RO")
        make.facility("Cyber range Bucharest", host, country="RO", city="Bucharest", address="Calea 13 Septembrie 1-5")
        sign_in(page, organiser.email, PASSWORD)
        page.wait_for_url("**/")
        page.goto("/events/new")
        page.get_by_label("City", exact=True).fill("Bucharest, sector 5")  # typed first: kept
        page.get_by_label("Facility", exact=True).select_option(label="Cyber range Bucharest")
        expect(page.get_by_label("Venue", exact=True)).to_have_value("Cyber range Bucharest")
        expect(page.get_by_label("Address", exact=True)).to_have_value("Calea 13 Septembrie 1-5")
        expect(page.get_by_label("City", exact=True)).to_have_value("Bucharest, sector 5")
        expect(page.get_by_label("Country", exact=True)).to_have_value("RO")
    finally:
        set_now(None)
