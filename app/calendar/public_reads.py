"""The public feed's two reads, its fingerprint and its events, on the DBAPI cursor (app.cache.raw).

The public feed is built again whenever a published event changes (an agenda edit or a new
sequence moves its fingerprint), and every subscriber's next poll then asks for the new one: a
thousand events' rows through SQLAlchemy's result cost more than twice what the driver's fetch
does. Here each statement is built and planned once per shape of filters (how many kinds,
countries, projects and themes it names), the values passed as parameters. A filter naming more
than SHAPED values of one kind runs the same statement through SQLAlchemy's execute instead, so
the plans a worker keeps stay few whatever a query string holds.

On PostgreSQL a rebuild reads each event's id and row version (xmin and ctid, which every UPDATE
of the row changes, whatever the clock says) first, and then the full rows of only the events this
worker has not read in that version: a feed rebuilt after one agenda edit reads one event's texts,
not a thousand. Elsewhere (SQLite) the feed reads its full rows each time.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Integer, bindparam, func, select

from app.cache import raw
from app.calendar import feed_entries, rows
from app.db import row_version
from app.events.models import Event, EventKind, EventStatus, event_projects, event_themes
from app.extensions import db

PUBLIC_LIMIT = 1000
SHAPED = 2  # values per filter that a planned shape holds
# Events whose full rows a worker keeps, by id: (row version, row). The same row objects are the
# keys of app.calendar.feed_entries' memo, so keeping them here costs the dict alone. The personal
# feeds (app.calendar.personal_reads) keep their events here too: an event's row is the same for
# every reader, and one copy serves them all.
MAX_ROWS = feed_entries.MAX_ENTRIES
FEW = 64  # more unknown rows than this: read the feed's full rows in one statement

_rows: dict[int, tuple[str, rows.EventRow]] = {}
VERSION = row_version("events")  # PostgreSQL's row version (app.db.row_version)


def _values(name: str, count: int, type_) -> list:
    return [bindparam(f"{name}{index}", type_=type_) for index in range(count)]


def _where(shape: tuple[int, int, int, int]) -> list:
    """The public feed's conditions for `shape` (how many kinds, countries, projects and themes)."""
    kinds, countries, projects, themes = shape
    clauses = [Event.status == EventStatus.PUBLISHED, Event.ends_at >= bindparam("since", type_=Event.ends_at.type)]
    if kinds:
        clauses.append(Event.kind.in_(_values("kind", kinds, Event.kind.type)))
    if countries:
        clauses.append(Event.country.in_(_values("country", countries, Event.country.type)))
    if projects:
        clauses.append(Event.id.in_(select(event_projects.c.event_id).where(
            event_projects.c.project_id.in_(_values("project", projects, Integer())))))
    if themes:
        clauses.append(Event.id.in_(select(event_themes.c.event_id).where(
            event_themes.c.theme_id.in_(_values("theme", themes, Integer())))))
    return clauses


def _latest_change():
    # An event that was cancelled leaves the feed: its change time counts too (If-Modified-Since).
    return select(func.max(Event.updated_at)).where(Event.status != EventStatus.DRAFT).scalar_subquery()


def _fingerprint_statement(shape: tuple[int, int, int, int]):
    """count(*), latest change, sum of ids and of sequences of the feed's events, and the latest
    change of any event that was ever public."""
    events = (select(func.count(), func.max(Event.updated_at), func.sum(Event.id), func.sum(Event.sequence))
              .where(*_where(shape)).subquery())
    return select(*events.c, _latest_change())


def _feed_statement(shape: tuple[int, int, int, int], versions: bool = False):
    """The feed's events (the columns an entry shows: app.calendar.rows, with `versions` each row's
    version after them), soonest first, each with the latest change as its last column (an
    uncorrelated subquery, computed once)."""
    columns = (*rows.EVENT_COLUMNS, VERSION) if versions else rows.EVENT_COLUMNS
    return (select(*columns, _latest_change()).where(*_where(shape))
            .order_by(Event.starts_at, Event.id).limit(PUBLIC_LIMIT))


def _feed_statement_with_versions(shape: tuple[int, int, int, int]):
    return _feed_statement(shape, versions=True)


def _versions_statement(shape: tuple[int, int, int, int]):
    """The feed's events as (id, row version), in the feed's order, each with the latest change."""
    return (select(Event.id, VERSION, _latest_change()).where(*_where(shape))
            .order_by(Event.starts_at, Event.id).limit(PUBLIC_LIMIT))


def _parameters(key: tuple, since: datetime) -> tuple[tuple[int, int, int, int], dict]:
    """(the shape, the parameters) of filters in their canonical form (PublicFilters.key)."""
    kinds, countries, projects, themes = key
    kinds = [EventKind(value) for value in kinds]
    params: dict = {"since": since}
    for name, values in (("kind", kinds), ("country", countries), ("project", projects), ("theme", themes)):
        params.update((f"{name}{index}", value) for index, value in enumerate(values))
    return (len(kinds), len(countries), len(projects), len(themes)), params


def _read(build, key: tuple, since: datetime, every: bool):
    shape, params = _parameters(key, since)
    if max(shape) <= SHAPED:
        found, _plan = raw.read(db.session, (build, shape), functools.partial(build, shape), params, every=every)
        return found
    result = db.session.execute(build(shape), params)
    return result.all() if every else result.one()


def fingerprint_row(key: tuple, since: datetime) -> tuple:
    """(count, latest change, sum of ids, sum of sequences, latest change of any public event) of
    the public feed with filters `key` (PublicFilters.key: kinds as their values)."""
    return tuple(_read(_fingerprint_statement, key, since, every=False))


def feed_rows(key: tuple, since: datetime) -> tuple[list[rows.EventRow], datetime | None]:
    """(the public feed's events as rows.EventRow, the latest change of any public event) with
    filters `key`."""
    if db.session.connection().dialect.name != "postgresql":
        found = _read(_feed_statement, key, since, every=True)
        return [rows.split(row, 0) for row in found], (found[0][-1] if found else None)
    listed = _read(_versions_statement, key, since, every=True)
    chosen: dict[int, rows.EventRow] = {}
    unknown = []
    for event_id, version, _latest in listed:
        known = feed_entries.found(_rows, event_id)
        if known is not None and known[0] == version:
            chosen[event_id] = known[1]
        else:
            unknown.append(event_id)
    if len(unknown) > FEW:
        found = _read(_feed_statement_with_versions, key, since, every=True)
        return [keep(row) for row in found], (found[0][-1] if found else None)
    if unknown:  # an event unpublished since it was listed is left out, as the next listing will
        for row in db.session.execute(select(*rows.EVENT_COLUMNS, VERSION).where(
                Event.id.in_(unknown), Event.status == EventStatus.PUBLISHED)):
            chosen[row[0]] = keep(row)
    return ([chosen[event_id] for event_id, _version, _latest in listed if event_id in chosen],
            listed[0][-1] if listed else None)


def keep(row, start: int = 0, version: int | None = None) -> rows.EventRow:
    """The EventRow of a row's EVENT_COLUMNS (from `start`) and its version (the column after them,
    or at `version`), kept by id for the next build (of this feed or of a personal one)."""
    feed_entries.make_room(_rows, MAX_ROWS)
    event = rows.split(row, start)
    _rows[event.id] = (row[start + len(rows.EVENT_FIELDS) if version is None else version], event)
    return event


def kept(event_id: int, version: str) -> rows.EventRow | None:
    """The event's row this worker read in this row version, or None."""
    known = feed_entries.found(_rows, event_id)
    return known[1] if known is not None and known[0] == version else None


def forget() -> None:
    _rows.clear()
