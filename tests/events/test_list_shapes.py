"""The events list's statement is built once per shape of filters and viewer, its values bound per
request (app.events.list_rows._shaped_statement): a second page of the same shape builds nothing, and
what it lists follows the request's own values and viewer, never those of the page that built it."""

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Role
from app.events import list_rows
from app.extensions import db
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


def _list(client, query: str = "") -> str:
    response = client.get(f"/events{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_same_shape_is_built_once_and_lists_each_request_s_own_values(client, make):
    alpha, beta = make.project("ALPHA"), make.project("BETA")
    drugs, fraud = make.theme("Drugs"), make.theme("Fraud")
    first = make.event("Kyiv workshop", kind="workshop", country="UA", city="Kyiv", starts_at=NOW + timedelta(days=2))
    second = make.event("Sofia training", kind="training", country="BG", city="Sofia", starts_at=NOW + timedelta(days=3))
    first.projects, first.themes = [alpha], [drugs]
    second.projects, second.themes = [beta], [fraud]
    db.session.commit()
    _list(client, "?kind=workshop&country=UA&project=1&theme=1&q=a")  # whatever it builds
    pairs = [
        ("?kind=workshop", "?kind=training"), ("?country=UA", "?country=BG"),
        (f"?project={alpha.id}", f"?project={beta.id}"), (f"?theme={drugs.id}", f"?theme={fraud.id}"),
        ("?q=kyiv", "?q=sofia"),
    ]
    for shows_first, shows_second in pairs:
        html = _list(client, shows_first)  # builds this shape (or finds it)
        assert "Kyiv workshop" in html and "Sofia training" not in html, shows_first
        built = list_rows._shaped_statement.cache_info().misses
        html = _list(client, shows_second)  # the same shape, other values: nothing built
        assert "Sofia training" in html and "Kyiv workshop" not in html, shows_second
        assert list_rows._shaped_statement.cache_info().misses == built, shows_second
    html = _list(client, "?from=2026-09-05")
    assert "Sofia training" in html and "Kyiv workshop" not in html
    html = _list(client, "?to=2026-09-03")
    assert "Kyiv workshop" in html and "Sofia training" not in html
    # Pages: the same statement, its offset bound.
    for index in range(22):
        make.event(f"Filler {index:02d}", starts_at=NOW + timedelta(days=10, hours=index))
    assert "Filler 21" not in _list(client) and "Filler 21" in _list(client, "?page=2")
    assert "No past events match" in _list(client, "?tab=past")


def test_drafts_follow_the_viewer_not_the_viewer_who_built_the_shape(client, login, make):
    first_organiser, second_organiser = make.user(Role.ORGANISER), make.user(Role.ORGANISER)
    make.event("First's draft", status="draft", created_by=first_organiser, starts_at=NOW + timedelta(days=2))
    make.event("Second's draft", status="draft", created_by=second_organiser, starts_at=NOW + timedelta(days=2))
    make.event("Published talk", starts_at=NOW + timedelta(days=2))
    for query in ("", "?mine=1"):
        html = _list(login(first_organiser), query)
        assert "First&#39;s draft" in html and "Second&#39;s draft" not in html, query
        html = _list(login(second_organiser), query)
        assert "Second&#39;s draft" in html and "First&#39;s draft" not in html, query
    for viewer in (login(make.user(Role.MEMBER)), client):
        html = _list(viewer)
        assert "Published talk" in html and "&#39;s draft" not in html
    html = _list(login(make.user(Role.ADMIN)))
    assert "First&#39;s draft" in html and "Second&#39;s draft" in html


def test_a_page_view_s_user_row_no_longer_asks_about_drafts(app, login, make):
    """The events list's cache key needed whether the viewer organises a draft; the list is no longer
    kept, and the signed-in user's row of every page view reads no events."""
    from sqlalchemy import event as sa_event

    web = login(make.user(Role.MEMBER))
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        _list(web)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    user_row = next(s for s in statements if "FROM users" in s)
    assert "created_by_id" not in user_row and "event_organisers.user_id" not in user_row, user_row
