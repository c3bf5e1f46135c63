"""Every partner country's zone, across every clock change of 2026 and 2027 (found with Python's
tz database, not written by hand), through all four parsers: ical.js, vobject, icalendar and
libical read the same UTC start and end as the app's own, from the VTIMEZONE we write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar.entries import event_entry
from app.calendar.ics import build_calendar
from tests.calendar.parsers import parse_all

PARTNER_ZONES = ["Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Skopje", "Europe/Belgrade",
                 "Europe/Budapest", "Europe/Bucharest", "Europe/Brussels"]
STAMP = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def transitions(zone: str, years=(2026, 2027)) -> list[datetime]:
    """The UTC instants at which the zone's offset changes in `years` (hour by hour, then to the
    minute)."""
    tz = ZoneInfo(zone)
    found = []
    instant = datetime(years[0], 1, 1, tzinfo=UTC)
    end = datetime(years[-1] + 1, 1, 1, tzinfo=UTC)
    while instant < end:
        after = instant + timedelta(hours=1)
        if instant.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            minute = instant
            while minute.astimezone(tz).utcoffset() == instant.astimezone(tz).utcoffset():
                minute += timedelta(minutes=1)
            found.append(minute)
        instant = after
    return found


def test_the_transitions_are_found():
    assert transitions("Europe/Brussels") == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC), datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    ]
    assert transitions("Asia/Tbilisi") == []  # Georgia keeps +04 all year


@pytest.mark.parametrize("zone", PARTNER_ZONES)
def test_events_across_every_clock_change_read_the_same_in_every_parser(zone, make):
    changes = transitions(zone) or [datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)]
    events = []
    for change in changes:
        # Across the change, starting on it, ending on it, and a whole working day after it.
        for start, end in ((change - timedelta(hours=2), change + timedelta(hours=2)),
                           (change, change + timedelta(hours=1, minutes=30)),
                           (change - timedelta(minutes=45), change),
                           (change + timedelta(hours=6), change + timedelta(hours=14))):
            events.append(make.event(f"Across {change:%Y-%m-%d %H:%M}", starts_at=start, ends_at=end, timezone=zone))
    ics = build_calendar([event_entry(e, show_online=False) for e in events], method="PUBLISH", dtstamp=STAMP)
    assert f"TZID:{zone}".encode() in ics
    expected = {f"{e.uid}@liaison.test": (e.starts_at, e.ends_at) for e in events}
    for name, calendars in parse_all(ics).items():
        (calendar,) = calendars
        assert calendar["timezones"] == [zone], name
        read = {e["uid"]: (e["start"], e["end"]) for e in calendar["events"]}
        assert read == expected, name
