"""Regression from the QA walk-through of the registration box."""

from __future__ import annotations

from app.events.models import EventStatus


def test_cancelled_registration_offers_to_register_again_only_while_registration_is_possible(db, make, login,
                                                                                              itip_calls):
    event = make.event(title="Study visit to the port")
    client = login(make.user(name="Mariam Tsiklauri"))
    assert client.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y"}).status_code == 302
    assert client.post(f"/events/{event.id}/registration/cancel").status_code == 302

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Your earlier registration is cancelled. You can register again" in page

    event.status = EventStatus.CANCELLED
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Your earlier registration is cancelled." in page
    assert "register again" not in page


def test_organiser_finds_the_email_texts_page_from_the_event_page(db, make, login, organiser):
    event = make.event(title="Workshop on firearms tracing", organisers=[organiser])
    page = login(organiser).get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/emails"' in page

    participant_page = login(make.user(name="Ion Rusu")).get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/emails" not in participant_page
