"""Which tables a transaction changed, and a counter per table moved when it commits.

Tracked through the ORM session, so every write path of the application is covered:
- objects added, deleted or changed (only real changes; a few bookkeeping columns such as
  `users.last_login_at` do not count), including many-to-many collections (their link table);
- INSERT / UPDATE / DELETE statements run through the session (`session.execute(update(...))`).
Writes that bypass the session (bulk loads on a raw connection, hand-written SQL) must call
`bump_all()` or `bump()`; the benchmark generator and the demo loader do.

At commit the session is flushed, then each changed table's stamp is incremented, in name order
(so two transactions never wait on each other's stamps in a cycle; one statement for all of them),
inside the same transaction:
a reader can never see the new rows with the old stamp *after* the commit. Readers read the stamps
before the rows; if a commit lands in between, the fragment cached under the older stamp already
holds the newer rows, which is harmless.

A table's stamp is the sum of its rows: its row in change_stamps (shard 0) and its rows in
change_stamps_shards (shards 1 to SHARDS - 1). On PostgreSQL each writing thread moves the row of
its own shard (from its process and thread): with one row per table, every transaction that wrote
registrations, on any event, held that row's lock from its stamp update to its commit, and all
writers of the application queued on it (issue 19). Every commit still adds exactly one to the sum
of each table it changed, and a snapshot that sees a commit sees every commit that was visible
before it, so a sum names one state of the table as the single counter did. SQLite has one writer
at a time anyway: shard 0 only. (Shard 0 keeps the table and the statement of the single counter,
so an older release served from the same database still writes and reads its stamps.)

Tables kept per event (app.cache.scopes.SCOPED) also have a stamp per event (`sessions@123`) and an
"every event" stamp (`sessions@*`) in the same rows: a commit moves them in the same one statement.
`read` (and `packed_column`) return the tables' and the "every event" stamps, never the per-event
ones (app.cache.event_stamps reads those for one event).
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
import zlib

from flask import g, has_request_context, request
from flask.globals import _cv_request
from sqlalchemy import (
    BigInteger,
    SmallInteger,
    String,
    bindparam,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import ColumnProperty, RelationshipProperty, Session

from app.cache import raw, scopes
from app.cache.packing import SHARD_TABLE, TABLE, packed, unpack
from app.extensions import db

_KEY = "liaison_changed_tables"
_MOVED = "liaison_stamps_moved"  # whether the commit under way moved any stamp
EVENT_G_KEY = "_event_change_stamps"  # this request's events' scoped stamps (app.cache.event_stamps)
CACHE_EXTENSION = "liaison_cache"  # app.cache.fragments' Flask-Caching object in app.extensions
SHARDS = 16  # rows per table on PostgreSQL: two writing threads share one with a chance of 1 in 16

# Tables no rendered fragment depends on: writing them moves no stamp (and costs no statement).
UNWATCHED = frozenset({"change_stamps", "change_stamps_shards", "outbox_messages", "audit_entries", "job_runs", "scheduler_leases",
                       "report_snapshots", "revoked_sessions", "alembic_version"})
# Bookkeeping columns: changing only these is not a change anybody sees on a page.
IGNORED_COLUMNS = frozenset({
    ("users", "last_login_at"), ("users", "password_hash"), ("users", "session_version"),
    ("users", "calendar_token"), ("users", "updated_at"),
})


def note(session: Session, *tables: str) -> None:
    """Note stamps (of tables, or of none: scopes.UNTABLED) to move at the transaction's commit."""
    wanted = {t for t in tables if t and t not in UNWATCHED}
    if wanted:
        session.info.setdefault(_KEY, set()).update(wanted)


def _tables_of(obj) -> tuple[str, ...]:
    return tuple(t.name for t in inspect(obj).mapper.tables)


