"""The events list is served from a cache of rendered fragments: what viewers see must still
follow every change at once, and nobody may be served a list built for someone who sees more. Its
statement is built once per shape of filters and viewer, its values bound per request
(app.events.list_rows._shaped_statement): a second page of the same shape builds nothing, and what
it lists follows the request's own values and viewer, never those of the page that built it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Role
from app.events import list_rows
from app.events.models import Event
from app.extensions import db as database
from app.timeutil import set_now
from tests.querycount import QueryCounter

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


def test_an_edited_event_shows_its_new_title_on_the_next_view(client, login, make, db):
    organiser = make.user(Role.ORGANISER)
    event = make.event(title="Workshop on OSINT", created_by=organiser, starts_at=NOW + timedelta(days=10))
    assert "Workshop on OSINT" in _list(client)
    assert "Workshop on OSINT" in _list(client)  # second view: from the cache

    page = login(organiser).get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "csrf_token" in page
    db.session.get(Event, event.id).title = "Workshop on OSINT and SOCMINT"
    db.session.commit()
    html = _list(client)
    assert "Workshop on OSINT and SOCMINT" in html


def test_a_new_theme_name_and_a_new_event_appear_at_once(client, make, db):
    theme = make.theme("Cybercrime")
    event = make.event(title="Ransomware response", starts_at=NOW + timedelta(days=3))
    event.themes.append(theme)
    db.session.commit()
    assert "Cybercrime" in _list(client)

    theme.name = "Cyber-attacks"
    db.session.commit()
    html = _list(client)
    assert "Cyber-attacks" in html and "Cybercrime" not in html.split('data-testid="event-list"')[1]

    make.event(title="Border management study visit", starts_at=NOW + timedelta(days=5))
    assert "Border management study visit" in _list(client)


def test_a_draft_seen_by_its_organiser_is_never_served_to_others(client, login, make):
    organiser, member = make.user(Role.ORGANISER), make.user(Role.MEMBER)
    make.event(title="Secret draft agenda", status="draft", created_by=organiser, starts_at=NOW + timedelta(days=4))
    make.event(title="Published workshop", starts_at=NOW + timedelta(days=4))

    assert "Secret draft agenda" in _list(login(organiser))  # cached for the organiser first
    for viewer in (login(member), client):
        html = _list(viewer)
        assert "Published workshop" in html
        assert "Secret draft agenda" not in html
    admin = make.user(Role.ADMIN)
    assert "Secret draft agenda" in _list(login(admin))


def test_an_event_moves_from_upcoming_to_past_when_it_ends(client, make):
    make.event(title="Short briefing", starts_at=NOW + timedelta(minutes=30), days=1 / 24)
    assert "Short briefing" in _list(client)
    set_now(NOW + timedelta(hours=2))
    assert "Short briefing" not in _list(client)
    assert "Short briefing" in _list(client, "?tab=past")


def test_the_filter_form_lists_a_new_project_at_once(client, make):
    assert "NEWPROJ" not in _list(client)
    make.project("NEWPROJ")
    assert "NEWPROJ" in _list(client)


def test_a_signed_in_view_reads_the_stamps_with_its_user_and_still_sees_changes(login, make, db):
    from sqlalchemy import event as sa_event

    member = make.user(Role.MEMBER)
    web = login(member)
    item = make.event(title="Cyber patrol exchange", starts_at=NOW + timedelta(days=6))
    _list(web)  # builds and caches the filter form (the list itself is built on every view)
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert "Cyber patrol exchange" in _list(web)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The user with the stamps, then the list's one statement (the filter form from the cache).
    assert len(reads) == 2 and "change_stamps" in reads[0] and "users" in reads[0], statements
    assert "counted" in reads[1] and "change_stamps" not in reads[1], statements

    db.session.get(Event, item.id).title = "Cyber patrol exchange (postponed)"
    db.session.commit()
    assert "Cyber patrol exchange (postponed)" in _list(web)


def test_the_month_calendar_filter_form_follows_the_month_shown(client):
    september = client.get("/events/calendar").get_data(as_text=True)
    assert 'name="month" value="9"' in september  # the frozen clock
    set_now(NOW + timedelta(days=40))
    october = client.get("/events/calendar").get_data(as_text=True)
    assert 'name="month" value="10"' in october


def test_the_month_calendar_names_its_month_and_weekdays_in_the_viewers_language(client):
    english = client.get("/events/calendar?year=2026&month=10&lang=en").get_data(as_text=True)
    assert "October 2026" in english and '<th scope="col">Mon</th>' in english
    ukrainian = client.get("/events/calendar?year=2026&month=10&lang=uk").get_data(as_text=True)
    assert "жовтень 2026" in ukrainian.lower() and "October" not in ukrainian
    assert '<th scope="col">пн</th>' in ukrainian  # Babel's abbreviated day names, Monday first


def test_a_co_organiser_of_a_draft_gets_a_list_of_their_own(client, login, make, db):
    """A member appointed co-organiser of a draft sees it in the list, and nobody else does."""
    organiser, co_organiser, member = make.user(Role.ORGANISER), make.user(Role.MEMBER), make.user(Role.MEMBER)
    draft = make.event(title="Joint draft plan", status="draft", created_by=organiser, starts_at=NOW + timedelta(days=4))
    make.event(title="Published workshop", starts_at=NOW + timedelta(days=4))
    assert "Joint draft plan" not in _list(login(co_organiser))
    draft.organisers.append(co_organiser)
    db.session.commit()
    assert "Joint draft plan" in _list(login(co_organiser))
    for viewer in (login(member), client):
        html = _list(viewer)
        assert "Published workshop" in html and "Joint draft plan" not in html


def test_the_same_shape_is_built_once_and_lists_each_request_s_own_values(client, make):
    alpha, beta = make.project("ALPHA"), make.project("BETA")
    drugs, fraud = make.theme("Drugs"), make.theme("Fraud")
    first = make.event("Kyiv workshop", kind="workshop", country="UA", city="Kyiv", starts_at=NOW + timedelta(days=2))
    second = make.event("Sofia training", kind="training", country="BG", city="Sofia", starts_at=NOW + timedelta(days=3))
    first.projects, first.themes = [alpha], [drugs]
    second.projects, second.themes = [beta], [fraud]
    database.session.commit()
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
    web = login(make.user(Role.MEMBER))
    with QueryCounter(database.engine) as counter:
        _list(web)
    user_row = next(s for s in counter.statements if "FROM users" in s)
    assert "created_by_id" not in user_row and "event_organisers.user_id" not in user_row, user_row
