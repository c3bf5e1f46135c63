"""Pure iCalendar (RFC 5545/5546) builders: plain `Entry` objects in, UTF-8 bytes with CRLF out.

No database, no request: the feeds, downloads and iTIP emails turn models into `Entry` objects
(app.calendar.entries) and call `build_calendar`. Local times are written with a TZID and every
TZID used gets a VTIMEZONE (see `vtimezone`), so every client places the event at the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

PRODID = "-//Liaison//Liaison calendar//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    partstat: str = "ACCEPTED"  # NEEDS-ACTION | ACCEPTED | TENTATIVE | DECLINED
    role: str = "REQ-PARTICIPANT"  # CHAIR | REQ-PARTICIPANT | OPT-PARTICIPANT | NON-PARTICIPANT
    rsvp: bool = False


@dataclass(frozen=True)
class Entry:
    """One VEVENT. Instants are aware datetimes; `timezone` is the IANA zone they are shown in."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: str = "CONFIRMED"
    description: str = ""
    location: str = ""
    url: str | None = None
    created_at: datetime | None = None
    last_modified_at: datetime | None = None
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = ()
    related_to: str | None = None
    categories: tuple[str, ...] = ()
    # Whole days (VALUE=DATE, exclusive DTEND) instead of timed; see `all_day_dates`.
    all_day: bool = False

    def __post_init__(self):
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("Entry needs aware datetimes")
        if self.status not in STATUSES:
            raise ValueError(f"unknown STATUS {self.status!r}")


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(microsecond=0)


def _zone(name: str) -> ZoneInfo | None:
    """The zone to write local times in; None means UTC (written with a Z, no VTIMEZONE)."""
    if not name or name.upper() in ("UTC", "ETC/UTC", "GMT", "Z"):
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # an unknown zone must not break a feed: fall back to UTC
        return None


def all_day_dates(entry: Entry) -> tuple[date, date]:
    """(first day, exclusive end day) in the entry's zone: 09:00 Mon - 17:00 Wed gives Mon, Thu;
    00:00 Mon - 00:00 Wed (two whole days) gives Mon, Wed."""
    tz = _zone(entry.timezone) or UTC
    start = entry.starts_at.astimezone(tz)
    end = entry.ends_at.astimezone(tz)
    last = end.date() if end.time() == datetime.min.time() else end.date() + timedelta(days=1)
    if last <= start.date():
        last = start.date() + timedelta(days=1)
    return start.date(), last


def spans_whole_days(entry: Entry) -> bool:
    """True when the entry starts and ends at local midnight: it *is* an all-day entry."""
    tz = _zone(entry.timezone) or UTC
    start = entry.starts_at.astimezone(tz)
    end = entry.ends_at.astimezone(tz)
    midnight = datetime.min.time()
    return start.time() == midnight and end.time() == midnight


def _address(email: str) -> str:
    return f"mailto:{email}"


def _vevent(entry: Entry, dtstamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", _utc(dtstamp))
    event.add("sequence", max(0, int(entry.sequence)))
    if entry.created_at:
        event.add("created", _utc(entry.created_at))
    if entry.last_modified_at:
        event.add("last-modified", _utc(entry.last_modified_at))
    if entry.all_day or spans_whole_days(entry):
        first, end = all_day_dates(entry)
        event.add("dtstart", first)  # icalendar writes VALUE=DATE for date objects
        event.add("dtend", end)
        event.add("transp", "TRANSPARENT" if entry.all_day and not spans_whole_days(entry) else "OPAQUE")
    else:
        tz = _zone(entry.timezone)
        if tz is None:
            event.add("dtstart", _utc(entry.starts_at))
            event.add("dtend", _utc(entry.ends_at))
        else:
            event.add("dtstart", entry.starts_at.astimezone(tz).replace(microsecond=0))
            event.add("dtend", entry.ends_at.astimezone(tz).replace(microsecond=0))
        event.add("transp", "TRANSPARENT" if entry.status == "CANCELLED" else "OPAQUE")
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", entry.status)
    if entry.categories:
        event.add("categories", list(entry.categories))
    if entry.related_to:
        event.add("related-to", entry.related_to, parameters={"RELTYPE": "PARENT"})
    if entry.organizer:
        organizer = vCalAddress(_address(entry.organizer.email))
        organizer.params["CN"] = vText(entry.organizer.name)
        event.add("organizer", organizer, encode=0)
    for person in entry.attendees:
        attendee = vCalAddress(_address(person.email))
        attendee.params["CN"] = vText(person.name)
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = person.role
        attendee.params["PARTSTAT"] = person.partstat
        attendee.params["RSVP"] = "TRUE" if person.rsvp else "FALSE"
        event.add("attendee", attendee, encode=0)
    return event


# --- VTIMEZONE ------------------------------------------------------------------------------------

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
    component = _rrule_timezone(tzid, tz, first_year, last_year)
    if component is None:
        component = Timezone.from_tzinfo(
            tz, tzid=tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
        )
    return component


def _timezones(entries: Sequence[Entry]) -> list[Timezone]:
    used: dict[str, list[int]] = {}
    for entry in entries:
        if entry.all_day or spans_whole_days(entry) or _zone(entry.timezone) is None:
            continue
        years = used.setdefault(entry.timezone, [entry.starts_at.year, entry.ends_at.year])
        years[0] = min(years[0], entry.starts_at.year)
        years[1] = max(years[1], entry.ends_at.year)
    return [vtimezone(tzid, first - 1, last + 1) for tzid, (first, last) in sorted(used.items())]


def build_calendar(
    entries: Iterable[Entry],
    *,
    method: str = "PUBLISH",
    dtstamp: datetime,
    name: str | None = None,
    refresh_minutes: int | None = None,
) -> bytes:
    """A VCALENDAR holding `entries`, serialised (folded lines, CRLF, UTF-8)."""
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown METHOD {method!r}")
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if refresh_minutes:
        calendar.add("refresh-interval", timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", timedelta(minutes=refresh_minutes))
    for component in _timezones(entries):
        calendar.add_component(component)
    for entry in entries:
        calendar.add_component(_vevent(entry, dtstamp))
    missing = calendar.get_missing_tzids()
    if missing:  # cannot happen with the loop above; a safety net rather than a silent bug
        calendar.add_missing_timezones()
    return calendar.to_ical()


def build_entry_calendar(entry: Entry, *, method: str, dtstamp: datetime) -> str:
    """One entry as an iTIP message body (str, for outbox CalendarPart)."""
    return build_calendar([entry], method=method, dtstamp=dtstamp).decode("utf-8")
