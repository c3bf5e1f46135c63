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
