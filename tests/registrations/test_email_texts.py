"""The organisers' own paragraph in their event's confirmation, waiting-list, reminder and invitation
emails (issue 23): saved on the event's Email texts page, previewed there for a sample participant,
carried in both parts of each email, and only in that event's emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.registrations.email_texts import save_texts
from app.registrations.invitations import invite
from app.registrations.register import register
from app.scheduler.jobs.reminders import run_reminders
from app.timeutil import set_now
from tests import mailbox
from tests.querycount import QueryCounter

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
CONFIRMATION = "Bring your **service ID**; the border crossing at Palanca opens at 07:00."


def _event(make, capacity=None):
    set_now(NOW)
    organiser = make.user("organiser", name="Nino Organiser")
    event = make.event("Study visit to the Moldovan border police", starts_at=NOW + timedelta(days=20),
                       organisers=[organiser], created_by=organiser, capacity=capacity)
    return organiser, event


def test_the_organiser_saves_paragraphs_and_the_emails_carry_them(app, make, login):
    organiser, event = _event(make, capacity=1)
    other = make.event("Another event", starts_at=NOW + timedelta(days=20), capacity=1)
    client = login(organiser)
    response = client.post(f"/events/{event.id}/emails", data={
        "action": "save", "confirmation_body": CONFIRMATION, "confirmation_markdown": "y",
        "waitlist_body": "We expect seats to free up in May.", "reminder_body": "Dress code: uniform.",
        "invitation_body": "Ministry of Internal Affairs <b>hosts</b> the visit."})
    assert response.status_code == 302

    first, second = make.user(email="first@example.org"), make.user(email="second@example.org")
    register(event, first, consent=True)
    register(event, second, consent=True)
    confirmation = mailbox.last("first@example.org", "calendar.invitation")
    assert CONFIRMATION in confirmation.text_body
    assert "<strong>service ID</strong>" in confirmation.html_body
    waitlisted = mailbox.last("second@example.org", "registration.waitlisted")
    assert "We expect seats to free up in May." in waitlisted.text_body and "free up in May" in waitlisted.html_body

    invite(event, [("guest@example.org", "Guest")], organiser)
    invitation = mailbox.last("guest@example.org", "registration.invitation")
    assert "Ministry of Internal Affairs <b>hosts</b> the visit." in invitation.text_body
    # Plain text: its markup is shown as written, never run.
    assert "&lt;b&gt;hosts&lt;/b&gt;" in invitation.html_body and "<b>hosts</b>" not in invitation.html_body

    assert run_reminders(event.starts_at - timedelta(days=1)).sent >= 1
    reminder = mailbox.last("first@example.org", "reminder")
    assert "Dress code: uniform." in reminder.text_body and "Dress code: uniform." in reminder.html_body

    # Another event's emails carry none of it.
    register(other, make.user(email="third@example.org"), consent=True)
    assert "service ID" not in mailbox.last("third@example.org", "calendar.invitation").text_body


def test_markdown_is_sanitised(app, make):
    organiser, event = _event(make)
    save_texts(organiser, event, {"confirmation": ("Hi <script>alert(1)</script> [x](javascript:alert(1))", True)})
    register(event, make.user(email="p@example.org"), consent=True)
    html = mailbox.last("p@example.org", "calendar.invitation").html_body
    assert "<script>" not in html and "&lt;script&gt;" in html and "href=\"javascript" not in html


def test_the_preview_shows_each_email_for_a_sample_participant_without_saving(app, make, login, db):
    organiser, event = _event(make)
    client = login(organiser)
    response = client.post(f"/events/{event.id}/emails", data={
        "action": "preview", "waitlist_body": "Preview only: *patience*", "waitlist_markdown": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="preview-waitlist"' in page and "<em>patience</em>" in page
    assert "Sample Participant" in page and "Waiting list: Study visit to the Moldovan border police" in page
    assert "Preview only" not in client.get(f"/events/{event.id}/emails").get_data(as_text=True)


def test_too_long_a_paragraph_is_refused_beside_its_field(app, make, login):
    organiser, event = _event(make)
    response = login(organiser).post(f"/events/{event.id}/emails",
                                     data={"action": "save", "reminder_body": "x" * 2001})
    assert response.status_code == 422 and "Field cannot be longer than 2000 characters." in response.get_data(as_text=True)


def test_only_those_who_manage_the_event_open_the_page(app, make, login):
    organiser, event = _event(make)
    participant = make.user()
    assert login(participant).get(f"/events/{event.id}/emails").status_code == 403
    assert login(participant).post(f"/events/{event.id}/emails", data={"action": "preview"}).status_code == 403


def test_registering_through_the_form_reads_the_paragraphs_only_of_an_event_that_has_some(app, db, make, login):
    """The register POST's first read tells whether the event has paragraphs (page_facts.keep): with
    some, the confirmation and the waiting-list notice carry them; without, nothing is read for them."""
    organiser, event = _event(make, capacity=1)
    plain = make.event("Workshop without paragraphs", starts_at=NOW + timedelta(days=20), capacity=1)
    save_texts(organiser, event, {"confirmation": (CONFIRMATION, True), "waitlist": ("Seats free up in May.", False)})
    for index, target in enumerate((event, event, plain)):
        client = login(make.user(email=f"person{index}@example.org"))
        with QueryCounter(db.engine) as counted:
            assert client.post(f"/events/{target.id}/register",
                               data={"role": "participant", "consent": "y"}).status_code == 302
        read = [s for s in counted.statements if s.startswith("SELECT event_email_texts")]
        assert not read or target is not plain, read
    assert CONFIRMATION in mailbox.last("person0@example.org", "calendar.invitation").text_body
    assert "Seats free up in May." in mailbox.last("person1@example.org", "registration.waitlisted").text_body
    assert "service ID" not in mailbox.last("person2@example.org", "calendar.invitation").text_body
