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

A signed-in viewer's own facts (their registration, an open invitation, their sign-ups) ride on the
same statement the same way (`register_viewer`: columns and outer joins of the event's row on the
bound `user_id`), read only when the viewer is signed in (a visitor's statement has no join) and
read back with `viewer_known` (the statement's row, its plan and where the fact's columns start).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

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


class _ViewerFact(NamedTuple):
    build: Callable  # (event_id column, user_id bind parameter) -> (columns, outer joins)
    parameters: Callable  # the signed-in user -> {name: value} of its other bound parameters


_viewer_facts: dict[str, _ViewerFact] = {}


def _no_parameters(_user) -> dict:
    return {}


def register_viewer(name: str, build: Callable, parameters: Callable = _no_parameters) -> None:
    """Add a signed-in viewer's fact to the event page's first statement: `build(event_id, user_id)`
    (the events.id column, the viewer's id as a bound parameter) returns (columns, joins): the
    labelled SQL expressions read and the (target, onclause) pairs outer joined to the event's row,
    each matching one row at most (a unique key with the user) and aliased (a fact's subquery
    naming the same table is never correlated to it). `parameters(user)` gives the values of the
    columns' other bound parameters (named "package_name": never "event_id" or "user_id"). Read back
    with `viewer_known`; never read for a visitor."""
    _viewer_facts[name] = _ViewerFact(build, parameters)


@functools.cache
def _viewer_parts(viewers: tuple) -> tuple:
    """(name, columns, joins) of each registered viewer fact ((name, _ViewerFact) pairs), built once."""
    event_id, user_id = Event.id, bindparam("user_id")
    return tuple((name, *fact.build(event_id, user_id)) for name, fact in viewers)


def _load_statement(dialect_name: str, facts: tuple, with_stamps: bool = False, viewers: tuple = ()):
    """The event's columns (_event_width of them), whether the viewer co-organises it, the event's
    scoped change stamps (app.cache.event_stamps: its cached entries are keyed on them), the
    `facts` ((name, column) pairs, in order), the `viewers`' facts' columns (their rows outer
    joined) and, `with_stamps`, every table's stamps last (app.cache.stamps: a visitor's request
    has no user's row to bring them)."""
    co_organises = exists().where(event_organisers.c.event_id == Event.id,
                                  event_organisers.c.user_id == bindparam("user_id"))
    parts = _viewer_parts(viewers)
    statement = select(
        *raw.columns_by_attribute(Event), co_organises.label("co_organises"),
        event_stamps.packed_column(dialect_name, bindparam("event_id", type_=Integer)),
        *(column(Event.id).label(f"fact_{index}") for index, (_name, column) in enumerate(facts)),
        *(column for _name, columns, _joins in parts for column in columns),
    ).where(Event.id == bindparam("event_id"))
    if parts:
        joined = Event.__table__
        for _name, _columns, joins in parts:
            for target, onclause in joins:
                joined = joined.outerjoin(target, onclause)
        statement = statement.select_from(joined)
    return statement.add_columns(stamps.packed_column(dialect_name).label("stamps")) if with_stamps else statement


@functools.cache
def _event_width() -> int:
    return len(raw.columns_by_attribute(Event))


def _request_store() -> dict | None:
    """{event id: {fact: value}} for this request, or None outside one."""
    return request_dict("_event_page_facts")


class ViewerRead(NamedTuple):
    """A viewer fact as the event page's statement read it: its columns are `row[start:]`, in the
    order its `build` gave them (`plan`: the statement's app.cache.raw plan, for raw.loaded_from_row)."""
    plan: object
    row: tuple
    start: int


def _viewer_store() -> dict | None:
    """{(event id, user id): {viewer fact: ViewerRead}} for this request, or None outside one."""
    return request_dict("_event_page_viewer_facts")


def load_visible_or_404(event_id: int, user) -> Event:
    """The event (404 when `user` may not see it), read with whether `user` co-organises it (handed
    to events.access for this request), every registered fact (kept for `known`) and, for a
    signed-in `user`, every registered viewer fact (kept for `viewer_known`)."""
    dialect_name = db.session.get_bind().dialect.name
    facts = tuple(_facts.items())  # the statement is planned once for these (app.cache.raw)
    signed_in = is_signed_in(user)
    viewers = tuple(_viewer_facts.items()) if signed_in else ()  # a visitor's statement joins nothing
    # A visitor's page reads the stamps (with the cache on) and has no user's row to bring them.
    with_stamps = stamps.wanted_unread()
    params = {"event_id": event_id, "user_id": user.id if signed_in else 0}
    for _name, fact in viewers:
        params.update(fact.parameters(user))
    # On the DBAPI cursor (app.cache.raw), the row made into the Event as the ORM would.
    row, plan = raw.read(db.session, (_load_statement, dialect_name, facts, with_stamps, viewers),
                         lambda: _load_statement(dialect_name, facts, with_stamps, viewers), params)
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
        store[event.id] = dict(zip((name for name, _column in facts), row[width + 2:width + 2 + len(facts)],
                                   strict=True))
    if viewers:
        _keep_viewer_facts(event.id, user.id, plan, row, width + 2 + len(facts), viewers)
    if not access.can_view(user, event):
        abort(404)
    return event


def _keep_viewer_facts(event_id: int, user_id: int, plan, row: tuple, start: int, viewers: tuple) -> None:
    store = _viewer_store()
    if store is None:
        return
    kept = store[(event_id, user_id)] = {}
    for name, columns, _joins in _viewer_parts(viewers):
        kept[name] = ViewerRead(plan, row, start)
        start += len(columns)


def viewer_known(event_id: int, user_id: int, name: str):
    """The viewer fact `name` (a ViewerRead) as this request's event page read it for that event
    and user, or UNKNOWN."""
    store = _viewer_store()
    kept = store.get((event_id, user_id)) if store is not None else None
    if kept is None or name not in kept:
        return UNKNOWN
    return kept[name]


def known(event_id: int, name: str):
    """The fact `name` of the event as this request's event page (or `keep`) read it, or UNKNOWN."""
    store = _request_store()
    facts = store.get(event_id) if store is not None else None
    if facts is None or name not in facts:
        return UNKNOWN
    return facts[name]


def keep(event_id: int, facts: dict) -> None:
    """Keep facts of the event that another first read of this request brought along (a
    registration's: waitlist.event_with_tally), for `known` and `absent` as the page's are kept."""
    store = _request_store()
    if store is not None:
        store.setdefault(event_id, {}).update(facts)


def absent(event_id: int, name: str) -> bool:
    """True when this request's event page read that the event has no such thing (the fact is known
    and false, zero or empty): the box can skip its query."""
    value = known(event_id, name)
    return value is not UNKNOWN and not value
