"""A cold event page (every cache off) reads what it shows in a fixed number of statements, whatever
the number of organisers, projects, themes, sessions, speakers and lessons (issue 19)."""

from __future__ import annotations

import pytest

from app.cache import fragments
from app.events.models import SessionSpeaker
from app.extensions import db
from tests.querycount import QueryCounter

# A signed-in member, not registered, on an upcoming event: the user (with the stamps), the event,
# the organiser check, seats taken, the viewer's registration, the event with its people, projects
# and themes, its sessions with speakers, the lessons box, an open invitation, and the session
# sign-up counts with the viewer's sign-ups, and the event's call for contributions (issue 22).
# SQLite adds its BEGIN (the code before issue 19: 18 there).
COLD_EVENT_PAGE_STATEMENTS = 11


@pytest.fixture
def cold(app, monkeypatch):
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.delitem(app.extensions, fragments.LARGE_EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
    yield
    app.extensions.pop(fragments.EXTENSION, None)
    app.extensions.pop(fragments.LARGE_EXTENSION, None)


def _event(make, size: int):
    people = [make.user(organisation=make.organisation()) for _ in range(size)]
    event = make.event(organisers=people, created_by=people[0])
    event.projects = [make.project() for _ in range(size)]
    event.themes = [make.theme() for _ in range(size)]
    db.session.commit()
    for index in range(size * 2):
        session = make.session(event, title=f"Session {index}", has_signup=True, capacity=20)
        for person in people:
            db.session.add(SessionSpeaker(session_id=session.id, user_id=person.id))
        db.session.add(SessionSpeaker(session_id=session.id, external_name="Ana Popescu"))
    db.session.commit()
    return event


def _statements(client, event_id: int) -> int:
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return counter.count


def test_a_cold_event_page_needs_the_same_few_statements_for_a_small_and_a_large_event(cold, login, make):
    member = make.user()
    client = login(member)
    small, large = _event(make, 1).id, _event(make, 4).id
    assert fragments.enabled() is False
    expected = COLD_EVENT_PAGE_STATEMENTS + (db.engine.dialect.name == "sqlite")
    assert _statements(client, small) == _statements(client, large) == expected
