"""Real browser: an organiser writes their own paragraph for the confirmation email in Markdown,
previews it for a sample participant, saves it, and a participant's confirmation carries it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.registrations.register import register
from tests import mailbox
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_organiser_previews_and_saves_a_confirmation_paragraph(page, make, db):
    organiser = make.user(role="organiser", email="org@police.example", name="Taras Hrytsenko")
    event = make.event("Training of trainers: OSINT for border police", organisers=[organiser], created_by=organiser)
    event_id = event.id
    participant = make.user(email="p@police.example")
    db.session.commit()  # end the test's transaction: the server writes meanwhile
    sign_in(page, "org@police.example", PASSWORD)
    page.goto(f"/events/{event_id}/participants")
    page.get_by_role("link", name="Email texts").click()
    page.get_by_label("Confirmation (your place is confirmed)").fill("Bring a **laptop**; the shuttle leaves at 08:15.")
    page.locator("#confirmation_markdown").check()
    page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("preview-confirmation")
    expect(preview.locator("strong", has_text="laptop")).to_be_visible()
    expect(preview).to_contain_text("Sample Participant")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Your paragraphs are saved")

    db.session.rollback()  # read what the server saved
    register(db.session.get(type(event), event_id), participant, consent=True)
    assert "Bring a **laptop**" in mailbox.last("p@police.example", "calendar.invitation").text_body