def _changed_tables(obj) -> set[str]:
    state = inspect(obj)
    mapper = state.mapper
    local = mapper.local_table.name
    found: set[str] = set()
    for key in list(state.committed_state):
        prop = mapper.attrs.get(key)
        if prop is None or not state.attrs[key].history.has_changes():
            continue
        if isinstance(prop, ColumnProperty):
            for column in prop.columns:
                table = getattr(column, "table", None)
                name = table.name if table is not None else local
                if (name, column.key) not in IGNORED_COLUMNS and column.key != "updated_at":
                    found.add(name)
        elif isinstance(prop, RelationshipProperty):
            found.add(prop.secondary.name if prop.secondary is not None else local)
    return found


def _note_row(session: Session, obj, tables, new: bool = False) -> None:
    """Note `tables`, and the scoped stamps (app.cache.scopes) of the row's event for those in SCOPED."""
    note(session, *tables, *scopes.scoped_names(inspect(obj), tables, new))


def _after_flush(session: Session, _context) -> None:
    for obj in session.new:
        _note_row(session, obj, _tables_of(obj), True)
    for obj in session.deleted:
        _note_row(session, obj, _tables_of(obj))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=True):
            _note_row(session, obj, _changed_tables(obj))


# An INSERT run through the session whose rows' stamps the caller noted itself (note_new).
NOTED = "liaison_stamps_noted"


def note_new(session: Session, obj, *, changed: bool = False) -> None:
    """Note the stamps a new object's row moves (its table, its event's for a table kept per event) as
    a flush would, for a caller writing it with its own INSERT (run with execution option NOTED: the
    "every event" stamp stays); `changed`: those of a modified object's row, for its own UPDATE."""
    _note_row(session, obj, *((_changed_tables(obj),) if changed else (_tables_of(obj), True)))


def _do_orm_execute(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and not state.execution_options.get(NOTED):
        name = getattr(getattr(state.statement, "table", None), "name", None)
        # A statement's rows may belong to any event: the "every event" stamp moves.
        note(state.session, name, scopes.every_name(name) if name in scopes.SCOPED else None)


def _before_commit(session: Session) -> None:
    session.flush()
    changed = session.info.pop(_KEY, None)
    early = session.info.pop(_MOVED_EARLY, False)
    session.info[_MOVED] = bool(changed) or early
    if changed:
        _bump(session.connection(), sorted(changed))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_MOVED, None)
    session.info.pop(_MOVED_EARLY, None)


_MOVED_EARLY = "liaison_stamps_moved_early"  # take_noted handed stamps to a statement of the caller's


def take_noted(session: Session) -> list[str]:
    """The stamps noted so far in this transaction (name order), taken by a caller that moves them
    in its own last write before the commit (bump_cte, PostgreSQL): one statement fewer. The
    commit then moves only the stamps noted after (none, when nothing is written after)."""
    changed = session.info.pop(_KEY, None)
    if changed:
        session.info[_MOVED_EARLY] = True
    return sorted(changed or ())


@functools.cache
def _bump_cte_statement(sharded: bool):
    """INSERT … SELECT unnest(names), unnest(first versions) … ON CONFLICT DO UPDATE (PostgreSQL),
    as a CTE: one statement for any number of stamps, whose compiled form is cached (a multi-row
    VALUES is compiled anew on every run). Rows go in the arrays' order: name order."""
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    table = SHARD_TABLE if sharded else TABLE
    names = func.unnest(bindparam("stamp_names", type_=ARRAY(String())))
    versions = func.unnest(bindparam("stamp_versions", type_=ARRAY(BigInteger())))
    rows = select(names, bindparam("shard", type_=SmallInteger()), versions) if sharded else select(names, versions)
    columns = ["name", "shard", "version"] if sharded else ["name", "version"]
    keys = [table.c.name, table.c.shard] if sharded else [table.c.name]
    return (pg_insert(table).from_select(columns, rows)
            .on_conflict_do_update(index_elements=keys, set_={"version": table.c.version + 1})
            .cte("stamps_moved"))


def bump_cte(names: list[str]) -> tuple:
    """(a CTE, its parameters) moving the stamps of `names` (distinct, in name order) as _bump
    does, to ride along another PostgreSQL statement (see take_noted)."""
    mine = shard("postgresql")
    params = _bump_params(names, mine)
    values = {"stamp_names": list(names),
              "stamp_versions": [params[f"first_version_{index}"] for index in range(len(names))]}
    return _bump_cte_statement(mine != 0), {**values, "shard": mine} if mine else values


