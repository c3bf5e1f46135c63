"""The event page's first read: the event, whether the viewer co-organises it, and the per-event facts
the boxes of higher packages need (seats taken, the sessions' sign-up counts, whether the event has a
call for contributions, registration questions, certificate settings, knowledge checks, lessons,
travel settings), as
columns of ONE statement (issue 19: a box whose fact says "nothing here" asks nothing more).

Events sits low in the layers and never names those tables: each higher package registers its facts
(`register`: a name and a scalar SQL expression of the event's id, correlated to events.id) when its
module is imported, as it connects its signal receivers. The event page reads them with the event
(`load_visible_or_404`) and keeps them for this request; a box reads one back with `known`, which
answers UNKNOWN on any other page or for another event (the box then asks as it always did).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from sqlalchemy import Integer, bindparam, exists, select

from app.accounts.permissions import is_signed_in
from app.cache import event_stamps, raw, stamps
from app.events import access
from app.events.models import Event, event_organisers
from app.extensions import db
from app.request_store import request_dict

UNKNOWN = object()  # "not read on this request": ask the database as usual

_facts: dict[str, Callable] = {}


def register(name: str, column: Callable) -> None:
    """Add a fact to the event page's first statement: `column(event_id)` returns a scalar SQL
    expression (an EXISTS, a scalar subquery) of the event's id column. Names are "package.fact"."""
    _facts[name] = column


def _load_statement(dialect_name: str, facts: tuple, with_stamps: bool = False):
    """The event's columns (_event_width of them), whether the viewer co-organises it, the event's
    scoped change stamps (app.cache.event_stamps: its cached entries are keyed on them), the
    `facts` ((name, column) pairs, in order) and, `with_stamps`, every table's stamps last
    (app.cache.stamps: a visitor's request has no user's row to bring them)."""
    co_organises = exists().where(event_organisers.c.event_id == Event.id,
                                  event_organisers.c.user_id == bindparam("user_id"))
    statement = select(
        *raw.columns_by_attribute(Event), co_organises.label("co_organises"),
        event_stamps.packed_column(dialect_name, bindparam("event_id", type_=Integer)),
        *(column(Event.id).label(f"fact_{index}") for index, (_name, column) in enumerate(facts)),
    ).where(Event.id == bindparam("event_id"))
    return statement.add_columns(stamps.packed_column(dialect_name).label("stamps")) if with_stamps else statement


@functools.cache
def _event_width() -> int:
    return len(raw.columns_by_attribute(Event))


def _request_store() -> dict | None:
    """{event id: {fact: value}} for this request, or None outside one."""
    return request_dict("_event_page_facts")


def load_visible_or_404(event_id: int, user) -> Event:
    """The event (404 when `user` may not see it), read with whether `user` co-organises it (handed
    to events.access for this request) and every registered fact (kept for `known`)."""
    dialect_name = db.session.get_bind().dialect.name
    facts = tuple(_facts.items())  # the statement is planned once for these (app.cache.raw)
    signed_in = is_signed_in(user)
    # A visitor's page reads the stamps (with the cache on) and has no user's row to bring them.
    with_stamps = stamps.wanted_unread()
    # On the DBAPI cursor (app.cache.raw), the row made into the Event as the ORM would.
    row, plan = raw.read(db.session, (_load_statement, dialect_name, facts, with_stamps),
                         lambda: _load_statement(dialect_name, facts, with_stamps),
                         {"event_id": event_id, "user_id": user.id if signed_in else 0})
    if row is None:
        abort(404)
    if with_stamps:
        stamps.prime(row[-1])
        row = row[:-1]
    width = _event_width()
    event = raw.loaded_from_row(db.session(), Event, plan, row, width)
    if signed_in:
        access.note_co_organiser(user.id, event.id, bool(row[width]))
    event_stamps.prime(event.id, row[width + 1])
    store = _request_store()
    if store is not None:
        store[event.id] = dict(zip((name for name, _column in facts), row[width + 2:], strict=True))
    if not access.can_view(user, event):
        abort(404)
    return event


def known(event_id: int, name: str):
    """The fact `name` of the event as this request's event page read it, or UNKNOWN."""
    store = _request_store()
    facts = store.get(event_id) if store is not None else None
    if facts is None or name not in facts:
        return UNKNOWN
    return facts[name]


def absent(event_id: int, name: str) -> bool:
    """True when this request's event page read that the event has no such thing (the fact is known
    and false, zero or empty): the box can skip its query."""
    value = known(event_id, name)
    return value is not UNKNOWN and not value
