"""The pure iCalendar builder, read back by ical.js (Thunderbird) and vobject (Radicale)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar import vtimezone as vtimezone_module
from app.calendar.ics import Attendee, Entry, Person, build_calendar
from app.calendar.vtimezone import vtimezone
from tests.calendar.parsers import icaljs, parse_all, vobject_parse

STAMP = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
ZONES = ["Europe/Brussels", "Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Skopje", "Europe/Belgrade"]

# (label, local start, local end): winter, summer, and both DST changes of 2026 (29 March, 25 October)
# crossed by the event itself.
CASES = [
    ("winter", datetime(2026, 1, 20, 9, 30), datetime(2026, 1, 20, 17, 0)),
    ("summer", datetime(2026, 7, 15, 10, 0), datetime(2026, 7, 17, 16, 0)),
    ("across spring change", datetime(2026, 3, 28, 20, 0), datetime(2026, 3, 29, 10, 0)),
    ("across autumn change", datetime(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 9, 0)),
    ("just after spring change", datetime(2026, 3, 29, 4, 30), datetime(2026, 3, 29, 6, 0)),
    ("next winter", datetime(2027, 12, 1, 9, 0), datetime(2027, 12, 1, 12, 0)),
]


def local(value: datetime, zone: str) -> datetime:
    """The UTC instant of a wall-clock time, computed by Python's tz database (not by our VTIMEZONE)."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def entry(zone: str, start: datetime, end: datetime, **kw) -> Entry:
    values = dict(
        uid=f"{zone.replace('/', '-')}-{start:%Y%m%d%H%M}@liaison.test",
        sequence=3,
        summary="Cross-regional meeting",
        starts_at=local(start, zone),
        ends_at=local(end, zone),
        timezone=zone,
        organizer=Person("Liaison", "no-reply@liaison.test"),
    )
    values.update(kw)
    return Entry(**values)


def only_event(calendars: list[dict]) -> dict:
    assert len(calendars) == 1
    assert len(calendars[0]["events"]) == 1
    return calendars[0]["events"][0]


@pytest.mark.parametrize("zone", ZONES)
def test_local_times_come_out_at_the_same_utc_instants_in_every_parser(zone):
    entries = [entry(zone, start, end) for _, start, end in CASES]
    ics = build_calendar(entries, method="PUBLISH", dtstamp=STAMP)
    text = ics.decode()
    assert f"DTSTART;TZID={zone}:" in text
    for name, calendars in parse_all(ics).items():
        (calendar,) = calendars
        assert calendar["timezones"] == [zone], name
        by_uid = {e["uid"]: e for e in calendar["events"]}
        for (label, start, end), expected in zip(CASES, entries, strict=True):
            got = by_uid[expected.uid]
            assert got["start"] == local(start, zone), f"{name} {zone} {label} start"
            assert got["end"] == local(end, zone), f"{name} {zone} {label} end"
            assert got["is_date"] is False


def test_icaljs_reads_times_in_the_event_zone_not_floating():
    ics = build_calendar([entry("Europe/Kyiv", *CASES[1][1:])], method="PUBLISH", dtstamp=STAMP)
    event = only_event(icaljs(ics))
    assert event["tzid"] == "Europe/Kyiv"
    assert event["start_zone"] == "Europe/Kyiv"


def test_summer_time_offsets_are_what_the_tz_database_says():
    # Kyiv is UTC+3 in July, UTC+2 in January; Tbilisi is UTC+4 all year.
    kyiv_summer = entry("Europe/Kyiv", datetime(2026, 7, 1, 9), datetime(2026, 7, 1, 10))
    tbilisi = entry("Asia/Tbilisi", datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))
    ics = build_calendar([kyiv_summer, tbilisi], method="PUBLISH", dtstamp=STAMP)
    for name, calendars in parse_all(ics).items():
        starts = {e["uid"]: e["start"] for e in calendars[0]["events"]}
        assert starts[kyiv_summer.uid] == datetime(2026, 7, 1, 6, tzinfo=UTC), name
        assert starts[tbilisi.uid] == datetime(2026, 1, 1, 5, tzinfo=UTC), name


