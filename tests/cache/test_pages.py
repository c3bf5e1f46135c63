"""Pages built from cached fragments (app/cache/fragments.py; the whole-page cache is gone): every
change shows on the next view, nobody gets somebody else's page, and each session gets its own
working CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.registrations.models import Registration
from app.timeutil import freeze, now
from config import TestingConfig
from tests import factories
from tests.querycount import QueryCounter


def _get(client, url: str) -> tuple[int, str]:
    """(statements issued, page) for one GET."""
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return counter.count, response.get_data(as_text=True)


def _without_csrf(html: str) -> str:
    """The page with its CSRF token blanked: the signed token carries the second it was made in,
    so two views of one page a second apart differ there and nowhere else."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


def test_a_repeated_view_is_the_same_page_and_a_change_shows_at_once(login, make):
    member = make.user()
    event = make.event(title="Cross-border hot pursuit workshop")
    client = login(member)
    client.get("/events")  # shows the sign-in message
    # One minute on the clock: a page is kept per minute, and a view on each side of a minute's
    # turn would be built twice.
    with freeze(now()):
        _, first = _get(client, f"/events/{event.id}")
        _, second = _get(client, f"/events/{event.id}")
    assert 'name="csrf_token"' in first
    assert _without_csrf(second) == _without_csrf(first)

    event.title = "Hot pursuit across borders: the second meeting"
    db.session.commit()
    _, third = _get(client, f"/events/{event.id}")
    assert "Hot pursuit across borders: the second meeting" in third


def test_nobody_is_served_a_page_built_for_somebody_else(client, login, make):
    event = make.event(capacity=10)
    registered, other = make.user(name="Olena Kovalenko"), make.user(name="Giorgi Beridze")
    make.registration(event, registered)
    registered_web, other_web = login(registered), login(other)
    registered_web.get("/events"), other_web.get("/events")  # the sign-in messages
    mine = registered_web.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Olena Kovalenko" in mine and 'data-testid="registration-status"' in mine
    theirs = other_web.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Giorgi Beridze" in theirs and "Olena Kovalenko" not in theirs
    assert 'data-testid="registration-status"' not in theirs
    anonymous = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Sign in to register" in anonymous and "Giorgi Beridze" not in anonymous


def test_a_change_to_the_viewer_shows_on_their_cached_pages(login, make):
    member = make.user(name="Ana Lungu")
    event = make.event()
    client = login(member)
    client.get("/events")  # the sign-in message
    assert "Ana Lungu" in client.get(f"/events/{event.id}").get_data(as_text=True)
    member.name = "Ana Lungu-Rusu"
    db.session.commit()
    assert "Ana Lungu-Rusu" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_upcoming_becomes_past_when_the_clock_moves(login, make):
    member = make.user()
    start = (now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    event = make.event(title="Short briefing on drone incidents", starts_at=start, days=1 / 24)
    make.registration(event, member)
    client = login(member)
    client.get("/events")  # the sign-in message
    with freeze(start + timedelta(minutes=30)):
        assert "Short briefing on drone incidents" in client.get("/my/events").get_data(as_text=True)
        client.get("/my/events")  # from the cache
    with freeze(start + timedelta(hours=1, minutes=1)):
        assert "Short briefing on drone incidents" not in client.get("/my/events").get_data(as_text=True)
        assert "Short briefing on drone incidents" in client.get("/my/events?show=past").get_data(as_text=True)


def test_flashed_messages_show_once_and_are_never_cached(login, make):
    event = make.event(capacity=5)
    client = login(make.user())
    client.get("/events")  # the sign-in message
    client.get(f"/events/{event.id}")  # cached before registering
    response = client.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y"},
                           follow_redirects=True)
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert 'role="status"' in shown and 'data-testid="registration-status"' in shown
    again = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="registration-status"' in again
    assert 'class="alert' not in again  # the message is not replayed from a cached page


@pytest.fixture
def csrf_app(database_url):
    """Another app on the test database, with CSRF protection on (as in production)."""
    from app import create_app

    saved = dict(limiter.__dict__)
    yield create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _sign_in(app, user):
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_each_session_gets_its_own_working_csrf_token_on_a_cached_page(app, csrf_app, make):
    member = make.user()
    event = make.event(capacity=5)
    db.session.commit()
    laptop, phone = _sign_in(csrf_app, member), _sign_in(csrf_app, member)
    laptop.get("/events"), phone.get("/events")  # the sign-in message
    with freeze(now()):  # within one minute: a page is kept per minute
        on_laptop = laptop.get(f"/events/{event.id}").get_data(as_text=True)
        on_phone = phone.get(f"/events/{event.id}").get_data(as_text=True)  # served from the cache
    assert "\x00" not in on_phone
    assert _token(on_phone) != _token(on_laptop)
    response = phone.post(f"/events/{event.id}/register",
                          data={"role": "participant", "consent": "y", "csrf_token": _token(on_phone)})
    assert response.status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(Registration.id)).where(Registration.event_id == event.id)) == 1
