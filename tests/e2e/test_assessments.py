"""An organiser builds a needs assessment and sends it to a partner unit; a member answers it on a
phone; the organiser sees the result chart."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.accounts.models import Role
from app.timeutil import now
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def test_assessment_answered_on_a_phone_and_charted_for_its_owner(page, browser, live_server, make):
    unit = make.organisation(name="Border Police of North Macedonia", country="MK")
    make.user(role=Role.ORGANISER, name="Olga Organiser", email="olga@network.eu")
    make.user(name="Aleksandar Petrovski", email="aleksandar@mvr.mk", organisation=unit)
    deadline = (now() + timedelta(days=20)).date().isoformat()

    sign_in(page, "olga@network.eu", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Needs assessments").click()
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Border units: OSINT needs")
    page.get_by_label("The assessment is for").select_option("country")
    page.get_by_label("Country").select_option("MK")
    page.get_by_label("Answers due by (end of that day)").fill(deadline)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Assessment created.").wait_for()
    page.get_by_label("Question type").select_option("scale")
    page.get_by_label("Question", exact=True).fill("How well can your unit use OSINT today?")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    page.get_by_label("Organisations (all their approved members)").select_option(label="Border Police of North Macedonia (MK)")
    page.get_by_role("button", name="Send to them").click()
    page.get_by_text("1 person added.").wait_for()
    page.get_by_role("button", name="Open and send").click()
    page.get_by_text("The assessment is open: 1 invitation sent.").wait_for()
    assessment_url = page.url

    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="en-GB", timezone_id="Europe/Skopje")
    try:
        phone = context.new_page()
        sign_in(phone, "aleksandar@mvr.mk", PASSWORD)
        phone.wait_for_url("**/")
        phone.goto("/assessments/")
        phone.get_by_role("link", name="Border units: OSINT needs").click()
        phone.get_by_label("2").check()
        phone.get_by_role("button", name="Save draft").click()
        phone.get_by_text("Draft saved.").wait_for()
        expect(phone.get_by_label("2")).to_be_checked()
        phone.get_by_role("button", name="Submit answers").click()
        expect(phone.get_by_test_id("submitted")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()

    page.goto(assessment_url)
    page.get_by_role("link", name="Results").click()
    chart = page.get_by_test_id("question-results").locator("svg").first
    expect(chart).to_be_visible()
    assert page.locator('[data-figure="Submitted"]').inner_text() == "1"
    # The chart's description for screen readers states the figures: one answer of 2 on the scale.
    assert "1: 0 / 2: 1 / 3: 0" in chart.locator("desc").text_content().replace("; ", " / ")