def test_zone_whose_rules_change_irregularly_falls_back_to_listed_transitions():
    # Morocco moves to UTC+0 during Ramadan: not a yearly rule, so the VTIMEZONE lists the dates.
    zone = "Africa/Casablanca"
    ramadan = entry(zone, datetime(2026, 3, 1, 10), datetime(2026, 3, 1, 12))
    after = entry(zone, datetime(2026, 5, 1, 10), datetime(2026, 5, 1, 12))
    ics = build_calendar([ramadan, after], method="PUBLISH", dtstamp=STAMP)
    assert b"RDATE" in ics
    for name, calendars in parse_all(ics).items():
        starts = {e["uid"]: e["start"] for e in calendars[0]["events"]}
        assert starts[ramadan.uid] == datetime(2026, 3, 1, 10, tzinfo=UTC), name
        assert starts[after.uid] == datetime(2026, 5, 1, 9, tzinfo=UTC), name


def test_every_tzid_has_its_vtimezone_and_european_zones_use_yearly_rules():
    entries = [entry(zone, *CASES[0][1:]) for zone in ZONES]
    text = build_calendar(entries, method="PUBLISH", dtstamp=STAMP).decode()
    used = set(re.findall(r";TZID=([^:;]+)", text))
    defined = set(re.findall(r"^TZID:(.+)$", text.replace("\r\n", "\n"), flags=re.M))
    assert used == set(ZONES) == defined
    brussels = vtimezone("Europe/Brussels", 2025, 2027).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in brussels
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in brussels
    # Moldova changes at 02:00/03:00 local, not at 01:00 UTC like the EU.
    chisinau = vtimezone("Europe/Chisinau", 2025, 2027).to_ical().decode()
    assert "DTSTART:19700329T020000" in chisinau and "DTSTART:19701025T030000" in chisinau


def test_utc_events_are_written_with_z_and_need_no_vtimezone():
    item = Entry(uid="u@liaison.test", sequence=0, summary="Webinar", timezone="UTC",
                 starts_at=datetime(2026, 2, 2, 14, tzinfo=UTC), ends_at=datetime(2026, 2, 2, 15, tzinfo=UTC),
                 organizer=Person("Liaison", "no-reply@liaison.test"))  # RFC 5546: PUBLISH has an ORGANIZER
    ics = build_calendar([item], method="PUBLISH", dtstamp=STAMP)
    assert b"DTSTART:20260202T140000Z" in ics and b"VTIMEZONE" not in ics
    for name, calendars in parse_all(ics).items():
        assert only_event(calendars)["start"] == datetime(2026, 2, 2, 14, tzinfo=UTC), name


TRICKY = {
    "summary": "Зустріч; експертів, Київ — ქართული შეხვედრა, Састанак у Београду; \"quoted\"",
    "description": "Line one, with comma; and semicolon\nLine two: Ђорђе Њ Ћ Џ Љ\\backslash\n\nმადლობა",
    "location": "Вулиця Хрещатик, 1; Київ",
}


def test_escaping_folding_crlf_and_non_latin_text_survive_a_round_trip():
    item = entry("Europe/Belgrade", *CASES[0][1:], **TRICKY,
                 attendees=(Attendee("Ђорђе Јовановић", "djordje@example.rs"),))
    ics = build_calendar([item], method="REQUEST", dtstamp=STAMP)
    # CRLF only, folded at 75 octets, never inside a UTF-8 sequence.
    assert b"\r\n" in ics and b"\n" not in ics.replace(b"\r\n", b"")
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    assert any(line.startswith(b" ") for line in ics.split(b"\r\n")), "long lines are folded"
    unfolded = ics.decode().replace("\r\n ", "")
    assert "Line one\\, with comma\\; and semicolon\\nLine two" in unfolded
    for name, calendars in parse_all(ics).items():
        event = only_event(calendars)
        for field, value in TRICKY.items():
            assert event[field] == value, f"{name} {field}"
        assert event["attendees"][0]["cn"] == "Ђорђе Јовановић", name


