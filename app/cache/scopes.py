"""Event-scoped change stamps: which event a written or loaded row belongs to (issue 19).

A table of SCOPED has, besides its whole-table stamp (`sessions`), a stamp per event (`sessions@123`,
moved by every commit that wrote a row of that event) and an "every event" stamp (`sessions@*`, moved
by a write whose event cannot be told: a bulk UPDATE/DELETE, a raw `bump()`, a row whose event is
not at hand). An entry about one event (`remember(..., scope=event_id)`) is keyed, for each of its
tables in SCOPED, on that table's "every event" stamp and the event's own stamp: a write to another
event's rows leaves it found. Its other tables (users, organisations, ...) keep whole-table stamps.

The stamps live in the same rows as the tables' (change_stamps and its shards), so a commit still
moves all of its stamps in one statement, in name order. The whole-table read lists its names
(tables and `@*` stamps), so event rows never ride along it; an event page reads its event's stamps
with its first statement (app.events.page_facts), other pages with one small query (stamps.read_event).

A row's event: the events row itself; a row with an `event_id` column (its old and new value when
it changed); a row owned by a session, a registration or a lesson (session_speakers,
session_signups, session_attendance, attendance_days) through its parent, when that parent is in the
session's identity map; a link table changed through a collection, by the owner's event. Anything
else: None, and the writer moves the "every event" stamp.
"""

from __future__ import annotations

from sqlalchemy import inspect

# Tables whose stamps are also kept per event (every write to them moves an event's or "@*" stamp).
SCOPED = frozenset({
    "events", "sessions", "session_speakers", "event_organisers", "event_projects", "event_themes",
    "registrations", "session_signups", "session_attendance", "attendance_days", "lessons", "lesson_themes",
})
EVERY = "*"
# Stamps of no table, moved by their own writers (app.lessons.public_part) and by stamps.bump_all.
UNTABLED: set[str] = set()
# Columns through which a row belongs to the event of a parent row (in the identity map).
_PARENTS = {"session_id": "sessions", "registration_id": "registrations", "lesson_id": "lessons"}


def event_name(table: str, event_id) -> str:
    return f"{table}@{event_id}"


def every_name(table: str) -> str:
    return f"{table}@{EVERY}"


def _values(state, key: str, new: bool = False) -> set:
    """The values an attribute had and has in this flush, without loading anything (a row added
    in this flush had none before)."""
    if key not in state.dict:
        return {None}  # expired or never loaded: unknown
    found = {state.dict[key]}
    if key in state.committed_state and not new:
        old = state.committed_state[key]
        found.add(old if isinstance(old, int) else None)  # NO_VALUE: the old value was never loaded
    return found


def _parent_event(state, key: str, table: str, new: bool) -> set | None:
    session = state.session
    if session is None:
        return None
    mapper = _mapper_of(state.mapper, table)
    if mapper is None:
        return None
    events: set = set()
    for parent_id in _values(state, key, new):
        if parent_id is None:
            return None
        parent = session.identity_map.get(mapper.identity_key_from_primary_key([parent_id]))
        if parent is None:
            return None
        parent_events = event_ids(inspect(parent))
        if parent_events is None:
            return None
        events |= parent_events
    return events


_mappers: dict[str, object] = {}


def _mapper_of(mapper, table: str):
    found = _mappers.get(table)
    if found is None:
        found = next((m for m in mapper.registry.mappers if m.local_table.name == table), None)
        if found is not None:
            _mappers[table] = found
    return found


def event_ids(state, new: bool = False) -> set | None:
    """The ids of the events the row of `state` (an InstanceState; `new`: added in this flush)
    belongs to, old and new, or None when they cannot be told without a query."""
    table = state.mapper.local_table.name
    if table == "events":
        ids = state.identity[:1] if state.identity else tuple(_values(state, "id", new))
        return set(ids) if ids and None not in ids else None
    columns = state.mapper.columns
    if "event_id" in columns:
        ids = _values(state, "event_id", new)
        return ids if ids and None not in ids else None
    for key, parent in _PARENTS.items():
        if key in columns:
            return _parent_event(state, key, parent, new)
    return None


def scoped_names(state, tables, new: bool = False) -> set[str]:
    """The event-scoped stamp names (or "every event" names) a change of `tables` of this row
    (`new`: added in this flush) moves."""
    wanted = [table for table in tables if table in SCOPED]
    if not wanted:
        return set()
    events = event_ids(state, new)
    if events is None:
        return {every_name(table) for table in wanted}
    return {event_name(table, event) for table in wanted for event in events}
