"""The event page's lessons box for signed-in viewers (app.lessons.views.template_globals:
event_lessons_box): the box most of them see (no entry, no button) is rendered once per language and
is the same markup a render for the viewer gives; a viewer with something of their own in it (a
button, entries) gets it rendered for them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import template_rendered

from app.extensions import db
from app.lessons.views import template_globals
from app.timeutil import now
from tests.querycount import QueryCounter

BOX = re.compile(r'<section class="mb-4" aria-labelledby="event-entries-heading".*?</section>', re.S)


@pytest.fixture
def renders(app, monkeypatch):
    """The names of the templates rendered (each render_template), from an empty memo of boxes."""
    monkeypatch.setattr(template_globals, "_empty_boxes", {})
    names: list[str] = []

    def note(_app, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


def _box(client, event_id: int) -> str:
    page = client.get(f"/events/{event_id}")
    assert page.status_code == 200
    return BOX.search(page.get_data(as_text=True)).group(0)


def test_the_empty_box_is_rendered_once_per_language_and_reads_the_same(app, make, login, renders):
    organiser = make.user(role="organiser")
    event = make.event("Upcoming", created_by=organiser)
    english = [login(make.user()) for _ in range(3)]
    first = _box(english[0], event.id)
    assert renders.count("lessons/_event_entries.html") == 1
    assert "No entries yet." in first and "Record an entry" not in first
    with QueryCounter(db.engine) as kept:
        assert _box(english[1], event.id) == first
    assert renders.count("lessons/_event_entries.html") == 1  # kept: not rendered again
    # Rendered afresh for the viewer, the box is the same markup, and the page asked the same.
    template_globals._empty_boxes.clear()
    with QueryCounter(db.engine) as rendered:
        assert _box(english[2], event.id) == first
    assert kept.count == rendered.count
    # Another language: its own box.
    ukrainian = _box(login(make.user(language="uk")), event.id)
    assert ukrainian != first and "Lessons and good practices" not in ukrainian
    assert renders.count("lessons/_event_entries.html") == 3
    # The organiser's box has their buttons, rendered for them; a visitor's is the cached public one.
    organisers = _box(login(organiser), event.id)
    assert "Record an entry" in organisers and "Wrap-up report" in organisers
    assert renders.count("lessons/_event_entries.html") == 4
    assert "No entries yet." not in _box(app.test_client(), event.id)


def test_an_attendee_of_a_past_event_gets_the_record_button_and_entries_are_shown(make, login, renders):
    past = make.event("Past", starts_at=now() - timedelta(days=3))
    attendee, stranger = make.user(), make.user()
    make.registration(past, attendee)
    assert _box(login(stranger), past.id) == _box(login(make.user()), past.id)  # the kept empty box
    assert "Record an entry" in _box(login(attendee), past.id)
    make.lesson(past, author=attendee, title="Book the room earlier", status="validated", tlp="green")
    shown = _box(login(stranger), past.id)
    assert "Book the room earlier" in shown and "No entries yet." not in shown