def test_request_carries_method_uid_sequence_organizer_and_attendee():
    item = entry("Europe/Skopje", *CASES[1][1:], sequence=7, attendees=(
        Attendee("Марија Петровска", "Marija@Example.mk", partstat="ACCEPTED", role="REQ-PARTICIPANT"),
    ))
    ics = build_calendar([item], method="REQUEST", dtstamp=STAMP)
    for name, calendars in parse_all(ics).items():
        assert calendars[0]["method"] == "REQUEST", name
        assert calendars[0]["version"] == "2.0"
        event = only_event(calendars)
        assert event["uid"] == item.uid
        assert event["sequence"] == 7
        assert event["status"] == "CONFIRMED"
        assert event["dtstamp"] == STAMP
        assert event["organizer"]["email"] == "no-reply@liaison.test"
        assert event["organizer"]["cn"] == "Liaison"
        (attendee,) = event["attendees"]
        assert attendee["email"] == "marija@example.mk"
        assert (attendee["partstat"], attendee["role"], attendee["rsvp"]) == ("ACCEPTED", "REQ-PARTICIPANT", "FALSE")


def test_calendar_header_properties():
    text = build_calendar([entry("Europe/Kyiv", *CASES[0][1:])], method="cancel", dtstamp=STAMP).decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    for line in ("PRODID:-//Liaison//Liaison calendar//EN", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:CANCEL"):
        assert f"\r\n{line}\r\n" in text
    with pytest.raises(ValueError):
        build_calendar([], method="REFRESH", dtstamp=STAMP)


def test_session_is_linked_to_its_event():
    parent = entry("Europe/Kyiv", *CASES[1][1:])
    child = entry("Europe/Kyiv", datetime(2026, 7, 15, 11), datetime(2026, 7, 15, 12),
                  uid="session-1@liaison.test", related_to=parent.uid, summary="Panel")
    ics = build_calendar([parent, child], method="PUBLISH", dtstamp=STAMP)
    assert b"RELATED-TO;RELTYPE=PARENT:" in ics
    for name, calendars in parse_all(ics).items():
        events = {e["uid"]: e for e in calendars[0]["events"]}
        assert events["session-1@liaison.test"]["related_to"] == parent.uid, name
        assert events[parent.uid]["related_to"] is None


def test_whole_day_entries_use_dates_with_exclusive_end():
    # Midnight to midnight in the event's zone is an all-day entry: 4-6 May (three days) ends on the 7th.
    zone = "Europe/Chisinau"
    whole = entry(zone, datetime(2026, 5, 4), datetime(2026, 5, 7), uid="whole@liaison.test")
    # A timed multi-day event written as all-day on request: 09:00 Mon - 17:00 Wed covers Mon-Wed.
    asked = entry(zone, datetime(2026, 5, 4, 9), datetime(2026, 5, 6, 17), uid="asked@liaison.test", all_day=True)
    # Late evening in Tbilisi is already the next day in UTC: the date is the local one.
    tbilisi = entry("Asia/Tbilisi", datetime(2026, 5, 4, 23), datetime(2026, 5, 5, 1),
                    uid="tbilisi@liaison.test", all_day=True)
    ics = build_calendar([whole, asked, tbilisi], method="PUBLISH", dtstamp=STAMP)
    text = ics.decode()
    assert "DTSTART;VALUE=DATE:20260504\r\nDTEND;VALUE=DATE:20260507" in text
    assert "VTIMEZONE" not in text  # dates carry no zone
    for name, calendars in parse_all(ics).items():
        events = {e["uid"]: e for e in calendars[0]["events"]}
        assert events["whole@liaison.test"]["is_date"] is True, name
        assert events["whole@liaison.test"]["start"] == date(2026, 5, 4), name
        assert events["whole@liaison.test"]["end"] == date(2026, 5, 7), name
        assert (events["asked@liaison.test"]["start"], events["asked@liaison.test"]["end"]) == (
            date(2026, 5, 4), date(2026, 5, 7)), name
        assert (events["tbilisi@liaison.test"]["start"], events["tbilisi@liaison.test"]["end"]) == (
            date(2026, 5, 4), date(2026, 5, 6)), name


def test_multi_day_events_stay_timed_by_default():
    item = entry("Europe/Brussels", datetime(2026, 9, 14, 9), datetime(2026, 9, 16, 17))
    ics = build_calendar([item], method="PUBLISH", dtstamp=STAMP)
    for name, calendars in parse_all(ics).items():
        event = only_event(calendars)
        assert event["is_date"] is False, name
        assert event["end"] - event["start"] == timedelta(days=2, hours=8), name


def test_cancelled_status_and_vobject_reads_zone_from_the_file():
    item = entry("Europe/Kyiv", *CASES[0][1:], status="CANCELLED")
    ics = build_calendar([item], method="CANCEL", dtstamp=STAMP)
    for name, calendars in parse_all(ics).items():
        assert calendars[0]["method"] == "CANCEL", name
        assert only_event(calendars)["status"] == "CANCELLED", name
    import vobject

    vevent = next(vobject.readComponents(ics.decode())).vevent
    # dateutil's VTIMEZONE reader, i.e. the zone came from our VTIMEZONE, not from a tz database.
    assert type(vevent.dtstart.value.tzinfo).__name__ == "_tzicalvtz"
    assert vobject_parse(ics)[0]["events"][0]["start"] == item.starts_at


def test_entry_refuses_naive_times_and_unknown_status():
    with pytest.raises(ValueError):
        Entry(uid="x", sequence=0, summary="x", starts_at=datetime(2026, 1, 1), ends_at=datetime(2026, 1, 2),
              timezone="UTC")
    with pytest.raises(ValueError):
        entry("Europe/Kyiv", *CASES[0][1:], status="MAYBE")


def test_vtimezone_text_is_made_once_per_zone_and_reused_by_every_build(monkeypatch):
    """Invitations are built while the registration holds the event row lock: the VTIMEZONE of a
    zone must come from the cache, not from icalendar, after the first build."""
    first = build_calendar([entry("Europe/Kyiv", datetime(2031, 3, 3, 9), datetime(2031, 3, 3, 17))],
                           method="REQUEST", dtstamp=STAMP)

    def fail(*_args, **_kwargs):
        raise AssertionError("VTIMEZONE generated again")

    monkeypatch.setattr(vtimezone_module, "_rrule_timezone", fail)
    monkeypatch.setattr(vtimezone_module, "_listed_timezone", fail)
    again = build_calendar([entry("Europe/Kyiv", datetime(2032, 6, 1, 9), datetime(2032, 6, 1, 10),
                                  summary="Another")], method="REQUEST", dtstamp=STAMP)
    block = re.search(rb"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r\n", first, re.S).group()
    assert block in again
    assert b"\r\n\r\n" not in again and again.endswith(b"END:VCALENDAR\r\n")


def test_text_escaping_handles_every_special_character_in_one_pass():
    from app.calendar.ics import text

    assert text("a\\b;c,d\ne\r\nf\rg\th\x00i\x1fj\x7f") == "a\\\\b\\;c\\,d\\ne\\nf\\ng\th" + "ij\x7f"
    assert text("Київ, თბილისი; ok") == "Київ\\, თბილისი\\; ok"
    assert text("Київ\x00\x0b;\t\x1f") == "Київ\\;\t"


def test_text_drops_the_same_control_characters_in_ascii_and_other_text():
    """ASCII values are checked by bytes.translate, others by the regular expression: both drop
    every C0 control character but TAB (and LF, escaped), and nothing else."""
    from app.calendar.ics import text

    for code in range(0x80):
        char = chr(code)
        if char == "\r":
            continue  # becomes a line break
        expected = "" if code < 0x20 and char not in "\t\n" else text(char)
        assert text(f"a{char}b") == f"a{expected}b"
        assert text(f"é{char}b") == f"é{expected}b"


def test_a_published_calendar_refuses_attendees():
    """RFC 5546 section 3.2.1 (libical's iTIP check rejects them): feeds say the reader's status otherwise."""
    item = entry("Europe/Kyiv", *CASES[0][1:], attendees=(Attendee("Olena", "olena@npu.gov.ua"),))
    with pytest.raises(ValueError, match="ATTENDEE"):
        build_calendar([item], method="PUBLISH", dtstamp=STAMP)
    assert b"ATTENDEE" in build_calendar([item], method="REQUEST", dtstamp=STAMP)
