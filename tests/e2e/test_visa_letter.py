"""Real browser (issue 23): an organiser adds a registration question and writes the visa letter,
a participant registers answering it, downloads their visa support letter, and the PDF read back
with pdftotext holds their name, their document number and the event's title."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import require
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_question_answered_at_registration_appears_in_the_downloaded_visa_letter(page, new_page, make, db,
                                                                                  tmp_path):
    require(shutil.which("pdftotext") is not None, "pdftotext is not installed (apt-get install poppler-utils)")
    organiser = make.user(role="organiser", email="org@police.example", name="Olga Organiser")
    make.user(email="levan@police.example.ge", name="Levan Gelashvili")
    host = make.organisation("Europol", country="NL")
    event = make.event("Study visit to Europol", kind="study_visit", organisers=[organiser], created_by=organiser,
                       host_organisation_id=host.id, city="The Hague", venue="Europol headquarters", country="NL")
    event_id = event.id
    db.session.commit()

    sign_in(page, "org@police.example", PASSWORD)
    page.goto(f"/events/{event_id}/questions")
    form = page.get_by_test_id("question-form")
    form.get_by_label("Question").fill("Passport number")
    form.get_by_label("Type of answer").select_option("document_number")
    form.get_by_label("An answer is required").check()
    form.get_by_role("checkbox", name=re.compile("^Sensitive")).check()
    form.get_by_role("button", name="Save the question").click()
    page.get_by_text("The question is added.").wait_for()
    page.get_by_role("link", name="Travel and visas").first.click()
    page.get_by_role("link", name="Travel settings and visa letter").click()
    page.get_by_label("Visa support letter").fill(
        "Dear {name}, passport {document_number} - {event_title}, {event_dates}, {venue}.")
    page.get_by_label("Question giving the document number").select_option(label="Passport number")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The travel settings are saved.").wait_for()

    person = new_page()
    sign_in(person, "levan@police.example.ge", PASSWORD)
    person.goto(f"/events/{event_id}/registration")
    person.get_by_text("Dietary, accessibility or visa needs (optional)").click()  # the folded needs
    person.get_by_label("I need a visa support letter").check()
    person.get_by_label("I have read and accept the privacy notice").check()
    person.locator("[data-testid=registration-box] form button[type=submit]").last.click()
    assert "Answer this question." in person.locator("[data-testid=registration-box]").inner_text()
    person.get_by_label("Passport number").fill("13AB45678")
    person.get_by_label("I have read and accept the privacy notice").check()
    person.locator("[data-testid=registration-box] form button[type=submit]").last.click()
    person.wait_for_url(re.compile(rf"/events/{event_id}"))
    link = person.get_by_test_id("visa-letter")
    href = link.get_attribute("href")
    response = person.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(response.body())
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Levan Gelashvili" in text and "13AB45678" in text and "Study visit to Europol" in text
    assert "Europol headquarters" in text and "Olga Organiser" in text
