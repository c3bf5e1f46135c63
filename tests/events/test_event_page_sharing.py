"""The event page's cached parts shared between viewers (issue 19, the cache paying its way): a viewer
in the event's own zone shares the main column of a viewer without one, anonymous visitors share
the lessons box; nobody is served a part built for someone who sees more."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.accounts.models import Role
from app.lessons.models import TLP
from tests.factories import lesson as make_lesson

START = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


def _page(client, event_id: int) -> str:
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _entries(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}


def test_a_viewer_in_the_events_zone_shares_the_main_column_of_one_without_a_zone(app, make, login, client):
    event = make.event("Kyiv workshop", starts_at=START, timezone="Europe/Kyiv")
    elsewhere = make.user(timezone="Asia/Tbilisi")
    at_home = make.user(timezone="Europe/Kyiv")
    assert "Your time (Asia/Tbilisi)" in _page(login(elsewhere), event.id)
    anonymous = _page(client, event.id)
    home = _page(login(at_home), event.id)
    for html in (anonymous, home):
        assert 'data-testid="your-time"' not in html and "Asia/Tbilisi" not in html
    main = re.compile(r'data-testid="event-when">.*?</dd>', re.S)
    assert main.search(anonymous).group(0) == main.search(home).group(0)


def test_the_lessons_box_is_shared_by_anonymous_visitors_only(app, make, login, client):
    organiser = make.user(Role.ORGANISER)
    attendee, stranger = make.user(), make.user()
    event = make.past_event(organisers=[organiser])
    make.attendee(event, attendee)
    clear = make_lesson(event, organiser, tlp=TLP.CLEAR, title="Radio clear")
    red = make_lesson(event, organiser, tlp=TLP.RED, title="Radio codes were shared")
    # Anonymous first (the shared box is built), then the attendee who sees more, then the others.
    assert _entries(_page(client, event.id)) == {clear.id}
    attendee_page = _page(login(attendee), event.id)
    assert _entries(attendee_page) == {clear.id, red.id}
    assert "/lessons/new" in attendee_page.split('data-testid="event-entries"')[1]  # may record: attended
    stranger_page = _page(login(stranger), event.id)
    assert _entries(stranger_page) == {clear.id}
    assert "/lessons/new" not in stranger_page.split('data-testid="event-entries"')[1]
    assert _entries(_page(client, event.id)) == {clear.id}
    # A new public entry reaches the anonymous box at once.
    newer = make_lesson(event, organiser, tlp=TLP.CLEAR, title="Radio newer")
    assert _entries(_page(client, event.id)) == {clear.id, newer.id}
