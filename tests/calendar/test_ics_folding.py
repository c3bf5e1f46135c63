"""The hand-written serialiser against icalendar's reader on tricky text: long lines of multi-byte
characters and emoji folded at every possible offset, commas, semicolons, backslashes and newlines
at the fold, and the one-pass folding of a whole feed against folding line by line."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar

from app.calendar.ics import (
    Entry,
    Person,
    build_calendar,
    fold,
    fold_lines,
    text,
    vevent_parts,
    write_calendar,
)
from tests.calendar.parsers import parse_all

STAMP = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
PIECES = ["a", "Z", " ", ",", ";", "\\", "\n", "\\n", "é", "ж", "ქ", "€", "—", "😀", "🇺🇦", "👩‍💻", ":", '"', "\t"]


def _tricky(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def _entry(index: int, summary: str, description: str, location: str) -> Entry:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(days=index)
    return Entry(uid=f"tricky-{index}@liaison.test", sequence=index, summary=summary, description=description,
                 location=location, starts_at=start, ends_at=start + timedelta(hours=2), timezone="Europe/Kyiv",
                 url=f"https://liaison.test/events/{index}", categories=("Workshop, hybrid; Київ",),
                 organizer=Person("Liaison; Network", "no-reply@liaison.test"))


def test_tricky_text_reads_back_the_same_in_icalendar_at_every_fold_offset():
    rng = random.Random(19)
    entries, expected = [], {}
    for index in range(160):
        # a prefix of every length moves each fold point through characters of 1 to 4 octets
        summary = "x" * (index % 40) + _tricky(rng, 10 + index % 50)
        description = "y" * (index % 75) + _tricky(rng, 40 + index * 3)
        location = _tricky(rng, index % 90)
        entries.append(_entry(index, summary, description, location))
        expected[f"tricky-{index}@liaison.test"] = (summary, description, location)
    ics = build_calendar(entries, method="PUBLISH", dtstamp=STAMP, name="Ліазон · feed; test, 😀")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never a split character
    calendar = icalendar.Calendar.from_ical(ics)
    assert "X-WR-CALNAME:Ліазон · feed\\; test\\, 😀\r\n" in ics.decode().replace("\r\n ", "")
    seen = 0
    for vevent in calendar.walk("VEVENT"):
        summary, description, location = expected[str(vevent.get("uid"))]
        assert str(vevent.get("summary")) == summary
        assert str(vevent.get("description")) == description
        assert str(vevent.get("location") or "") == location
        assert [str(c) for c in vevent.get("categories").cats] == ["Workshop, hybrid; Київ"]
        seen += 1
    assert seen == len(entries)


def test_the_other_parsers_read_emoji_and_escapes_across_folds_alike():
    description = ("Agenda 😀🇺🇦👩‍💻, day one; bring \\ your badge\n" * 12).strip()
    summary = "Зустріч; експертів, " + ("ქართული 😀 " * 9).strip()  # libical drops trailing blanks
    ics = build_calendar([_entry(1, summary, description, "Вулиця Хрещатик, 1; Київ 🏛")], dtstamp=STAMP)
    for name, calendars in parse_all(ics).items():
        (event,) = calendars[0]["events"]
        assert event["summary"] == summary, name
        assert event["description"] == description, name
        assert event["location"] == "Вулиця Хрещатик, 1; Київ 🏛", name


def test_folding_a_whole_feed_at_once_equals_folding_each_line():
    rng = random.Random(5)
    lines = [f"DESCRIPTION:{text(_tricky(rng, rng.randint(0, 300)))}" for _ in range(400)]
    lines += ["BEGIN:VEVENT", "", "X-EMPTY:", "SUMMARY:" + "😀" * 40, "URL:https://liaison.test/" + "a" * 200]
    assert fold_lines(lines) == b"\r\n".join(fold(line) for line in lines)



def _feed_entries(zones: tuple[str, ...]) -> list[Entry]:
    """120 entries of tricky text, in `zones`, over several years, of every status, some all-day."""
    rng = random.Random(23)
    entries = []
    for index in range(120):
        entry = _entry(index, "s" * (index % 70) + _tricky(rng, 5 + index % 40),
                       "d" * (index % 75) + _tricky(rng, 30 + index * 2), _tricky(rng, index % 80))
        start = entry.starts_at + timedelta(days=400 * (index % 3), minutes=7 * index)
        entries.append(replace(entry, timezone=zones[index % len(zones)], starts_at=start,
                               ends_at=start + timedelta(hours=index % 30), all_day=index % 7 == 0,
                               status=("CONFIRMED", "TENTATIVE", "CANCELLED")[index % 3]))
    return entries


# sha256 of the feed below as the serialiser wrote it before the personal feeds kept their VEVENTs
# written (fixed-offset zones only: no VTIMEZONE depends on the tz database's next release).
GOLDEN = "76a3c16a886296787acf5218feb3a2c55b58722383d9a3b7c79526fa3425b439"


def test_the_serialised_bytes_are_those_of_before():
    """Escaping, folding, DTSTAMP, line order and VTIMEZONEs byte for byte as the serialiser gave them
    before the feeds wrote their entries once and kept them: any change to the bytes fails here."""
    entries = _feed_entries(("UTC", "Etc/GMT-3", "Etc/GMT+5"))
    ics = build_calendar(entries, method="PUBLISH", dtstamp=STAMP, name="Feed; name, 😀", refresh_minutes=60)
    assert hashlib.sha256(ics).hexdigest() == GOLDEN


def test_a_feed_written_from_its_entries_parts_is_byte_for_byte_build_calendar():
    """write_calendar (the personal feeds' path: each VEVENT written once, by vevent_parts, and kept)
    gives build_calendar's bytes: DTSTAMP between the two parts of each, CRLF, the VTIMEZONEs of the
    zones used (each once, whatever the order and repeats of the entries)."""
    entries = _feed_entries(("Europe/Kyiv", "America/Sao_Paulo", "UTC", "Africa/Casablanca", "Asia/Tbilisi"))
    for chosen in (entries, entries[::-1], entries + entries[:9], entries[:1], []):
        expected = build_calendar(chosen, method="PUBLISH", dtstamp=STAMP, name="Feed; name, 😀", refresh_minutes=60)
        written = write_calendar([(*vevent_parts(entry), "order", entry) for entry in chosen], method="PUBLISH",
                                 dtstamp=STAMP, name="Feed; name, 😀", refresh_minutes=60)
        assert written == expected
    full = build_calendar(entries, method="PUBLISH", dtstamp=STAMP)
    assert full.count(b"BEGIN:VTIMEZONE") == 4  # UTC needs none
    assert full.count(b"\r\nDTSTAMP:20260110T080000Z\r\n") == len(entries)
    before, after, zone = vevent_parts(entries[1])
    assert before.startswith(b"BEGIN:VEVENT\r\nUID:") and after.startswith(b"SEQUENCE:")
    assert after.endswith(b"END:VEVENT") and zone[0] == "America/Sao_Paulo"
