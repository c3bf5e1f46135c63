"""Real browser, phone viewport: a participant takes the pre-test and the post-test of a training on
a phone in a few taps, sees the own results once the post-test has closed, and the organiser sees
the learning gain."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.learning import taking
from app.timeutil import set_now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.learning.conftest import END, START, answer_ids, training  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _answer(page, picks: list[str]) -> None:
    for label in picks:
        option = page.locator("label.btn", has_text=label).first
        box = option.bounding_box()
        assert box and box["height"] >= 44, box  # a thumb-sized target
        option.tap()
    page.get_by_role("button", name="Send my answers").tap()


def test_phone_participant_takes_pre_and_post_test_and_organiser_sees_the_gain(
        training, _browser, live_server, page, db):  # noqa: F811
    event_id = training.event.id
    participant, second = training.people[0], training.people[1]
    participant.email, training.organiser.email = "olena@police.example", "olga@police.example"
    db.session.commit()
    set_now(START - timedelta(minutes=20))
    taking.submit(training.pre, second, answer_ids(training.pre, [[2], [3]]))

    context = _browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Brussels", **PHONE)
    phone = context.new_page()
    sign_in(phone, "olena@police.example", PASSWORD)
    phone.goto(f"/events/{event_id}")
    phone.get_by_test_id("take-test").tap()
    expect(phone.get_by_role("heading", name=re.compile("Pre-test"))).to_be_visible()
    _answer(phone, ["A phone number", "Exchange records"])
    phone.wait_for_url(re.compile(rf"/events/{event_id}$"))
    expect(phone.locator(".alert-success")).to_contain_text("your answers are saved")

    set_now(END + timedelta(minutes=30))
    taking.submit(training.post, second, answer_ids(training.post, [[1], [1]]))
    phone.goto("/my/events")
    phone.get_by_test_id("take-test").tap()
    expect(phone.get_by_role("heading", name=re.compile("Post-test"))).to_be_visible()
    _answer(phone, ["A transaction hash", "Exchange records", "Seized devices"])
    phone.wait_for_url(re.compile(rf"/events/{event_id}$"))

    set_now(END + timedelta(hours=49))
    phone.goto("/my/events")
    phone.get_by_test_id("test-result").filter(has_text="post-test").tap()
    expect(phone.get_by_test_id("own-score")).to_have_text("Your score: 100%")
    context.close()

    sign_in(page, "olga@police.example", PASSWORD)
    page.goto(f"/events/{event_id}/learning")
    page.get_by_role("link", name="Learning results").first.click()
    expect(page.get_by_test_id("n-paired")).to_have_text("2")
    # pre: 33.3% and 0% -> post: 100% and 66.7%: a paired gain of about 67 points
    expect(page.get_by_test_id("gain")).to_contain_text("+66.7")
