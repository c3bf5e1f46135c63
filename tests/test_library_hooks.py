"""What every request pays for its libraries' hooks, cut without changing what they do
(app.library_hooks, app.negotiation, app.accounts.auth._session_identifier, app.Liaison.ensure_sync):
no limit is left uncounted, a limit still trips, answers are the libraries' own."""

from __future__ import annotations

import pytest
from flask import request
from flask_login.utils import _create_identifier

from app import create_app, negotiation
from app.accounts.auth import _session_identifier
from app.extensions import limiter
from app.library_hooks import no_limit_can_apply
from config import TestingConfig


@pytest.fixture
def limited(app, database_url, isolated_limiter):
    """Another app on the test database (its schema made by `app`) with the rate limiter on, as in production."""
    return create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "LOGIN_RATE_LIMIT": "3 per minute",
        "API_RATE_LIMIT": "3 per minute", "VERIFY_RATE_LIMIT": "3 per minute",
    })


def _library_limits(app, rule) -> list:
    """What Flask-Limiter's own before-request check finds to count for a request to `rule`."""
    with app.test_request_context("/"):
        request.url_rule, request.view_args = rule, {}
        filtered = limiter._Limiter__filter_limits(rule.endpoint, request.blueprint, None, True)
        return [*filtered, *limiter._meta_limits], no_limit_can_apply(limiter)


def test_no_route_the_check_is_left_out_on_has_a_limit(limited):
    skipped, checked = set(), set()
    for rule in limited.url_map.iter_rules():
        limits, free = _library_limits(limited, rule)
        if free:
            assert limits == [], rule.endpoint  # left out only where the library counts nothing
            skipped.add(rule.endpoint)
        else:
            checked.add(rule.endpoint)
    assert {"events.index", "events.detail", "registrations.my_events", "calendar.personal_feed",
            "lessons.library", "main.home"} <= skipped
    # Sign-in (its view's limit), certificate verification and the API (its blueprints' limit).
    assert {"accounts.login", "certificates.verify"} <= checked
    assert any(endpoint.startswith("api_") for endpoint in checked)


def test_a_limit_still_trips_and_unlimited_pages_carry_no_limit_headers(limited):
    client = limited.test_client()
    pages = [client.get("/events") for _ in range(6)]
    assert {page.status_code for page in pages} == {200}
    assert not any(name.lower().startswith(("x-ratelimit", "ratelimit")) for page in pages
                   for name in page.headers.keys())
    codes = [client.post("/login", data={"email": "nobody@police.example.md", "password": f"guess {n}"})
             for n in range(4)]
    assert [answer.status_code for answer in codes] == [200, 200, 200, 429]
    assert codes[0].headers["X-RateLimit-Limit"] == "3" and codes[0].headers["X-RateLimit-Remaining"] == "2"
    assert "Retry-After" in codes[3].headers
    assert client.get("/events").status_code == 200  # other pages are not limited by it
    api = [client.get("/api/v1/events") for _ in range(4)]
    assert [answer.status_code for answer in api] == [200, 200, 200, 429]
    assert api[0].headers["RateLimit-Limit"] == "3" and api[0].headers["X-RateLimit-Remaining"] == "2"


def test_the_hooks_keep_their_places(limited):
    def names(hooks):
        return [getattr(hook, "__name__", type(hook).__name__) for hook in hooks]

    assert names(limited.before_request_funcs[None])[:3] == ["authenticate_request", "csrf_protect",
                                                              "_check_request_limit"]
    assert names(limited.after_request_funcs[None])[0] == "_inject_headers"
    assert names(limited.teardown_request_funcs[None]) == ["_release_context"]


HEADERS = [
    {}, {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    {"Accept": "application/json"}, {"Accept": "*/*"}, {"Accept": "application/*;q=1, text/html;q=0.5"},
    {"Accept": "text/html;q=0.5, application/json;q=0.5"}, {"Content-Type": "application/json"},
    {"Content-Type": "application/problem+json", "Accept": "text/html"}, {"Content-Type": "text/plain"},
    {"Accept": "application/json;q=0.9, text/html;q=0.1"},
    {"Accept": "text/plain;q=0.2, " * 60 + "application/json"},  # longer than a browser's: not kept
]


def test_wants_json_answers_as_worked_out_each_time(app, monkeypatch):
    bound = negotiation._KEPT_MAX
    for kept_max in (bound, 0):  # remembered, and past the bound
        monkeypatch.setattr(negotiation, "_KEPT_MAX", kept_max)
        negotiation._kept.clear()
        for _round in range(2):
            for headers in HEADERS:
                with app.test_request_context("/", headers=headers):
                    assert negotiation.wants_json() == negotiation._worked_out(), headers
    assert negotiation._kept == {}
    monkeypatch.setattr(negotiation, "_KEPT_MAX", bound)
    for headers in HEADERS:
        with app.test_request_context("/", headers=headers):
            negotiation.wants_json()
    assert len(negotiation._kept) == len(HEADERS) - 1
    with app.test_request_context("/", headers={"Accept": "application/json"}):
        assert negotiation.wants_json() is True


def test_session_identifier_is_flask_logins(app):
    for environ in ({"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "10.0.0.2"},
                    {"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "Firefox"},
                    {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"},
                    {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.8"},
                    {"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "Mozilla/5.0 " * 100}):
        for _round in range(2):
            with app.test_request_context("/", environ_base=environ):
                assert _session_identifier() == _create_identifier(), environ


def test_ensure_sync_keeps_plain_functions_only(app, monkeypatch):
    def plain():
        return None

    async def coroutine():
        return None

    monkeypatch.setattr(app, "async_to_sync", lambda func: ("wrapped", func))
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    assert app.ensure_sync(coroutine) == ("wrapped", coroutine)
    assert app.ensure_sync(coroutine) == ("wrapped", coroutine)
    assert plain in app._sync_callables and coroutine not in app._sync_callables
