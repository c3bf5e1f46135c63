"""Where an event happens, written the one way every page, email, calendar entry and document uses."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.events.models import EventFormat
from app.i18n import DEFAULT, supported
from app.templating import country_name

# How far a place is spelled out: the full address (calendars, reminders), the venue and town
# (attendance sheets), or the town and country alone (certificates, summaries, lists).
FULL, VENUE, TOWN = "full", "venue", "town"
_PARTS = {FULL: ("venue", "address", "city"), VENUE: ("venue", "city"), TOWN: ("city",)}


def place(event, detail: str = FULL, *, country: str | None = None) -> str:
    """The event's place as people write it: its parts, then the country's name, each once; empty
    when the event has none (an online event). `country`: the country's name, when the caller has
    looked it up already (a calendar feed names the same few countries a thousand times)."""
    parts: list[str] = []
    if country is None:
        country = country_name(event.country)
    for value in [getattr(event, name) for name in _PARTS[detail]] + [country]:
        text = (value or "").strip()
        if text and text not in parts:
            parts.append(text)
    return ", ".join(parts)


def where(event, language: str | None = None) -> str:
    """The place with how to take part: "Online" for an online event, "<place> (and online)" for
    a hybrid one (reminders, calendar entries), in `language` (None: the page's or email's own)."""
    if language:
        with force_locale(supported(language) or DEFAULT):
            return where(event)
    if event.format == EventFormat.ONLINE:
        return _("Online")
    full = place(event)
    if event.format == EventFormat.HYBRID:
        return _("%(place)s (and online)", place=full) if full else _("Online")
    return full
