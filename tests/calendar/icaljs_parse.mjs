// Parse iCalendar with Mozilla's ical.js (Thunderbird's parser) and print what a client sees, as JSON.
// Usage: node tests/calendar/icaljs_parse.mjs [file.ics]   (reads stdin without a file)
// Every VTIMEZONE in the input is registered first, as a client does, so local times with a TZID
// are converted to UTC through the VTIMEZONE we wrote, not through a built-in database.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const input = readFileSync(process.argv[2] || 0, "utf8");
const jcal = ICAL.parse(input);
const roots = Array.isArray(jcal[0]) ? jcal : [jcal];

const utc = (time) => {
  if (!time) return null;
  if (time.isDate) return time.toString();
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString().replace(/Z?$/, "Z");
};

const address = (prop) => {
  if (!prop) return null;
  const value = String(prop.getFirstValue() || "");
  return {
    email: value.replace(/^mailto:/i, ""),
    cn: prop.getParameter("cn") || null,
    partstat: prop.getParameter("partstat") || null,
    role: prop.getParameter("role") || null,
    rsvp: prop.getParameter("rsvp") || null,
  };
};

const calendars = roots.map((root) => {
  const calendar = new ICAL.Component(root);
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const dtstart = vevent.getFirstProperty("dtstart");
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      description: event.description,
      location: event.location,
      status: vevent.getFirstPropertyValue("status"),
      url: vevent.getFirstPropertyValue("url"),
      related_to: vevent.getFirstPropertyValue("related-to"),
      start: utc(event.startDate),
      end: utc(event.endDate),
      is_date: event.startDate ? event.startDate.isDate : null,
      tzid: dtstart ? dtstart.getParameter("tzid") || null : null,
      start_zone: event.startDate && event.startDate.zone ? event.startDate.zone.tzid : null,
      dtstamp: utc(vevent.getFirstPropertyValue("dtstamp")),
      organizer: address(vevent.getFirstProperty("organizer")),
      attendees: vevent.getAllProperties("attendee").map(address),
    };
  });
  return {
    method: calendar.getFirstPropertyValue("method"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    version: calendar.getFirstPropertyValue("version"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  };
});

process.stdout.write(JSON.stringify(calendars));
