"""When the database cannot be reached, every page answers 503 with a static page and Retry-After,
for visitors and signed-in users alike - never a bare 500 - and the page needs no database."""

from __future__ import annotations

import pytest

from app import create_app
from config import TestingConfig

UNREACHABLE = {
    "postgresql": "postgresql://postgres@127.0.0.1:1/x?connect_timeout=2",
    "sqlite": "sqlite:////nonexistent-directory/liaison/x.db",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_app(request, tmp_path):
    return create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param], "MAIL_FILE_DIR": str(tmp_path / "mail"),
    })


def assert_static_unavailable_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Liaison is unavailable for a moment" in page
    assert "cannot reach its database" in page
    assert "<script" not in page and "style=" not in page  # the CSP holds here too


def test_visitors_get_the_static_page(broken_app):
    client = broken_app.test_client()
    for path in ("/", "/events", "/events/1", "/events/calendar"):
        assert_static_unavailable_page(client.get(path))
    # A page that does not exist needs no database to say so.
    assert client.get("/no-such-page").status_code == 404
    assert_static_unavailable_page(client.post("/login", data={"email": "a@example.org", "password": "x"}))


def test_signed_in_users_get_the_static_page(app, make, login, broken_app):
    signed_in = login(make.user(role="organiser"))
    cookie = signed_in.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    client = broken_app.test_client()
    client.set_cookie(cookie.key, cookie.value)
    for path in ("/", "/events", "/admin/system/", "/no-such-page"):
        assert_static_unavailable_page(client.get(path))


def test_json_clients_get_a_503_in_json(broken_app):
    response = broken_app.test_client().get("/events", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["code"] == 503


def test_the_static_page_is_served_as_a_file_too(client):
    response = client.get("/static/errors/unavailable.html")
    assert response.status_code == 200
    assert b"Liaison is unavailable for a moment" in response.data


def test_the_unavailable_page_speaks_the_visitors_language_without_the_database(broken_app):
    response = broken_app.test_client().get("/events", headers={"Accept-Language": "uk-UA,uk;q=0.9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and '<html lang="uk">' in page
    assert "<script" not in page and "style=" not in page
    english = broken_app.test_client().get("/events?lang=en", headers={"Accept-Language": "uk"})
    assert_static_unavailable_page(english)
    assert '<html lang="en">' in english.get_data(as_text=True)
