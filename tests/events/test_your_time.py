"""Lists show the viewer's own time beside the event's (issue 23), by the same rule as the event page
(templates/macros.html your_time): only when the viewer's zone differs from the event's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.registrations.invitations import invite
from app.timeutil import set_now
from tests.events.test_query_counts import count_queries

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)  # 10:00 in Kyiv, 11:00 in Tbilisi


def _world(make, viewer_zone: str, registrations: int = 1):
    set_now(NOW)
    organiser = make.user(role="organiser")
    viewer = make.user(timezone=viewer_zone, email="viewer@example.org")
    events = [make.event(f"Kyiv workshop {i}", starts_at=START, timezone="Europe/Kyiv", organisers=[organiser],
                         created_by=organiser) for i in range(registrations)]
    for event in events:
        make.registration(event, viewer)
    invited = make.event("Chisinau study visit", starts_at=START, timezone="Europe/Chisinau",
                         organisers=[organiser], created_by=organiser)
    invite(invited, [("viewer@example.org", "Viewer")], organiser)
    db.session.commit()
    return viewer


@pytest.mark.parametrize("path", ["/events", "/", "/my/events"])
def test_lists_show_the_viewers_own_time_when_their_zone_differs(app, make, login, path):
    viewer = _world(make, "Asia/Tbilisi")
    body = login(viewer).get(path).get_data(as_text=True)
    assert ("05 Oct 2026 EEST" if path == "/" else "10:00 EEST") in body  # the home page gives the day only
    assert "Your time (Asia/Tbilisi): Mon 05 Oct 2026, 11:00 +04" in body
    if path == "/my/events":  # the invitation too, from its own zone
        assert body.count('data-testid="your-time"') == 2


@pytest.mark.parametrize("path", ["/events", "/", "/my/events"])
def test_lists_say_nothing_more_when_the_viewer_is_in_the_events_zone(app, make, login, client, path):
    viewer = _world(make, "Europe/Kyiv")
    body = login(viewer).get(path).get_data(as_text=True)
    # Only the Chisinau event (another zone, even with the same offset) has the viewer's time beside it.
    assert body.count('data-testid="your-time"') == 1
    assert "Your time (Europe/Kyiv): Mon 05 Oct 2026, 10:00 EEST" in body
    assert 'data-testid="your-time"' not in client.get("/events").get_data(as_text=True)


def test_the_cached_events_list_follows_each_viewers_zone(app, make, login):
    tbilisi = _world(make, "Asia/Tbilisi")
    kyiv = make.user(timezone="Europe/Kyiv")
    assert "Your time (Asia/Tbilisi)" in login(tbilisi).get("/events").get_data(as_text=True)
    body = login(kyiv).get("/events").get_data(as_text=True)
    assert "Kyiv workshop 0" in body and "Asia/Tbilisi" not in body
    assert body.count('data-testid="your-time"') == 1  # the Chisinau event only


def test_my_events_asks_as_many_queries_for_thirty_events_as_for_two(app, make, login):
    from tests.conftest import _clean

    counts = []
    for size in (2, 30):
        db.session.rollback()
        _clean(app)
        client = login(_world(make, "Asia/Tbilisi", registrations=size))
        client.get("/my/events")
        with count_queries() as statements:
            body = client.get("/my/events").get_data(as_text=True)
        assert body.count('data-testid="your-time"') == min(size, 20) + 1  # a page of 20, and the invitation
        counts.append(len(statements))
    set_now(None)
    assert counts[0] == counts[1], counts
