"""Turn events and sessions into calendar entries (app.calendar.ics.Entry), deciding what each
reader may see: the online link only for confirmed participants and organisers."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _

from app.calendar import links
from app.calendar.ics import Attendee, Entry, Person
from app.events.models import EventStatus
from app.events.place import place
from app.events.urls import event_url
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


def _location(event, show_online: bool, room: str | None = None) -> str:
    location = links.public_location(event)
    if room:
        full = place(event)
        location = f"{room}, {full}" if full else room
    if show_online and event.online_url:
        if getattr(event.format, "value", event.format) == "online":
            return event.online_url if not room else f"{room}, {event.online_url}"
    return location


def _description(event, show_online: bool, *, lead: str | None = None, body: str | None = None,
                 cancelled: bool = False, note: str | None = None, url: str | None = None) -> str:
    parts = []
    if cancelled:
        reason = (event.cancellation_reason or "").strip()
        parts.append(_("CANCELLED: %(reason)s", reason=reason) if reason else _("CANCELLED"))
    if note:
        parts.append(note)
    if lead:
        parts.append(lead)
    if body:
        parts.append(body.strip())
    if show_online and event.online_url and not cancelled:
        parts.append(_("Join online: %(url)s", url=event.online_url))
    parts.append(_("Details: %(url)s", url=url or event_url(event)))
    return "\n\n".join(p for p in parts if p)


def _entry(event, item, *, show_online: bool, attendees: tuple[Attendee, ...], status: str | None,
           uid: str, summary: str, lead: str, room: str | None = None, note: str | None = None,
           **fields) -> Entry:
    """The entry of `item` (the event itself or one of its sessions): a cancelled event's entries
    are always CANCELLED, else `status` or the event's own. `note` opens the description (the
    reader's own status in a published feed, which carries no ATTENDEE)."""
    entry_status = status or STATUS[event.status]
    if event.status == EventStatus.CANCELLED:
        entry_status = "CANCELLED"
    url = event_url(event)  # once: a feed builds hundreds of entries
    return Entry(
        uid=uid,
        sequence=item.sequence or 0,
        summary=summary,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        timezone=event.timezone,
        status=entry_status,
        description=_description(
            event, show_online, lead=lead, body=plain_text(item.description or ""), cancelled=entry_status == "CANCELLED",
            note=note, url=url,
        ),
        location=_location(event, show_online, room=room),
        url=url,
        created_at=item.created_at,
        organizer=organizer(),
        attendees=attendees,
        categories=(str(item.kind.label),) if item.kind else (),
        **fields,
    )


def event_entry(event, *, show_online: bool, attendees: tuple[Attendee, ...] = (),
                status: str | None = None, all_day: bool = False, note: str | None = None) -> Entry:
    return _entry(
        event, event, show_online=show_online, attendees=attendees, status=status, note=note,
        uid=links.event_uid(event), summary=event.title, lead=event.summary,
        last_modified_at=event.updated_at, all_day=all_day,
    )


def session_entry(session, event, *, show_online: bool, attendees: tuple[Attendee, ...] = (),
                  status: str | None = None, note: str | None = None) -> Entry:
    return _entry(
        event, session, show_online=show_online, attendees=attendees, status=status, note=note,
        uid=links.session_uid(session), summary=f"{session.title} · {event.title}",
        lead=_("Part of %(title)s.", title=event.title), room=session.room,
        last_modified_at=(max(session.updated_at, event.updated_at) if session.updated_at and event.updated_at
                          else session.updated_at),
        related_to=links.event_uid(event),
    )
