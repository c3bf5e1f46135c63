"""VTIMEZONE components for the TZIDs a calendar uses (RFC 5545 section 3.6.5): the compact
yearly-RRULE form where a zone follows one rule over the range, else every transition listed.

Zones are read from the tz database (zoneinfo); icalendar's component classes serialise them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(tz: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """The offset changes of `tz` in `year`: (UTC instant, offset before, offset after, name after)."""
    found = []
    probe = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=6)
    before = probe.astimezone(tz).utcoffset()
    while probe < end:
        nxt = probe + step
        after = nxt.astimezone(tz).utcoffset()
        if after != before:
            low, high = probe, nxt  # binary search to the second
            while high - low > timedelta(seconds=1):
                mid = low + timedelta(seconds=(high - low).total_seconds() // 2)
                if mid.astimezone(tz).utcoffset() == before:
                    low = mid
                else:
                    high = mid
            found.append((high, before, after, high.astimezone(tz).tzname() or ""))
            before = after
        probe = nxt
    return found


def _rule_for(local: datetime) -> tuple[int, str]:
    """(BYMONTH, BYDAY) for a local wall time: the last weekday of the month when it is, else nth."""
    weekday = _WEEKDAYS[local.weekday()]
    if (local + timedelta(days=7)).month != local.month:
        return local.month, f"-1{weekday}"
    return local.month, f"{(local.day - 1) // 7 + 1}{weekday}"


def _rrule_timezone(tzid: str, tz: ZoneInfo, first_year: int, last_year: int) -> Timezone | None:
    """A VTIMEZONE with yearly RRULEs (the form Outlook, Google, Apple and Thunderbird all read),
    when the zone follows the same rule every year of the range; else None."""
    yearly = [_transitions(tz, year) for year in range(first_year, last_year + 1)]
    component = Timezone()
    component.add("tzid", tzid)
    if all(not changes for changes in yearly):
        offset = datetime(first_year, 6, 1, tzinfo=UTC).astimezone(tz)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset.utcoffset())
        standard.add("tzoffsetto", offset.utcoffset())
        standard.add("tzname", offset.tzname() or tzid)
        component.add_component(standard)
        return component
    if any(len(changes) != 2 for changes in yearly):
        return None
    signatures = set()
    for changes in yearly:
        signature = []
        for instant, before, after, name in changes:
            local_before = (instant + before).replace(tzinfo=None)
            signature.append((_rule_for(local_before), local_before.time(), before, after, name))
        signatures.add(tuple(signature))
    if len(signatures) != 1:
        return None
    (rules,) = signatures
    for (month, byday), wall, before, after, name in rules:
        sub = TimezoneDaylight() if after > before else TimezoneStandard()
        # DTSTART: the first occurrence in 1970; the RRULE carries it forward.
        first = _occurrence(1970, month, byday)
        sub.add("dtstart", datetime.combine(first.date(), wall))
        sub.add("rrule", {"freq": "yearly", "bymonth": month, "byday": byday})
        sub.add("tzoffsetfrom", before)
        sub.add("tzoffsetto", after)
        sub.add("tzname", name)
        component.add_component(sub)
    return component


def _occurrence(year: int, month: int, byday: str) -> datetime:
    """The day of `year`/`month` matching an RRULE BYDAY such as -1SU or 2SU."""
    nth, weekday = int(byday[:-2]), byday[-2:]
    if nth < 0:
        day = datetime(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        while _WEEKDAYS[day.weekday()] != weekday:
            day -= timedelta(days=1)
        return day
    day = datetime(year, month, 1)
    while _WEEKDAYS[day.weekday()] != weekday:
        day += timedelta(days=1)
    return day + timedelta(days=7 * (nth - 1))


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE for `tzid`, valid from `first_year` through `last_year`.

    Zones with a fixed yearly rule (all of Europe, Georgia...) get the compact RRULE form that
    every client understands; zones whose rules changed inside the range fall back to icalendar's
    generator, which lists each transition (RDATE) from the tz database.
    """
    tz = ZoneInfo(tzid)
    return _rrule_timezone(tzid, tz, first_year, last_year) or _listed_timezone(tzid, tz, first_year, last_year)


def _listed_timezone(tzid: str, tz: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """Every transition of the range, one RDATE line each (icalendar's own generator skipped some
    of Morocco's Ramadan changes, and ical.js misread its comma-separated RDATE lists)."""
    component = Timezone()
    component.add("tzid", tzid)
    beginning = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(tz)
    initial = TimezoneStandard()
    initial.add("dtstart", datetime(first_year, 1, 1))
    initial.add("tzoffsetfrom", beginning.utcoffset())
    initial.add("tzoffsetto", beginning.utcoffset())
    initial.add("tzname", beginning.tzname() or tzid)
    component.add_component(initial)
    groups: dict[tuple, list[datetime]] = {}
    for year in range(first_year, last_year + 1):
        for instant, before, after, name in _transitions(tz, year):
            groups.setdefault((before, after, name), []).append((instant + before).replace(tzinfo=None))
    for (before, after, name), starts in groups.items():
        sub = TimezoneDaylight() if after > before else TimezoneStandard()
        sub.add("dtstart", starts[0])
        for start in starts[1:]:
            sub.add("rdate", start)
        sub.add("tzoffsetfrom", before)
        sub.add("tzoffsetto", after)
        sub.add("tzname", name)
        component.add_component(sub)
    return component


@lru_cache(maxsize=256)
def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """The serialised VTIMEZONE (made once per zone and range: builds run under row locks)."""
    return vtimezone(tzid, first_year, last_year).to_ical()
