"""Reading one event's scoped stamps (app.cache.scopes), once per request and event.

An event page reads them with its first statement (`packed_column`, a column of app.events.page_facts'
statement, then `prime`); any other request that asks for an entry scoped to an event reads that
event's stamps with one small indexed query (`read`), remembered for the rest of the request.
"""

from __future__ import annotations

import functools

from flask import g, has_request_context, request
from sqlalchemy import String, bindparam, cast, literal_column

from app.cache import packing, scopes, stamps

_G_KEY = stamps.EVENT_G_KEY
_TABLES = tuple(sorted(scopes.SCOPED))


@functools.cache
def _statement():
    return packing.sums(bindparam("names", expanding=True))


def _store(create: bool) -> dict | None:
    if not has_request_context():
        return None
    owner = request._get_current_object()
    held = g.get(_G_KEY)
    if held is None or held[0] is not owner:
        if not create:
            return None
        held = (owner, {})
        setattr(g, _G_KEY, held)
    return held[1]


def _by_table(rows, event_id) -> dict[str, int]:
    suffix = "@" + str(event_id)
    return {name[: -len(suffix)]: int(version) for name, version in rows if name.endswith(suffix)}


def read(session, event_id: int) -> dict[str, int]:
    """{table: stamp} of the event's rows of each table of SCOPED (missing: never written)."""
    store = _store(False)
    if store is not None and event_id in store:
        return store[event_id]
    rows = session.connection().execute(
        _statement(), {"names": [scopes.event_name(table, event_id) for table in _TABLES]}).all()
    found = _by_table(rows, event_id)
    store = _store(True)
    if store is not None:
        store[event_id] = found
    return found


def packed_column(dialect_name: str, event_id):
    """The stamps of the event whose id is `event_id` packed in one text (app.cache.packing), to ride along a statement
    that reads that event anyway (app.events.page_facts). `event_id` is a bound parameter (a
    column of the outer statement would not be correlated through the sums' subqueries)."""
    # The tables' names written into the statement as constants (never user input): as bound values
    # they were 24 more placeholders, past what psycopg keeps parsed (50), so the page's first
    # statement was parsed anew on every request.
    names = [literal_column("'" + table + "@'", String) + cast(event_id, String) for table in _TABLES]
    return packing.packed(names, dialect_name)


def prime(event_id: int, packed) -> None:
    """Remember, for this request, the event's stamps read by packed_column()."""
    store = _store(True)
    if store is None:
        return
    store[event_id] = _by_table(packing.unpack(packed).items(), event_id)
