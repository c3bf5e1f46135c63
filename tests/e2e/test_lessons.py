"""An attendee records an observation after an event; a coordinator validates it, adds a follow-up
action, compiles a summary including it and downloads the PDF."""

from __future__ import annotations

from playwright.sync_api import expect
from pypdf import PdfReader

from app.accounts.models import Role
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.factories import lesson as make_lesson


def test_observation_to_summary_pdf(page, new_page, make, tmp_path):
    organisation = make.organisation(name="Moldovan Border Police", country="MD")
    attendee = make.user(name="Ion Popescu", email="ion@border.md", organisation=organisation)
    make.user(role=Role.COORDINATOR, name="Chloe Coordinator", email="chloe@network.eu")
    event = make.past_event(title="Cross-regional meeting on border security")
    make.attendee(event, attendee)
    # Another validated entry, listed under two themes in the preview; the coordinator leaves it out.
    themes = [make.theme("Migrant smuggling", empact_cycle="2022-2025"), make.theme("Document fraud")]
    make_lesson(event, attendee, title="Forged visas went unnoticed", themes=themes)

    # The attendee records an observation after the event.
    sign_in(page, "ion@border.md", PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/events/{event.id}")
    page.get_by_role("link", name="Record an entry").click()
    page.wait_for_url(f"**/events/{event.id}/lessons/new")
    page.get_by_label("Kind").select_option("observation")
    page.get_by_label("Title").fill("Radio systems were incompatible")
    page.get_by_label("Observation").fill("Patrols on both sides of the border could not talk to each other.")
    page.get_by_label("Recommendation", exact=True).fill("Agree a common radio interface.")
    page.get_by_label("TLP marking").select_option("green")
    page.get_by_role("button", name="Submit for validation").click()
    page.get_by_text("Entry submitted for validation.").wait_for()
    assert page.get_by_test_id("tlp-banner").inner_text() == "TLP:GREEN"

    # A coordinator finds it in the library and validates it.
    coordinator = new_page()
    sign_in(coordinator, "chloe@network.eu", PASSWORD)
    coordinator.wait_for_url("**/")
    coordinator.goto("/lessons/?q=radio")
    coordinator.get_by_role("link", name="Radio systems were incompatible").click()
    coordinator.get_by_label("Comment").fill("Clear, one issue, well evidenced.")
    coordinator.get_by_role("button", name="Validate").click()
    coordinator.get_by_text("Entry is now validated (lesson identified).").wait_for()

    # ... adds a follow-up action, which makes the lesson "actioned".
    coordinator.get_by_role("link", name="Add follow-up action").click()
    coordinator.get_by_label("What must be done").fill("Procure interoperable radios")
    coordinator.get_by_label("Owner (a person)").select_option(label="Ion Popescu (Moldovan Border Police)")
    coordinator.get_by_label("Due date").fill("2027-03-31")
    coordinator.get_by_role("button", name="Add action").click()
    coordinator.get_by_text("Follow-up action added.").wait_for()
    expect(coordinator.get_by_role("link", name="Procure interoperable radios")).to_be_visible()
    expect(coordinator.get_by_text("Actioned").first).to_be_visible()

    # ... compiles a summary including it.
    coordinator.goto("/lessons/summaries")
    coordinator.get_by_role("link", name="Compile a summary").click()
    coordinator.get_by_role("button", name="Preview").click()
    assert coordinator.get_by_label("Radio systems were incompatible").is_checked()
    copies = coordinator.get_by_label("Forged visas went unnoticed")
    assert copies.count() == 2
    copies.first.uncheck()
    assert not copies.last.is_checked()
    coordinator.get_by_label("Title", exact=True).fill("Border security lessons 2026")
    coordinator.get_by_label("Introduction").fill("What the cross-regional meetings taught us.")
    coordinator.get_by_role("button", name="Save summary").click()
    coordinator.get_by_text("Summary saved (version 1).").wait_for()

    # ... and downloads the PDF.
    with coordinator.expect_download() as download_info:
        coordinator.get_by_test_id("export-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    pages = [p.extract_text() for p in PdfReader(str(target)).pages]
    assert all("TLP:GREEN" in text for text in pages)
    text = "".join(pages)
    assert "Radio systems were incompatible" in text and "Border security lessons 2026" in text
    assert "Forged visas" not in text

    # The event page lists the entry for its author; its page shows the history.
    page.goto(f"/events/{event.id}")
    expect(page.get_by_test_id("event-entries").get_by_role("link", name="Radio systems were incompatible")).to_be_visible()
    page.get_by_test_id("event-entries").get_by_role("link", name="Radio systems were incompatible").click()
    history = page.get_by_test_id("history").inner_text()
    assert "Validated" in history and "Clear, one issue, well evidenced." in history
