"""Pure iCalendar (RFC 5545/5546) builders: plain `Entry` objects in, UTF-8 bytes with CRLF out.

No database, no request: the feeds, downloads and iTIP emails turn models into `Entry` objects
(app.calendar.entries) and call `build_calendar`. Local times are written with a TZID and every
TZID used gets a VTIMEZONE (see app.calendar.vtimezone), so every client places the event at the same instant.

When an entry is all-day (VALUE=DATE, exclusive DTEND):
- an entry running from local midnight to local midnight in its zone *is* whole days: always dates;
- a timed event, even over several days (09:00 Monday to 17:00 Wednesday), stays timed with its
  real start and end, because the hours matter (arrival, first session) and dates float: a date
  means a different span of hours in each reader's zone;
- `Entry.all_day=True` asks for the day view anyway (downloads and feeds take ?all_day=1): the
  local dates the event touches, marked TRANSPARENT so it does not block whole days as busy.
Sessions and invitations are always timed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.calendar.vtimezone import vtimezone_bytes

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


@lru_cache(maxsize=512)
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


_MIDNIGHT = datetime.min.time()


def spans_whole_days(entry: Entry) -> bool:
    """True when the entry starts and ends at local midnight: it *is* an all-day entry."""
    tz = _zone(entry.timezone) or UTC
    start = entry.starts_at.astimezone(tz)
    end = entry.ends_at.astimezone(tz)
    midnight = datetime.min.time()
    return start.time() == midnight and end.time() == midnight


# --- content lines (RFC 5545 section 3.1) ---------------------------------------------------------
# VEVENTs are written directly rather than through icalendar's component model: the latter took
# seconds for a 500-entry feed. icalendar still generates the VTIMEZONEs it is good at, and the tests
# read every output back with icalendar, ical.js and vobject.


# Control characters other than TAB and LF are dropped from TEXT (CR and CRLF become LF first).
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_TEXT_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A))  # the same, as bytes
_QUOTED_DROP = re.compile(r'[\x00-\x1f"]')
_URI_DROP = re.compile(r"[\x00-\x1f]")


def text(value: str) -> str:
    """TEXT value escaping (RFC 5545 section 3.3.11): the control characters dropped, then the
    four escapes at C speed. An ASCII value (nearly all) is checked for control characters by
    `bytes.translate` (a table lookup per byte, five times faster than the regular expression's
    search on a long DESCRIPTION); any other by the regular expression."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.isascii():
        encoded = value.encode("ascii")
        if len(encoded.translate(None, _TEXT_CONTROL_BYTES)) != len(encoded):
            value = _TEXT_CONTROL.sub("", value)
    elif _TEXT_CONTROL.search(value):
        value = _TEXT_CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def quoted(value: str) -> str:
    """A parameter value in quotes: DQUOTE and control characters cannot appear in one."""
    return f'"{_QUOTED_DROP.sub("", value)}"'


def fold(line: str) -> bytes:
    """UTF-8 line folded at 75 octets, never inside a character nor right after a backslash."""
    return fold_bytes(line.encode("utf-8"))


def fold_bytes(data: bytes) -> bytes:
    """`fold` of one line already encoded (UTF-8, no CR or LF in it)."""
    size = len(data)
    if size <= 75:
        return data
    parts = []
    start, end = 0, 75
    while end < size:
        while (data[end] & 0xC0) == 0x80:
            end -= 1  # a continuation byte: step back to the start of the character
        if data[end - 1] == 0x5C and end - 1 > start:
            end -= 1  # keep an escape sequence on one line, as icalendar does for old clients
        parts.append(data[start:end])
        start, end = end, end + 74  # continuation lines begin with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def fold_lines(lines: list[str]) -> bytes:
    """Content lines (no CR or LF in any: TEXT escapes them, URIs and parameters drop them) joined
    with CRLF and folded: encoded at once, and only the long ones (mostly DESCRIPTION) go through
    `fold_bytes`."""
    data = "\r\n".join(lines).encode("utf-8")
    return b"\r\n".join([line if len(line) <= 75 else fold_bytes(line) for line in data.split(b"\r\n")])


def _compact(moment: datetime) -> str:
    """strftime("%Y%m%dT%H%M%S") of the wall-clock time, the fraction of a second dropped
    (isoformat is done in C: a feed writes thousands of these)."""
    return moment.isoformat()[:19].replace("-", "").replace(":", "")


