"""Turn events and sessions into calendar entries (app.calendar.ics.Entry), deciding what each
reader may see: the online link only for confirmed participants and organisers."""

from __future__ import annotations

from functools import cached_property, lru_cache

from app.calendar import links
from app.calendar.ics import Attendee, Entry, Person
from app.countries import country_namer
from app.events.models import EventStatus
from app.events.place import place
from app.events.urls import event_url
from app.i18n import gettext as _
from app.markdown import plain_text

STATUS = {
    EventStatus.DRAFT: "TENTATIVE",
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}

ROLE = {
    "organiser": "CHAIR",
    "observer": "OPT-PARTICIPANT",
}


def organizer() -> Person:
    return _person(*links.mail_from())


@lru_cache(maxsize=16)
def _person(name: str, address: str) -> Person:
    return Person(name=name, email=address)


_MARK = "\x00"  # stands for a message's variable in a phrase looked up once (see Wording)


class Wording:
    """What the entries of one build say, in the current language, each looked up once: a feed of a
    thousand entries otherwise asks gettext, Babel and the URL map the same questions a thousand
    times. Make one per build (the language and the site's settings are those of that moment)."""

    def __init__(self):
        self._details = _("Details: %(url)s", url=_MARK)
        self.organizer = organizer()
        self.host = links.site_host()
        self._url = event_url(_URL_ID).partition(str(_URL_ID))
        self._labels: dict = {}
        self._countries: dict = {}
        self._own: dict = {}

    # Looked up when first needed (a single .ics download needs few of them), then kept.
    @cached_property
    def cancelled(self) -> str:
        return _("CANCELLED")

    @cached_property
    def online(self) -> str:
        return _("Online")

    @cached_property
    def _cancelled_for(self) -> str:
        return _("CANCELLED: %(reason)s", reason=_MARK)

    @cached_property
    def _join(self) -> str:
        return _("Join online: %(url)s", url=_MARK)

    @cached_property
    def _part_of(self) -> str:
        return _("Part of %(title)s.", title=_MARK)

    @cached_property
    def _country_name(self):
        return country_namer()

    def cancelled_for(self, reason: str) -> str:
        return self._cancelled_for.replace(_MARK, reason)

    def join_online(self, url: str) -> str:
        return self._join.replace(_MARK, url)

    def details(self, url: str) -> str:
        return self._details.replace(_MARK, url)

    def part_of(self, title: str) -> str:
        return self._part_of.replace(_MARK, title)

    def event_url(self, event) -> str:
        before, _id, after = self._url
        return f"{before}{event.id}{after}"

    def label(self, kind) -> str:
        # Keyed with the enum's class: EventKind.TRAINING and SessionKind.TRAINING are equal strings
        # with different labels.
        key = (type(kind), kind)
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = str(kind.label)
        return label

    def place(self, event) -> str:
        """app.events.place.place, with each country's name looked up once per build."""
        code = event.country
        country = self._countries.get(code)
        if country is None:
            country = self._countries[code] = self._country_name(code)
        return place(event, country=country)

    def location(self, event) -> str:
        return links.public_location(event, self.place(event), online=self.online)

    def own_status(self, what: str, confirmed: bool) -> str:
        key = (what, confirmed)
        text = self._own.get(key)
        if text is None:
            text = self._own[key] = own_status(what, confirmed)
        return text


_URL_ID = 918273645546372801


def attendee_for(user, registration=None, partstat: str = "ACCEPTED") -> Attendee:
    role_value = getattr(getattr(registration, "role", None), "value", None)
    return Attendee(
        name=user.name,
        email=user.email,
        partstat=partstat,
        role=ROLE.get(role_value, "REQ-PARTICIPANT"),
        rsvp=False,  # we do not process iTIP REPLY: registration happens on the site
    )


def own_status(what: str, confirmed: bool) -> str:
    """The reader's own status, as a line of the description: a published feed carries no ATTENDEE
    (RFC 5546), so its STATUS (CONFIRMED or TENTATIVE) and this line say where they stand."""
    if what == "sign-up":
        return _("Your sign-up: confirmed") if confirmed else _("Your sign-up: waiting list")
    return _("Your registration: confirmed") if confirmed else _("Your registration: waiting list")


def _location(event, show_online: bool, words: Wording, room: str | None = None) -> str:
    if room:
        full = words.place(event)
        location = f"{room}, {full}" if full else room
    else:
        location = words.location(event)
    if show_online and event.online_url:
        if getattr(event.format, "value", event.format) == "online":
            return event.online_url if not room else f"{room}, {event.online_url}"
    return location


def _description(event, show_online: bool, words: Wording, *, lead: str | None = None, body: str | None = None,
                 cancelled: bool = False, note: str | None = None, url: str) -> str:
    parts = []
    if cancelled:
        reason = (event.cancellation_reason or "").strip()
        parts.append(words.cancelled_for(reason) if reason else words.cancelled)
    if note:
        parts.append(note)
    if lead:
        parts.append(lead)
    if body:
        parts.append(body.strip())
    if show_online and event.online_url and not cancelled:
        parts.append(words.join_online(event.online_url))
    parts.append(words.details(url))
    return "\n\n".join(p for p in parts if p)


def _entry(event, item, *, show_online: bool, attendees: tuple[Attendee, ...], status: str | None,
           uid: str, summary: str, lead: str, words: Wording, room: str | None = None, note: str | None = None,
           **fields) -> Entry:
    """The entry of `item` (the event itself or one of its sessions): a cancelled event's entries
    are always CANCELLED, else `status` or the event's own. `note` opens the description (the
    reader's own status in a published feed, which carries no ATTENDEE)."""
    entry_status = status or STATUS[event.status]
    if event.status == EventStatus.CANCELLED:
        entry_status = "CANCELLED"
    url = words.event_url(event)
    return Entry(
        uid=uid,
        sequence=item.sequence or 0,
        summary=summary,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        timezone=event.timezone,
        status=entry_status,
        description=_description(
            event, show_online, words, lead=lead, body=plain_text(item.description or ""),
            cancelled=entry_status == "CANCELLED", note=note, url=url,
        ),
        location=_location(event, show_online, words, room=room),
        url=url,
        created_at=item.created_at,
        organizer=words.organizer,
        attendees=attendees,
        categories=(words.label(item.kind),) if item.kind else (),
        **fields,
    )


def event_entry(event, *, show_online: bool, attendees: tuple[Attendee, ...] = (),
                status: str | None = None, all_day: bool = False, note: str | None = None,
                words: Wording | None = None) -> Entry:
    """The entry of an event (an ORM Event or an app.calendar.rows.EventRow). A build of many
    entries passes one `words` to all of them."""
    words = words or Wording()
    return _entry(
        event, event, show_online=show_online, attendees=attendees, status=status, note=note, words=words,
        uid=links.event_uid(event, words.host), summary=event.title, lead=event.summary,
        last_modified_at=event.updated_at, all_day=all_day,
    )


def session_entry(session, event, *, show_online: bool, attendees: tuple[Attendee, ...] = (),
                  status: str | None = None, note: str | None = None, words: Wording | None = None) -> Entry:
    words = words or Wording()
    return _entry(
        event, session, show_online=show_online, attendees=attendees, status=status, note=note, words=words,
        uid=links.session_uid(session, words.host), summary=f"{session.title} · {event.title}",
        lead=words.part_of(event.title), room=session.room,
        last_modified_at=(max(session.updated_at, event.updated_at) if session.updated_at and event.updated_at
                          else session.updated_at),
        related_to=links.event_uid(event, words.host),
    )