def _after_commit(session: Session) -> None:
    # This request's later fragments must see its own writes. A commit that moved no stamp (it
    # only read, e.g. before a lock is taken in a new transaction) keeps the stamps read: no second
    # read of them in the same request.
    if session.info.pop(_MOVED, True):
        forget_read()


@functools.cache
def _bump_statement(sharded: bool, count: int = 1):
    """INSERT … ON CONFLICT DO UPDATE of `count` stamps' rows (shard 0 in change_stamps, the others in
    change_stamps_shards) in one statement, built once per table and count (every write request
    runs it). Rows are written in the order given (name order: see _bump). Plain SQL (the same on
    PostgreSQL and SQLite): the ORM's multi-row insert costs ~2.5 times the CPU of this one per run."""
    table = SHARD_TABLE if sharded else TABLE
    if sharded:
        rows = ", ".join(f"(:stamp_name_{index}, :shard, :first_version_{index})" for index in range(count))
        return text(f"INSERT INTO {table.name} (name, shard, version) VALUES {rows} "
                    f"ON CONFLICT (name, shard) DO UPDATE SET version = {table.name}.version + 1")
    rows = ", ".join(f"(:stamp_name_{index}, :first_version_{index})" for index in range(count))
    return text(f"INSERT INTO {table.name} (name, version) VALUES {rows} "
                f"ON CONFLICT (name) DO UPDATE SET version = {table.name}.version + 1")


def shard(dialect_name: str) -> int:
    """This thread's shard: stable for a thread (a sync worker's requests, a test's session), so
    its own commits move its stamps one by one; different for most pairs of writers."""
    if dialect_name != "postgresql":
        return 0
    return zlib.crc32(f"{os.getpid()}:{threading.get_native_id()}".encode()) % SHARDS


def _bump(connection, names) -> None:
    """Move each stamp of `names` (distinct, in name order) by one: one statement for all of them."""
    if not names:
        return
    mine = shard(connection.dialect.name)
    connection.execute(_bump_statement(mine != 0, len(names)), _bump_params(names, mine))


def _bump_params(names, mine: int) -> dict:
    params = {"shard": mine}
    for index, name in enumerate(names):
        # A new row starts at a random value, not at 1: when the stamps are wiped and rebuilt
        # (tests, bulk reloads) a worker's cache must not find old fragments under the same numbers.
        # 48 bits: the sum of a table's rows stays within a BIGINT.
        params[f"stamp_name_{index}"] = name
        params[f"first_version_{index}"] = secrets.randbits(48) + 1
    return params


def bump(connection, *names: str) -> None:
    """Move the stamps of `names` on `connection` (for writes that bypass the ORM session), with
    the "every event" stamps of those kept per event (their rows' events are not known)."""
    wanted = set(names) - UNWATCHED
    wanted |= {scopes.every_name(name) for name in wanted if name in scopes.SCOPED}
    _bump(connection, sorted(wanted))


def bump_all(connection) -> None:
    """Move every stamp (after bulk loads): every cached fragment is rebuilt."""
    bump(connection, *(t.name for t in db.metadata.sorted_tables), *scopes.UNTABLED)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_soft_rollback", _forget)
    _installed = True


@functools.cache
def _whole_names() -> tuple:
    """Every table's and every "every event" stamp's name (built once the models are all imported):
    the per-event rows of the same tables are left out, however many events there are."""
    names = sorted({t.name for t in db.metadata.sorted_tables} - UNWATCHED
                   | {scopes.every_name(name) for name in scopes.SCOPED})
    # Written into the statement as constants (table names, never user input): as bound values the
    # ~65 names were expanded into parameters on every request, and PostgreSQL planned the list anew.
    return tuple(literal_column("'" + name + "'") for name in names)


@functools.cache
def _whole_read(dialect_name: str):
    return select(packed_column(dialect_name))