def _stamp(instant: datetime) -> str:
    """A UTC DATE-TIME: 20261024T070000Z."""
    return _compact(instant.astimezone(UTC)) + "Z"


def _uri(value: str) -> str:
    return _URI_DROP.sub("", value)


def _address(person) -> str:
    return "mailto:" + _uri(person.email).replace(" ", "")


@lru_cache(maxsize=64)
def _organizer_line(person: Person) -> str:
    # The same organiser is on every entry of a feed: its line is made once.
    return f"ORGANIZER;CN={quoted(person.name)}:{_address(person)}"


@lru_cache(maxsize=1024)
def _attendee_line(person: Attendee) -> str:
    return (
        f"ATTENDEE;CN={quoted(person.name)};CUTYPE=INDIVIDUAL;ROLE={person.role};"
        f"PARTSTAT={person.partstat};RSVP={'TRUE' if person.rsvp else 'FALSE'}:{_address(person)}"
    )


def _repeated(local: datetime) -> bool:
    """True when the wall-clock time `local` (an instant in its zone) occurs twice (the hour the
    clocks go back): RFC 5545 reads it as the first occurrence, ical.js as the second, so such
    entries are written in UTC, which every client reads alike."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _vevent_lines(entry: Entry, dtstamp: datetime | str) -> list[str]:
    stamp = dtstamp if isinstance(dtstamp, str) else _stamp(dtstamp)
    lines = ["BEGIN:VEVENT", f"UID:{text(entry.uid)}", f"DTSTAMP:{stamp}",
             f"SEQUENCE:{max(0, int(entry.sequence))}"]
    if entry.created_at:
        lines.append(f"CREATED:{_stamp(entry.created_at)}")
    if entry.last_modified_at:
        lines.append(f"LAST-MODIFIED:{_stamp(entry.last_modified_at)}")
    tz = _zone(entry.timezone)
    start, end = entry.starts_at.astimezone(tz or UTC), entry.ends_at.astimezone(tz or UTC)
    whole_days = start.time() == _MIDNIGHT and end.time() == _MIDNIGHT  # spans_whole_days
    if entry.all_day or whole_days:
        first, last = all_day_dates(entry)
        lines.append(f"DTSTART;VALUE=DATE:{first:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{last:%Y%m%d}")
        # A timed event shown as whole days on request should not block those days entirely.
        transparent = entry.status == "CANCELLED" or (entry.all_day and not whole_days)
    else:
        if tz is None or _repeated(start) or _repeated(end):
            lines.append(f"DTSTART:{_stamp(entry.starts_at)}")
            lines.append(f"DTEND:{_stamp(entry.ends_at)}")
        else:
            tzid = entry.timezone
            lines.append(f"DTSTART;TZID={tzid}:{_compact(start)}")
            lines.append(f"DTEND;TZID={tzid}:{_compact(end)}")
        transparent = entry.status == "CANCELLED"
    lines.append(f"SUMMARY:{text(entry.summary)}")
    if entry.description:
        lines.append(f"DESCRIPTION:{text(entry.description)}")
    if entry.location:
        lines.append(f"LOCATION:{text(entry.location)}")
    if entry.url:
        lines.append(f"URL:{_uri(entry.url)}")
    lines.append(f"STATUS:{entry.status}")
    lines.append(f"TRANSP:{'TRANSPARENT' if transparent else 'OPAQUE'}")
    if entry.categories:
        lines.append("CATEGORIES:" + ",".join(text(c) for c in entry.categories))
    if entry.related_to:
        lines.append(f"RELATED-TO;RELTYPE=PARENT:{text(entry.related_to)}")
    if entry.organizer:
        lines.append(_organizer_line(entry.organizer))
    for person in entry.attendees:
        lines.append(_attendee_line(person))
    lines.append("END:VEVENT")
    return lines



def _zone_use(entry: Entry) -> tuple[str, int, int] | None:
    """(TZID, first year, last year) when the entry is written in local time of its zone, else None."""
    if entry.all_day or spans_whole_days(entry) or _zone(entry.timezone) is None:
        return None
    return entry.timezone, entry.starts_at.year, entry.ends_at.year


def _timezone_blocks(uses: Iterable[tuple[str, int, int] | None]) -> list[bytes]:
    """The VTIMEZONEs of the entries' zone uses (`_zone_use` of each)."""
    used: dict[str, list[int]] = {}
    for use in uses:
        if use is None:
            continue
        tzid, first, last = use
        years = used.setdefault(tzid, [first, last])
        years[0] = min(years[0], first)
        years[1] = max(years[1], last)
    # Whole decades keep the cache small and the VTIMEZONE identical across feeds and emails.
    return [
        vtimezone_bytes(tzid, (first - 1) // 10 * 10, (last + 1) // 10 * 10 + 9)
        for tzid, (first, last) in sorted(used.items())
    ]


def build_calendar(
    entries: Iterable[Entry],
    *,
    method: str = "PUBLISH",
    dtstamp: datetime,
    name: str | None = None,
    refresh_minutes: int | None = None,
) -> bytes:
    """A VCALENDAR holding `entries`, serialised (folded lines, CRLF, UTF-8), with a VTIMEZONE
    for every TZID used."""
    method = _method(method)
    entries = list(entries)
    if method == "PUBLISH" and any(entry.attendees for entry in entries):
        # RFC 5546 section 3.2.1: libical (Evolution, GNOME Calendar) rejects them.
        raise ValueError("a published calendar (METHOD:PUBLISH) carries no ATTENDEE")
    return write_calendar([_vevent_bytes(entry) for entry in entries], method=method, dtstamp=dtstamp, name=name,
                          refresh_minutes=refresh_minutes)


def _method(method: str) -> str:
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown METHOD {method!r}")
    return method


def write_calendar(
    vevents: Iterable[tuple],
    *,
    method: str = "PUBLISH",
    dtstamp: datetime,
    name: str | None = None,
    refresh_minutes: int | None = None,
) -> bytes:
    """build_calendar of VEVENTs written already, each a tuple that begins with `vevent_parts` of
    its entry (a feed's remembered ones: app.calendar.personal_written): the same bytes as
    build_calendar of the entries. Only METHOD is checked here: whether a PUBLISH's entries carry an
    ATTENDEE was checked when they were written."""
    method = _method(method)
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    if name:
        head += [f"X-WR-CALNAME:{text(name)}", f"NAME:{text(name)}"]
    if refresh_minutes:
        head += [f"REFRESH-INTERVAL;VALUE=DURATION:PT{int(refresh_minutes)}M",
                 f"X-PUBLISHED-TTL:PT{int(refresh_minutes)}M"]
    stamp = f"DTSTAMP:{_stamp(dtstamp)}".encode("ascii")
    events: list[bytes] = []
    uses = set()  # each zone use once: a feed's entries share a few
    for vevent in vevents:
        events += (vevent[0], stamp, vevent[1])
        uses.add(vevent[2])
    chunks = [fold_lines(head)]
    chunks += [block.removesuffix(b"\r\n") for block in _timezone_blocks(uses)]
    chunks += events
    chunks += (b"END:VCALENDAR", b"")
    return b"\r\n".join(chunks)


def vevent_parts(entry: Entry) -> tuple[bytes, bytes, tuple[str, int, int] | None]:
    """The VEVENT's folded content lines before and after its DTSTAMP (the build's own time, added
    by write_calendar), and the entry's `_zone_use` (which VTIMEZONE it needs)."""
    lines = _vevent_lines(entry, "")
    return fold_lines(lines[:2]), fold_lines(lines[3:]), _zone_use(entry)


# vevent_parts remembered per worker, keyed on the Entry itself: it holds everything the VEVENT
# shows (a frozen dataclass, compared field by field), so any change to what it shows is another key,
# and a feed rebuilt after one event changed writes only that one anew. (The personal feeds keep
# their entries written, by the rows' versions: app.calendar.personal_written.) Bounded as
# app.calendar.feed_entries.MAX_ENTRIES (the public feed with room to spare).
_vevent_bytes = lru_cache(maxsize=1280)(vevent_parts)


def build_entry_calendar(entry: Entry, *, method: str, dtstamp: datetime) -> str:
    """One entry as an iTIP message body (str, for outbox CalendarPart)."""
    return build_calendar([entry], method=method, dtstamp=dtstamp).decode("utf-8")
