"""Where an event happens, written the one way every page, email, calendar entry and document uses."""

from __future__ import annotations

from app.events.models import EventFormat
from app.templating import country_name

# How far a place is spelled out: the full address (calendars, reminders), the venue and town
# (attendance sheets), or the town and country alone (certificates, summaries, lists).
FULL, VENUE, TOWN = "full", "venue", "town"
_PARTS = {FULL: ("venue", "address", "city"), VENUE: ("venue", "city"), TOWN: ("city",)}

# "Online" and "(and online)" in the languages the reminders are written in.
_ONLINE = {"en": ("Online", "{place} (and online)"), "uk": ("Онлайн", "{place} (і онлайн)")}


def place(event, detail: str = FULL) -> str:
    """The event's place as people write it: its parts, then the country's name, each once; empty
    when the event has none (an online event)."""
    parts: list[str] = []
    for value in [getattr(event, name) for name in _PARTS[detail]] + [country_name(event.country)]:
        text = (value or "").strip()
        if text and text not in parts:
            parts.append(text)
    return ", ".join(parts)


def where(event, language: str | None = "en") -> str:
    """The place with how to take part: "Online" for an online event, "<place> (and online)" for
    a hybrid one (reminders, calendar entries)."""
    online, hybrid = _ONLINE.get(language or "en", _ONLINE["en"])
    if event.format == EventFormat.ONLINE:
        return online
    full = place(event)
    if event.format == EventFormat.HYBRID:
        return hybrid.format(place=full) if full else online
    return full
