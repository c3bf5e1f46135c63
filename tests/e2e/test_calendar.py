"""A participant adds an event to their calendar and manages their feed address, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.calendar.parsers import libical, vobject_parse
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.factories import registration as register


def test_participant_downloads_the_ics_and_renews_the_feed_address(page, make):
    user = make.user(email="olena@npu.gov.ua", name="Olena Kovalenko", timezone="Europe/Kyiv")
    event = make.event("Study visit to Europol", timezone="Europe/Kyiv")
    register(event, user)
    event_uid, event_id = event.uid, event.id
    sign_in(page, "olena@npu.gov.ua", PASSWORD)
    page.wait_for_url("**/")

    page.goto(f"/events/{event_id}")
    box = page.get_by_test_id("calendar-links")
    expect(box.get_by_role("heading", name="Add to your calendar")).to_be_visible()
    assert box.get_by_test_id("google-calendar").get_attribute("href").startswith("https://calendar.google.com/")
    with page.expect_download() as download_info:
        box.get_by_test_id("ics-download").click()
    download = download_info.value
    assert download.suggested_filename == f"event-{event_id}.ics"
    (calendar,) = vobject_parse(Path(download.path()).read_bytes())
    assert libical(Path(download.path()).read_bytes())[0]["events"][0]["uid"] == calendar["events"][0]["uid"]
    assert calendar["method"] == "PUBLISH"
    assert calendar["events"][0]["uid"].startswith(event_uid)

    box.get_by_test_id("subscribe-link").click()
    page.wait_for_url("**/calendar/subscribe")
    old_url = page.get_by_test_id("feed-https").input_value()
    assert page.get_by_test_id("feed-webcal").input_value().startswith("webcal://")
    feed = page.request.get(old_url.replace("http://liaison.test", ""))
    assert feed.status == 200 and event_uid in feed.text()

    page.get_by_test_id("regenerate-token").click()  # not confirmed: nothing changes, the reason is given
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    assert page.get_by_test_id("feed-https").input_value() == old_url
    page.get_by_label("I understand: the current address stops working at once").check()
    page.get_by_test_id("regenerate-token").click()
    page.wait_for_url("**/calendar/subscribe")
    expect(page.get_by_text("Your feed has a new address")).to_be_visible()
    new_url = page.get_by_test_id("feed-https").input_value()
    assert new_url != old_url
    assert page.request.get(old_url.replace("http://liaison.test", "")).status == 404
    assert page.request.get(new_url.replace("http://liaison.test", "")).status == 200
