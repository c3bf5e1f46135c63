"""The subscribe page, token regeneration, the feed preference and the event page's calendar box."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.accounts.models import User
from app.extensions import db


def test_subscribe_page_offers_https_and_webcal_and_explains_clients(make, login):
    user, organiser = make.user(), make.user(role="organiser")
    page = login(user).get("/calendar/subscribe")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"http://liaison.test/calendar/feed/{user.calendar_token}.ics" in html
    assert f"webcal://liaison.test/calendar/feed/{user.calendar_token}.ics" in html
    for client_name in ("Outlook", "Google Calendar", "Apple Calendar", "Thunderbird"):
        assert client_name in html
    assert "organised.ics" not in html  # members organise nothing
    html = login(organiser).get("/calendar/subscribe").get_data(as_text=True)
    assert f"/calendar/feed/{organiser.calendar_token}/organised.ics" in html


def test_subscribe_page_needs_sign_in(client):
    response = client.get("/calendar/subscribe")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/calendar/subscribe/token").status_code in (302, 403)


def test_new_feed_address_replaces_the_old_one(make, login, client):
    user = make.user()
    old = user.calendar_token
    browser = login(user)
    response = browser.post("/calendar/subscribe/token", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.rollback()  # end the test's read snapshot
    new = db.session.get(User, user.id).calendar_token
    assert new != old
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200
    assert new in browser.get("/calendar/subscribe").get_data(as_text=True)


def test_new_feed_address_needs_a_confirmation(make, login, client):
    """Issue 23: one press must not break every subscribed calendar: the box must be ticked first;
    without it the page comes back with the reason beside the box and the address unchanged."""
    user = make.user()
    old = user.calendar_token
    browser = login(user)
    page = browser.get("/calendar/subscribe").get_data(as_text=True)
    assert 'name="confirm"' in page and "stops working at once, and I subscribe again" in page
    response = browser.post("/calendar/subscribe/token", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tick the box to confirm" in html and 'aria-invalid="true"' in html
    assert old in html  # the page still shows the current address, which still works
    db.session.rollback()
    assert db.session.get(User, user.id).calendar_token == old
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 200


def test_waitlisted_preference_is_saved(make, login):
    user = make.user()
    browser = login(user)
    assert browser.post("/calendar/subscribe/preferences", data={"include_waitlisted": "y"}).status_code == 302
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).calendar_include_waitlisted is True
    browser.post("/calendar/subscribe/preferences", data={})
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).calendar_include_waitlisted is False


def test_event_page_shows_download_google_outlook_and_subscribe_links(make, login, client):
    event = make.event("Study visit; Europol", timezone="Europe/Skopje", online_url="https://meet.example.org/secret")
    make.session(event)
    html = login(make.user()).get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="calendar-links"' in html
    assert f'href="/events/{event.id}.ics"' in html
    assert f'href="/events/{event.id}.ics?sessions=1"' in html
    assert "/calendar/subscribe" in html
    google = next(part for part in html.split('"') if part.startswith("https://calendar.google.com/"))
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["text"] == ["Study visit; Europol"]
    assert query["ctz"] == ["Europe/Skopje"]
    start = event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert query["dates"] == [f"{start}/{event.ends_at.strftime('%Y%m%dT%H%M%SZ')}"]
    outlook = next(part for part in html.split('"') if part.startswith("https://outlook.live.com/"))
    outlook_query = parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)
    assert outlook_query["subject"] == ["Study visit; Europol"]
    assert outlook_query["startdt"] == [event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")]
    office365 = next(part for part in html.split('"') if part.startswith("https://outlook.office.com/"))
    assert office365.split("?", 1) == ["https://outlook.office.com/calendar/0/deeplink/compose", outlook.split("?", 1)[1]]
    assert "meet.example.org/secret" not in google + outlook  # web links carry public facts only
    assert 'data-testid="calendar-links"' in client.get(f"/events/{event.id}").get_data(as_text=True)
