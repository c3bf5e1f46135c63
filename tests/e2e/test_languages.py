"""Real browser, in the partners' languages (issue 20): a Ukrainian member registers and reads the
confirmation in Ukrainian, a second one joins the waiting list and reads that in Ukrainian, and downloads
the event's .ics; a Georgian organiser checks a person in from a Georgian page.

The expected words are read from the compiled catalogs (whatever the translators wrote), and each
must differ from the English, so the test fails if a page falls back to English."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from icalendar import Calendar
from playwright.sync_api import expect

from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def tr(locale: str, msgid: str) -> str:
    text = Translations.load(str(TRANSLATIONS), [locale]).gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {locale} translation"
    return text


def _shot(page, name: str) -> None:
    """With LIAISON_SCREENSHOTS=DIR, keep a full-page screenshot for a person to look at."""
    directory = os.environ.get("LIAISON_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def _register(page, event_id):
    page.goto(f"/events/{event_id}/registration")
    page.locator("[data-testid=registration-box] input[name=consent]").check()
    page.locator("[data-testid=registration-box] form button[type=submit]").last.click()


def test_ukrainian_members_register_and_a_georgian_organiser_checks_in(page, new_page, make, db, tmp_path):
    organiser = make.user(role="organiser", email="org@police.example.ge", name="Nino Beridze", language="ka")
    make.user(email="olena@npu.example.gov.ua", name="Олена Коваль", language="uk")
    make.user(email="taras@npu.example.gov.ua", name="Тарас Мельник", language="uk")
    event = make.event(capacity=1, title="Cybercrime investigations workshop", organisers=[organiser])
    event_id, event_starts_at = event.id, event.starts_at
    db.session.commit()

    first = page
    sign_in(first, "olena@npu.example.gov.ua", PASSWORD)
    expect(first.locator("html")).to_have_attribute("lang", "uk")
    _register(first, event_id)
    first.wait_for_url(re.compile(rf"/events/{event_id}"))
    expect(first.get_by_test_id("registration-status")).to_contain_text(tr("uk", "Confirmed"))

    second = new_page()
    sign_in(second, "taras@npu.example.gov.ua", PASSWORD)
    _register(second, event_id)
    second.wait_for_url(re.compile(rf"/events/{event_id}"))
    status = second.get_by_test_id("registration-status")
    expect(status).to_contain_text(tr("uk", "Waiting list"))
    assert second.get_by_test_id("waitlist-position").inner_text() == "1"
    _shot(second, "uk-registration-waiting-list")

    second.goto(f"/events/{event_id}")
    _shot(second, "uk-event-page")
    with second.expect_download() as download_info:
        second.get_by_test_id("ics-download").click()
    saved = tmp_path / "event.ics"
    download_info.value.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    assert [str(item["SUMMARY"]) for item in calendar.walk("VEVENT")] == ["Cybercrime investigations workshop"]

    # The desk checks people in on the event's day only: the server's clock moves to it.
    set_now(event_starts_at + timedelta(hours=1))
    desk = new_page()
    sign_in(desk, "org@police.example.ge", PASSWORD)
    desk.goto(f"/events/{event_id}/check-in")
    expect(desk.locator("html")).to_have_attribute("lang", "ka")
    row = desk.locator("li.checkin-row", has_text="Олена Коваль")
    row.get_by_role("button", name=tr("ka", "Check in")).click()
    expect(row.get_by_role("button", name=tr("ka", "Undo"))).to_be_visible()
    _shot(desk, "ka-check-in")
    desk.goto("/profile")
    _shot(desk, "ka-profile")
    desk.goto(f"/events/{event_id}/check-in")
    expect(desk.locator("li.checkin-row", has_text="Олена Коваль").get_by_role(
        "button", name=tr("ka", "Undo"))).to_be_visible()
