"""Real browser (issue 22): a participant downloads the certificate of a training session inside a
study visit; its QR code's URL, opened by someone not signed in, says "valid"; the organiser revokes
it; the same URL then says "revoked"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.events.models import SessionKind
from app.registrations import attendance
from app.timeutil import set_now
from tests.certificates.conftest import qr_codes
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

START = datetime(2027, 5, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
def visit(app, make, db, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", live_server)  # the QR code points at this server
    set_now(START - timedelta(days=10))
    organiser = make.user(role="organiser", email="olena@npu.example", name="Olena Kovalenko")
    event = make.event("Study visit to the State Border Guard Service", kind="study_visit", starts_at=START,
                       ends_at=START + timedelta(days=1, hours=9), organisers=[organiser], created_by=organiser,
                       city="Kyiv", country="UA", timezone="Europe/Kyiv")
    training = make.session(event, "Document fraud detection lab", starts_at=START + timedelta(hours=2), hours=3,
                            kind=SessionKind.TRAINING, learning_objectives="Spot forged travel documents.")
    person = make.user(email="ion@border.example", name="Ion Rusu")
    registration = make.registration(event, person)
    set_now(START + timedelta(hours=2))
    attendance.check_in_session(registration, training, organiser)
    set_now(START + timedelta(days=5))
    yield event
    set_now(None)


def test_certificate_downloaded_verified_by_its_qr_code_then_revoked(page, new_page, visit, tmp_path):
    event_id = visit.id
    sign_in(page, "ion@border.example", PASSWORD)
    page.goto("/my/events?show=past")
    page.get_by_test_id(f"my-registration-{event_id}").get_by_role("link", name="Certificates of attendance").click()
    expect(page.get_by_test_id("certificate-item")).to_contain_text("Document fraud detection lab")
    href = page.get_by_test_id("certificate-download").get_by_role("link", name="Download (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    [url] = qr_codes(response.body(), tmp_path)
    assert "/certificates/verify/LIA-2027-" in url

    visitor = new_page()  # not signed in
    visitor.goto(url)
    expect(visitor.get_by_test_id("verify-status")).to_contain_text("Valid")
    expect(visitor.get_by_test_id("verify-details")).to_contain_text("Ion Rusu")
    expect(visitor.get_by_test_id("verify-details")).to_contain_text("Document fraud detection lab")

    organiser = new_page()
    sign_in(organiser, "olena@npu.example", PASSWORD)
    organiser.goto(f"/events/{event_id}/certificates")
    organiser.get_by_role("link", name="Revoke").click()
    organiser.get_by_label("Reason").fill("Checked in by mistake: the participant left before the lab.")
    organiser.get_by_role("button", name="Revoke the certificate").click()
    expect(organiser.get_by_test_id("certificates")).to_contain_text("Revoked")

    visitor.goto(url)
    expect(visitor.get_by_test_id("verify-status")).to_contain_text("Revoked")
