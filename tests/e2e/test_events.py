"""In a real browser: an organiser plans a three-day study visit in Kyiv; a member finds it and reads the agenda."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from app.accounts.models import Role
from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

SESSIONS = [
    ("Welcome and briefing", "plenary", "2026-10-23T09:30", "2026-10-23T10:30", "Hall A"),
    ("Cybercrime unit tour", "site_visit", "2026-10-23T11:00", "2026-10-23T13:00", "Unit HQ"),
    ("Crypto tracing training", "training", "2026-10-24T09:00", "2026-10-24T12:00", "Lab 2"),
    ("Lessons and next steps", "panel", "2026-10-25T10:00", "2026-10-25T11:30", "Hall A"),
]


def test_organiser_plans_kyiv_study_visit_and_member_finds_it(page, new_page, make):
    set_now(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    try:
        _plan_and_find(page, new_page, make)
    finally:
        set_now(None)


def _plan_and_find(page, new_page, make):
    make.user(role=Role.ORGANISER, name="Oksana Organiser", email="oksana@npu.gov.ua", timezone="Europe/Kyiv")
    make.user(role=Role.MEMBER, name="Mihai Member", email="mihai@politia.ro", timezone="Europe/Bucharest")
    make.event("Lisbon border workshop", kind="workshop", country="PT", city="Lisbon")

    sign_in(page, "oksana@npu.gov.ua", PASSWORD)
    page.wait_for_url("**/")
    page.goto("/events")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title", exact=True).fill("Study visit: cyber police of Ukraine")
    page.get_by_label("Kind", exact=True).select_option("study_visit")
    page.get_by_label("Format", exact=True).select_option("in_person")
    page.get_by_label("Summary", exact=True).fill("Three days with the cyber police in Kyiv.")
    page.get_by_label("Description", exact=True).fill("## Programme\n\nVisits, **training** and exchange.")
    page.get_by_label("Time zone of the event", exact=True).select_option("Europe/Kyiv")
    page.get_by_label("Starts", exact=True).fill("2026-10-23T09:00")
    page.get_by_label("Ends", exact=True).fill("2026-10-25T17:00")
    page.get_by_label("Venue", exact=True).fill("National Police Academy")
    page.get_by_label("City", exact=True).fill("Kyiv")
    page.get_by_label("Country", exact=True).select_option("UA")
    page.get_by_label("Capacity", exact=True).fill("20")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/events/*")
    expect(page.get_by_text("The event is saved as a draft")).to_be_visible()
    event_url = page.url

    for title, kind, starts, ends, room in SESSIONS:
        page.get_by_role("link", name="Add session").click()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Kind", exact=True).select_option(kind)
        page.get_by_label("Starts", exact=True).fill(starts)
        page.get_by_label("Ends", exact=True).fill(ends)
        page.get_by_label("Room or site", exact=True).fill(room)
        if kind == "training":
            page.get_by_label("External speakers / trainers", exact=True).fill("Jan Novak — Europol")
        page.get_by_role("button", name="Add session").click()
        page.wait_for_url(event_url + "#agenda")
        expect(page.get_by_text("The session is added to the agenda.")).to_be_visible()

    # A clash in the same room is refused with a clear message beside the field.
    page.get_by_role("link", name="Add session").click()
    page.get_by_label("Title", exact=True).fill("Double-booked")
    page.get_by_label("Starts", exact=True).fill("2026-10-23T10:00")
    page.get_by_label("Ends", exact=True).fill("2026-10-23T10:45")
    page.get_by_label("Room or site", exact=True).fill("Hall A")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("Hall A is already taken by “Welcome and briefing”")).to_be_visible()
    page.get_by_role("link", name="Back").click()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The event is published.")).to_be_visible()
    assert page.get_by_test_id("session").count() == 4

    # The series form shows only the fields of the chosen rule (events.js, no inline script).
    page.get_by_role("link", name="Series").click()
    # expect() waits for events.js (deferred) instead of reading the page before it has run.
    expect(page.get_by_label("Every … weeks", exact=True)).to_be_visible()
    expect(page.get_by_label("Weekday", exact=True)).to_be_hidden()
    page.get_by_label("Monthly on the n-th weekday", exact=True).check()
    expect(page.get_by_label("Weekday", exact=True)).to_be_visible()
    expect(page.get_by_label("Every … weeks", exact=True)).to_be_hidden()
    page.goto(event_url)

    member = new_page()
    sign_in(member, "mihai@politia.ro", PASSWORD)
    member.wait_for_url("**/")
    member.goto("/events")
    expect(member.get_by_text("Lisbon border workshop")).to_be_visible()
    member.get_by_label("Kind", exact=True).select_option("study_visit")
    member.get_by_label("Country", exact=True).select_option("UA")
    member.get_by_label("Search", exact=True).fill("cyber")
    member.get_by_role("button", name="Filter").click()
    member.wait_for_url("**/events?*kind=study_visit*")
    assert "country=UA" in member.url and "q=cyber" in member.url
    assert member.get_by_text("Lisbon border workshop").count() == 0
    member.get_by_role("link", name="Study visit: cyber police of Ukraine").click()
    member.wait_for_url(event_url)

    expect(member.get_by_role("heading", name="Friday 23 October 2026")).to_be_visible()
    expect(member.get_by_role("heading", name="Sunday 25 October 2026")).to_be_visible()
    sessions = member.get_by_test_id("session")
    assert sessions.count() == 4
    first = sessions.nth(0).inner_text()
    assert "09:30–10:30" in first and "Welcome and briefing" in first  # Kyiv time
    assert "Fri 09:30–10:30" in first  # Bucharest is in the same zone offset as Kyiv
    last = sessions.nth(3).inner_text()
    assert "10:00–11:30" in last and "Sun 10:00–11:30" in last
    assert "Jan Novak (Europol)" in sessions.nth(2).inner_text()
    expect(member.get_by_role("heading", name="Programme")).to_be_visible()
    assert member.get_by_role("link", name="Edit").count() == 0