def read(session) -> dict[str, int]:
    """Every table's stamp (one small query, remembered for the rest of the request)."""
    owner = request._get_current_object() if has_request_context() else None
    if owner is not None:
        # g outlives a request when an app context is already pushed (tests): tie it to the request.
        cached = g.get("_change_stamps")
        if cached is not None and cached[0] is owner:
            return cached[1]
    # On the session's connection, with the statement built once: through the ORM's execute, the
    # layers around this one small query cost more than the query (anonymous pages and feeds).
    connection = session.connection()
    stamps = unpack(connection.execute(_whole_read(connection.dialect.name)).scalar())
    if owner is not None:
        g._change_stamps = (owner, stamps)
    return stamps


def packed_column(dialect_name: str):
    """Every stamp packed in one text (app.cache.packing.packed), to ride along another query that a request makes
    anyway (the signed-in user's row: app.accounts.auth) and save the stamps their own round trip."""
    return packed(_whole_names(), dialect_name)


@functools.cache
def _with_stamps(build, dialect_name: str):
    return build().add_columns(packed_column(dialect_name))


_WITHOUT_STAMPS: set = set()  # view functions that read nothing kept under the stamps


def not_read_by(view):
    """Mark a view (a decorator) that reads nothing from the cache: the request's first statement
    (its signed-in user) then comes without the stamps, which cost the database more than the row.
    Should it read them after all, `read` asks for them (one more statement, nothing stale)."""
    _WITHOUT_STAMPS.add(view)
    return view


def _view_reads_stamps() -> bool:
    if (context := _cv_request.get(None)) is None or context.request.url_rule is None:  # (asked often: no proxies)
        return True
    # Not with the shared cache off (as app.cache.fragments.enabled(), without making the cache): then no
    # page view reads the stamps (the public feed's worker entries `read` them).
    app, made = context.app, context.app.extensions.get(CACHE_EXTENSION)
    if not (made.enabled if made is not None else app.config.get("CACHE_TYPE") not in ("NullCache", "null")):
        return False
    return app.view_functions.get(context.request.url_rule.endpoint) not in _WITHOUT_STAMPS


@functools.cache
def _without_stamps(build):
    return build()


def first_with_stamps(session, build, params: dict):
    """The entity of the first row of `build()` (a select of one entity, built once per `build`
    and database kind) or None, with every stamp read in the same round trip (packed_column) and
    remembered for the rest of the request (prime); without them for a view marked `not_read_by`."""
    if not _view_reads_stamps():
        return session.execute(_without_stamps(build), params).scalars().first()
    row = session.execute(_with_stamps(build, session.get_bind().dialect.name), params).first()
    if row is None:
        return None
    prime(row[1])
    return row[0]


def first_row_with_stamps(session, build, params: dict) -> dict | None:
    """The first row of `build()` (a select of labelled columns, built once per `build` and database
    kind, run on the session's connection's cursor: app.cache.raw) as {label: value}, or None; every
    stamp read in the same round trip and remembered for the rest of the request, as
    first_with_stamps (and, as there, without them for a view marked `not_read_by`)."""
    connection = session.connection()
    stamped = _view_reads_stamps()
    dialect = connection.dialect
    statement, plan, compiled = raw.planned(
        (build, stamped, tuple(params)),
        lambda: _with_stamps(build, dialect.name) if stamped else _without_stamps(build), dialect, params)
    row = raw.first(connection, plan, compiled, statement, params)
    if row is None:
        return None
    if stamped:
        prime(row[-1])
        row = row[:-1]
    return dict(zip(plan.keys, row, strict=False))


def wanted_unread() -> bool:
    """Whether this request reads the stamps and has not yet (a statement can bring them: packed_column, prime)."""
    read_before = g.get("_change_stamps")
    return _view_reads_stamps() and (read_before is None or read_before[0] is not request._get_current_object())


def prime(packed) -> None:
    """Remember, for this request, the stamps read by packed_column()."""
    if not has_request_context():
        return
    g._change_stamps = (request._get_current_object(), unpack(packed))


def forget_read() -> None:
    """After this request's own writes: read the stamps afresh next time."""
    if has_request_context():
        g.pop("_change_stamps", None)
        g.pop(EVENT_G_KEY, None)
