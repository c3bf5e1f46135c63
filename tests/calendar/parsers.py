"""Independent iCalendar parsers that real clients use, reduced to the same plain shape:
Mozilla's ical.js (Thunderbird) through Node, vobject (Radicale's CalDAV server), icalendar, and
libical (Evolution, GNOME Calendar) through Debian's python3-gi in a subprocess.

ical.js, vobject and libical convert local times through the VTIMEZONE in the file, so a wrong VTIMEZONE shows up as a
wrong UTC instant.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import vobject

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("icaljs_parse.mjs")
LIBICAL_SCRIPT = Path(__file__).with_name("libical_parse.py")
# Debian's Python, which has python3-gi; the project's venv need not.
SYSTEM_PYTHON = "/usr/bin/python3"


def icaljs_available() -> bool:
    return bool(shutil.which("node")) and (ROOT / "node_modules" / "ical.js" / "package.json").exists()


def icaljs(ics: bytes | str) -> list[dict]:
    require(icaljs_available(), "node and node_modules/ical.js are needed (run `make node`)")
    data = ics.encode("utf-8") if isinstance(ics, str) else ics
    result = subprocess.run(
        ["node", str(SCRIPT)], input=data, capture_output=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    calendars = json.loads(result.stdout)
    for calendar in calendars:
        for event in calendar["events"]:
            event["start"] = _instant(event["start"])
            event["end"] = _instant(event["end"])
            event["dtstamp"] = _instant(event["dtstamp"])
            for person in [event["organizer"], *event["attendees"]]:
                if person:
                    person["email"] = person["email"].lower()
    return calendars


def _instant(text: str | None):
    if text is None:
        return None
    if "T" not in text:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _param(prop, name: str):
    values = prop.params.get(name)
    return values[0] if values else None


def _address(prop) -> dict | None:
    if prop is None:
        return None
    return {
        "email": str(prop.value).split(":", 1)[-1].lower(),
        "cn": _param(prop, "CN"),
        "partstat": _param(prop, "PARTSTAT"),
        "role": _param(prop, "ROLE"),
        "rsvp": _param(prop, "RSVP"),
    }


def _value(component, name: str):
    prop = getattr(component, name.replace("-", "_"), None) if hasattr(component, name.replace("-", "_")) else None
    return prop.value if prop is not None else None


def _to_utc(value):
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "vobject read a floating time: TZID/VTIMEZONE missing"
        return value.astimezone(UTC)
    return value


def vobject_parse(ics: bytes | str) -> list[dict]:
    text = ics.decode("utf-8") if isinstance(ics, bytes) else ics
    calendars = []
    for calendar in vobject.readComponents(text):
        events = []
        for vevent in calendar.contents.get("vevent", []):
            contents = vevent.contents
            dtstart = contents["dtstart"][0]
            events.append({
                "uid": contents["uid"][0].value,
                "sequence": int(contents["sequence"][0].value) if "sequence" in contents else None,
                "summary": contents["summary"][0].value if "summary" in contents else None,
                "description": contents["description"][0].value if "description" in contents else None,
                "location": contents["location"][0].value if "location" in contents else None,
                "status": contents["status"][0].value if "status" in contents else None,
                "url": contents["url"][0].value if "url" in contents else None,
                "related_to": contents["related-to"][0].value if "related-to" in contents else None,
                "start": _to_utc(dtstart.value),
                "end": _to_utc(contents["dtend"][0].value),
                "is_date": not isinstance(dtstart.value, datetime),
                "tzid": _param(dtstart, "TZID"),
                "dtstamp": _to_utc(contents["dtstamp"][0].value),
                "organizer": _address(contents["organizer"][0]) if "organizer" in contents else None,
                "attendees": [_address(a) for a in contents.get("attendee", [])],
            })
        calendars.append({
            "method": calendar.contents["method"][0].value if "method" in calendar.contents else None,
            "prodid": calendar.contents["prodid"][0].value,
            "version": calendar.contents["version"][0].value,
            "timezones": [tz.contents["tzid"][0].value for tz in calendar.contents.get("vtimezone", [])],
            "events": events,
        })
    return calendars


def _icalendar_address(value) -> dict | None:
    if value is None:
        return None
    return {
        "email": str(value).split(":", 1)[-1].lower(),
        "cn": value.params.get("CN"),
        "partstat": value.params.get("PARTSTAT"),
        "role": value.params.get("ROLE"),
        "rsvp": value.params.get("RSVP"),
    }


def icalendar_parse(ics: bytes | str) -> list[dict]:
    """The icalendar package's own reader (it resolves TZIDs through the tz database): a third view,
    mostly to prove our hand-written content lines read back the same in the library we build on."""
    import icalendar

    data = ics.encode("utf-8") if isinstance(ics, str) else ics
    calendars = []
    for calendar in icalendar.Calendar.from_ical(data, multiple=True):
        events = []
        for vevent in calendar.walk("VEVENT"):
            start = vevent.decoded("dtstart")
            attendees = vevent.get("attendee", [])
            if not isinstance(attendees, list):
                attendees = [attendees]
            events.append({
                "uid": str(vevent.get("uid")),
                "sequence": int(vevent.get("sequence")) if "sequence" in vevent else None,
                "summary": str(vevent.get("summary")) if "summary" in vevent else None,
                "description": str(vevent.get("description")) if "description" in vevent else None,
                "location": str(vevent.get("location")) if "location" in vevent else None,
                "status": str(vevent.get("status")) if "status" in vevent else None,
                "url": str(vevent.get("url")) if "url" in vevent else None,
                "related_to": str(vevent.get("related-to")) if "related-to" in vevent else None,
                "start": _to_utc(start),
                "end": _to_utc(vevent.decoded("dtend")),
                "is_date": not isinstance(start, datetime),
                "tzid": vevent["dtstart"].params.get("TZID"),
                "dtstamp": _to_utc(vevent.decoded("dtstamp")),
                "organizer": _icalendar_address(vevent.get("organizer")),
                "attendees": [_icalendar_address(a) for a in attendees],
            })
        calendars.append({
            "method": str(calendar.get("method")) if "method" in calendar else None,
            "prodid": str(calendar.get("prodid")),
            "version": str(calendar.get("version")),
            "timezones": [str(tz.get("tzid")) for tz in calendar.walk("VTIMEZONE")],
            "events": events,
        })
    return calendars


@lru_cache(maxsize=1)
def libical_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"],
        capture_output=True, timeout=60, check=False,
    )
    return probe.returncode == 0


def libical(ics: bytes | str, *, itip: bool = True) -> list[dict]:
    """libical's view. Fails on any X-LIC-ERROR (what libical could not read) and, unless
    `itip=False`, on any RFC 5546 restriction the calendar's METHOD breaks."""
    require(libical_available(), "libical is needed: Debian's python3-gi and gir1.2-ical-3.0 (apt-get install)")
    data = ics.encode("utf-8") if isinstance(ics, str) else ics
    result = subprocess.run(
        [SYSTEM_PYTHON, str(LIBICAL_SCRIPT)], input=data, capture_output=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    calendars = json.loads(result.stdout)
    assert isinstance(calendars, list), calendars
    for calendar in calendars:
        assert calendar.pop("errors") == [], "libical reported errors"
        itip_errors = calendar.pop("itip_errors")
        assert not itip or itip_errors == [], f"libical's iTIP check failed: {itip_errors}"
        for event in calendar["events"]:
            event["start"] = _instant(event["start"])
            event["end"] = _instant(event["end"])
            event["dtstamp"] = _instant(event["dtstamp"])
    return calendars


PARSERS = {"ical.js": icaljs, "vobject": vobject_parse, "icalendar": icalendar_parse, "libical": libical}


def parse_all(ics: bytes | str) -> dict[str, list[dict]]:
    """{parser name: calendars} for every parser."""
    return {name: parse(ics) for name, parse in PARSERS.items()}
