"""Parse iCalendar with libical (the parser behind Evolution and GNOME Calendar, through PyGObject's
ICalGLib) and print what a client sees, as JSON.

Run by Debian's /usr/bin/python3 (python3-gi, gir1.2-ical-3.0), not by the project's venv:
    /usr/bin/python3 tests/calendar/libical_parse.py [file.ics]   (reads stdin without a file)

libical reports what it could not read as X-LIC-ERROR properties; they are collected in "errors",
and the iTIP restrictions of RFC 5546 for the calendar's METHOD (Component.check_restrictions)
in "itip_errors". Local times with a TZID are converted to UTC through the VTIMEZONE in the file.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

KIND = ICalGLib.ComponentKind
PROP = ICalGLib.PropertyKind
UTC = ICalGLib.Timezone.get_utc_timezone()


def _errors(component):
    """Every X-LIC-ERROR text in `component` and below, as 'COMPONENT: text'."""
    found = []
    prop = component.get_first_property(PROP.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{ICalGLib.Component.kind_to_string(component.isa())}: {prop.get_xlicerror()}")
        prop = component.get_next_property(PROP.XLICERROR_PROPERTY)
    child = component.get_first_component(KIND.ANY_COMPONENT)
    while child is not None:
        found += _errors(child)
        child = component.get_next_component(KIND.ANY_COMPONENT)
    return found


def _text(component, kind):
    prop = component.get_first_property(kind)
    return prop.get_value_as_string() if prop is not None else None


def _param(prop, kind):
    param = prop.get_first_parameter(kind)
    if param is None:
        return None
    return param.as_ical_string().strip().split("=", 1)[1].strip('"')


def _address(prop):
    if prop is None:
        return None
    return {
        "email": prop.get_value_as_string().split(":", 1)[-1].lower(),
        "cn": _param(prop, ICalGLib.ParameterKind.CN_PARAMETER),
        "partstat": _param(prop, ICalGLib.ParameterKind.PARTSTAT_PARAMETER),
        "role": _param(prop, ICalGLib.ParameterKind.ROLE_PARAMETER),
        "rsvp": _param(prop, ICalGLib.ParameterKind.RSVP_PARAMETER),
    }


def _instant(time):
    if time is None or time.is_null_time():
        return None
    if time.is_date():
        return f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
    utc = time.convert_to_zone(UTC)
    return (f"{utc.get_year():04d}-{utc.get_month():02d}-{utc.get_day():02d}T"
            f"{utc.get_hour():02d}:{utc.get_minute():02d}:{utc.get_second():02d}Z")


def _attendees(vevent):
    found = []
    prop = vevent.get_first_property(PROP.ATTENDEE_PROPERTY)
    while prop is not None:
        found.append(_address(prop))
        prop = vevent.get_next_property(PROP.ATTENDEE_PROPERTY)
    return found


def _event(vevent):
    dtstart = vevent.get_first_property(PROP.DTSTART_PROPERTY)
    start = vevent.get_dtstart()
    sequence = vevent.get_first_property(PROP.SEQUENCE_PROPERTY)
    return {
        "uid": vevent.get_uid(),
        "sequence": sequence.get_sequence() if sequence is not None else None,
        "summary": vevent.get_summary(),
        "description": vevent.get_description(),
        "location": vevent.get_location(),
        "status": _text(vevent, PROP.STATUS_PROPERTY),
        "url": _text(vevent, PROP.URL_PROPERTY),
        "related_to": _text(vevent, PROP.RELATEDTO_PROPERTY),
        "start": _instant(start),
        "end": _instant(vevent.get_dtend()),
        "is_date": bool(start.is_date()),
        "tzid": _param(dtstart, ICalGLib.ParameterKind.TZID_PARAMETER) if dtstart is not None else None,
        "dtstamp": _instant(vevent.get_dtstamp()),
        "organizer": _address(vevent.get_first_property(PROP.ORGANIZER_PROPERTY)),
        "attendees": _attendees(vevent),
    }


def _children(component, kind):
    found = []
    child = component.get_first_component(kind)
    while child is not None:
        found.append(child)
        child = component.get_next_component(kind)
    return found


def _calendar(vcalendar):
    errors = _errors(vcalendar)
    events = [_event(vevent) for vevent in _children(vcalendar, KIND.VEVENT_COMPONENT)]
    # check_restrictions adds an X-LIC-ERROR for every RFC 5546 rule the METHOD breaks.
    vcalendar.check_restrictions()
    itip_errors = [e for e in _errors(vcalendar) if e not in errors]
    return {
        "method": _text(vcalendar, PROP.METHOD_PROPERTY),
        "prodid": _text(vcalendar, PROP.PRODID_PROPERTY),
        "version": _text(vcalendar, PROP.VERSION_PROPERTY),
        "timezones": [_text(tz, PROP.TZID_PROPERTY) for tz in _children(vcalendar, KIND.VTIMEZONE_COMPONENT)],
        "events": events,
        "errors": errors,
        "itip_errors": itip_errors,
    }


def main():
    with open(sys.argv[1] if len(sys.argv) > 1 else 0, encoding="utf-8") as handle:
        text = handle.read()
    root = ICalGLib.Component.new_from_string(text)
    if root is None:
        print(json.dumps({"fatal": "libical could not parse the input"}))
        return
    roots = _children(root, KIND.VCALENDAR_COMPONENT) if root.isa() == KIND.XROOT_COMPONENT else [root]
    print(json.dumps([_calendar(vcalendar) for vcalendar in roots]))


if __name__ == "__main__":
    main()
