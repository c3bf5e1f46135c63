"""The plain rows a feed reads: only the columns a calendar entry shows (app.calendar.entries), as
named tuples rather than ORM objects. A feed of a thousand events spent more time loading the
objects (identity map, every column, change tracking) than writing them out.

`EventRow` and `SessionRow` answer the attribute names of `Event` and `Session` that the entry
builders read, so the builders take either (the .ics downloads pass the ORM objects)."""

from __future__ import annotations

from collections import namedtuple

from app.events.models import Event, Session

EVENT_FIELDS = (
    "id", "uid", "sequence", "kind", "format", "status", "title", "summary", "description", "starts_at",
    "ends_at", "timezone", "venue", "address", "city", "country", "online_url", "cancellation_reason",
    "created_at", "updated_at",
)
SESSION_FIELDS = (
    "id", "uid", "sequence", "kind", "title", "description", "starts_at", "ends_at", "room", "created_at",
    "updated_at",
)

EventRow = namedtuple("EventRow", EVENT_FIELDS)
SessionRow = namedtuple("SessionRow", SESSION_FIELDS)

EVENT_COLUMNS = tuple(getattr(Event, name) for name in EVENT_FIELDS)
SESSION_COLUMNS = tuple(getattr(Session, name) for name in SESSION_FIELDS)


def split(row, start: int, make=EventRow._make, width: int = len(EVENT_FIELDS)):
    """The named tuple (`make`) of the `width` columns of a result row beginning at `start`."""
    return make(row[start:start + width])
