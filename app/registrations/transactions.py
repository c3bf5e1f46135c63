"""Transactions and locks of the seat-changing rules.

Capacity is guarded by a lock taken as the FIRST statement of each seat-changing transaction:
PostgreSQL locks the event (or session) row with SELECT ... FOR UPDATE; SQLite starts the
transaction with BEGIN IMMEDIATE (see app/db_events.py), which takes the database write lock.
Every public function that changes seats commits (or rolls back) its own transaction.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ClauseElement,
    bindparam,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import ColumnProperty, joinedload, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.audit.models import AuditEntry
from app.cache import raw
from app.cache.stamps import bump_cte, note_new, take_noted
from app.db import begin_write, row_version
from app.db_events import leave_read_mode
from app.events.models import Event, Session
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.registrations.models import Registration
from app.registrations.rules import RegistrationError


@contextmanager
def rollback_on_error():
    """Roll the transaction back when anything fails inside (the block commits on success itself),
    so the scheduler and the CLI, which have no request teardown, never keep a broken session."""
    try:
        yield
    except Exception:
        db.session.rollback()
        raise


def dialect() -> str:
    return db.session.get_bind().dialect.name


def begin_locked() -> None:
    """End whatever transaction is open and start a new one that holds the write lock (SQLite)."""
    begin_write(db.session)


def end_reads_keeping_objects() -> None:
    """End a read-only transaction without expiring what it loaded (no second read after it): on
    SQLite, before begin_locked, which would otherwise expire every object at its commit."""
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return  # nothing open, or pending changes: begin_locked commits them as before
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


@functools.cache
def _lock_statement(model: type, dialect_name: str):
    """SELECT … FOR UPDATE of one row of `model` by id (a plain SELECT on SQLite, whose BEGIN
    IMMEDIATE already holds the write lock), built once: on the registration path, building the
    statement costs more than running it."""
    statement = select(model).where(model.id == bindparam("row_id")).execution_options(populate_existing=True)
    return statement if dialect_name == "sqlite" else statement.with_for_update(of=model)


def lock_event(event_id: int, *, same_transaction: bool = False) -> Event:
    """The event's row, locked until the commit. `same_transaction`: on PostgreSQL, take the lock
    in the transaction that is open when it holds no pending changes (READ COMMITTED: every
    statement after the lock sees every commit before it) instead of committing it and beginning
    another: two round trips fewer on the registration path. SQLite always begins anew (BEGIN
    IMMEDIATE takes its write lock)."""
    session = db.session()
    if not (same_transaction and dialect() != "sqlite" and session.in_transaction()
            and not (session.new or session.dirty or session.deleted)):
        begin_locked()
    else:
        held = _event_as_loaded(session, event_id)
        if held is not None:
            return held
    return _locked_row(Event, event_id, _l("This event does not exist any more."))


ROW_VERSION = row_version("events")  # an event row's version on PostgreSQL (app.db.row_version)
_ROW_VERSION_KEY = "liaison_row_version"


def remember_row_version(event: Event, version: str) -> None:
    """Note the row version `event` was loaded from (read in the same statement as its columns), for
    _event_as_loaded: the lock then compares that one value instead of every column."""
    inspect(event).info[_ROW_VERSION_KEY] = version


@functools.cache
def _event_row_lock():
    """SELECT every column of an event's row FOR UPDATE (PostgreSQL), and the attribute of each."""
    table = Event.__table__
    mapper = inspect(Event)
    keys = tuple(mapper.get_property_by_column(column).key for column in table.columns)
    return select(*table.columns).where(table.c.id == bindparam("row_id")).with_for_update(of=table), keys


@functools.cache
def _event_version_lock():
    """SELECT an event's row version FOR UPDATE (PostgreSQL)."""
    return select(ROW_VERSION).select_from(Event.__table__).where(
        Event.__table__.c.id == bindparam("row_id")).with_for_update(of=Event.__table__)


def _event_as_loaded(session, event_id: int) -> Event | None:
    """Lock the event's row (PostgreSQL, in the open transaction) and return the event this
    transaction loaded already when the locked row holds the very values it was loaded with: the
    usual case, without the ORM's reload of every column (populate_existing), which cost more CPU
    than the statement. When the event remembers the row version it was loaded from
    (remember_row_version), the lock reads and compares that version alone (any UPDATE since moves
    it); else every column. None (the row is then locked, or gone): the caller reloads it under the
    lock."""
    event = session.identity_map.get(identity_key(Event, event_id))
    if event is None:
        return None
    state = inspect(event)
    if state.expired_attributes or state.modified:
        return None
    leave_read_mode(session)  # a row lock holds only inside a transaction (as db_events does for the ORM's)
    version = state.info.get(_ROW_VERSION_KEY)
    if version is not None:
        # On the DBAPI cursor (app.cache.raw): SQLAlchemy's execute cost more CPU than the statement.
        row, _plan = raw.read(session, _event_version_lock, _event_version_lock, {"row_id": event_id})
        return event if row is not None and row[0] == version else None
    statement, keys = _event_row_lock()
    row = session.connection().execute(statement, {"row_id": event_id}).one_or_none()
    loaded = state.dict
    if row is None or any(key not in loaded or loaded[key] != value for key, value in zip(keys, row, strict=True)):
        return None
    return event


def lock_session(session_id: int) -> Session:
    begin_locked()
    return _locked_row(Session, session_id, _l("This session does not exist any more."))


def _locked_row(model: type, key: int, gone: str):
    """The row, locked; when it is gone, roll back and raise RegistrationError(gone)."""
    row = db.session.execute(_lock_statement(model, dialect()), {"row_id": key}).scalar_one_or_none()
    if row is None:
        db.session.rollback()
        raise RegistrationError(gone)
    return row


def fresh_registration(registration_id: int) -> Registration | None:
    return db.session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(joinedload(Registration.user))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def locked_session_row(session_id: int) -> Session | None:
    """A session's row inside a transaction that holds its event's lock: FOR UPDATE on PostgreSQL
    (the lock a sign-up takes, so a promotion here cannot race one there)."""
    statement = select(Session).where(Session.id == session_id)
    if dialect() != "sqlite":
        statement = statement.with_for_update(of=Session)
    return db.session.execute(statement).scalar_one_or_none()


def _columns(mapper) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, column name, whether it is the primary key) of a mapper's own columns."""
    return tuple((prop.key, prop.columns[0].key, prop.columns[0].primary_key) for prop in mapper.column_attrs
                 if len(prop.columns) == 1 and prop.columns[0].table is mapper.local_table)


_COLUMNS: dict = {}


def _row(obj) -> tuple:
    """(table, {column: value}): the columns a flush would write for a new object (the values set;
    the others get their columns' defaults), its primary key when set."""
    state = inspect(obj)
    mapper = state.mapper
    columns = _COLUMNS.get(mapper)
    if columns is None:
        columns = _COLUMNS.setdefault(mapper, _columns(mapper))
    values = state.dict
    # The primary key only when set (a registration's id drawn under the lock); else its default.
    return mapper.local_table, {column: values[key] for key, column, key_column in columns
                                if key in values and not (key_column and values[key] is None)}


@functools.cache
def _python_defaults(table) -> tuple:
    """The columns of `table` with a value made in Python when an INSERT leaves them out."""
    return tuple(column for column in table.columns if not column.primary_key and column.default is not None
                 and (column.default.is_scalar or column.default.is_callable))


def _with_defaults(table, row: dict) -> dict:
    """The row with its Python-side column defaults filled in: a row written as a CTE of another
    INSERT gets them here, not from the statement (so each row's values are its own)."""
    for column in _python_defaults(table):
        if column.key not in row:
            default = column.default
            row[column.key] = default.arg if default.is_scalar else default.arg(None)
    return row


@functools.cache
def _insert_statement(table):
    return insert(table)


@functools.cache
def _combined_statement(shape: tuple, stamps_cte=None):
    """One statement writing several rows of several tables (PostgreSQL): the last row's INSERT, the
    others' INSERTs and UPDATEs (by primary key) as data-modifying CTEs (PostgreSQL runs each once,
    to completion, though nothing reads them). `shape`: ((kind, table, column names), ...), kind
    "insert" or "update"; row i's values are bound as r{i}_{column}, an updated row's key as r{i}_pk.
    Built once per shape."""
    def values(index, table, names):
        return {name: bindparam(f"r{index}_{name}", type_=table.c[name].type) for name in names}

    *earlier, (_kind, last_table, last_names) = shape
    statement = insert(last_table).values(values(len(earlier), last_table, last_names))
    for index, (kind, table, names) in enumerate(earlier):
        if kind == "update":
            key = table.primary_key.columns[0]
            written = update(table).where(key == bindparam(f"r{index}_pk", type_=key.type)).values(
                values(index, table, names))
        else:
            written = insert(table).values(values(index, table, names))
        statement = statement.add_cte(written.cte(f"written_{index}"))
    return statement if stamps_cte is None else statement.add_cte(stamps_cte)


def insert_now(objects, *, last: bool = False, updates=()) -> None:
    """Write new objects that are not in the session now, with plain INSERTs, instead of through
    the unit of work at the next flush: under the event's lock, flushing an audit entry, an outbox
    message or a new registration cost more CPU than their statements. The same columns as a flush
    would write; no RETURNING (an object whose id matters carries it already: a registration's is
    drawn by tally(next_id=True)). Each row notes the change stamps a flush would (its table, its
    event's stamp). On PostgreSQL, several rows go in one statement (the earlier ones as CTEs of
    the last one's INSERT). Objects that must stay in the session afterwards: as_persistent.
    `updates` (PostgreSQL, see write_now): ((table, primary key, {column: value}), ...) written as
    CTEs of the same statement, their stamps noted by the caller.

    `last`: nothing is written after these rows before the commit. On PostgreSQL, when the session
    holds no pending change either, the statement also moves the transaction's change stamps
    (stamps.take_noted), instead of a statement of its own at the commit."""
    session = db.session()
    rows = [_row(obj) for obj in objects]
    if not rows:
        return
    for obj in objects:
        note_new(session, obj)
    # On the session's connection, not through the ORM's execute (its layer cost a good part of the
    # statement's CPU): the rows' stamps are noted above; a write ends a GET's autocommit reads, as
    # db_events does for the ORM's writes.
    leave_read_mode(session)
    connection = session.connection()
    postgresql = dialect() == "postgresql"
    moved = take_noted(session) if last and postgresql and not (session.new or session.dirty or session.deleted) else []
    if postgresql and (len(rows) > 1 or moved or updates):
        stamps_cte, params = bump_cte(moved) if moved else (None, {})
        rows = [(table, _with_defaults(table, row)) for table, row in rows]
        shape = (*(("update", table, tuple(row)) for table, _key, row in updates),
                 *(("insert", table, tuple(row)) for table, row in rows))
        for index, (_table, key, row) in enumerate(updates):
            params[f"r{index}_pk"] = key
            params.update({f"r{index}_{name}": value for name, value in row.items()})
        params.update({f"r{index}_{name}": value for index, (_, row) in enumerate(rows, len(updates))
                       for name, value in row.items()})
        connection.execute(_combined_statement(shape, stamps_cte), params)
        return
    for table, row in rows:
        connection.execute(_insert_statement(table), row)


def _changes(obj) -> tuple | None:
    """(table, primary key, {column: value}, {attribute: value}) of the UPDATE a flush would write
    for a changed object: its changed columns and those with a Python `onupdate` (updated_at); None
    when a plain UPDATE by primary key would not write what a flush writes (a relationship or
    collection changed, a column of another table, an SQL expression, a composite key)."""
    state = inspect(obj)
    mapper = state.mapper
    table = mapper.local_table
    if len(table.primary_key.columns) != 1:
        return None
    columns, attributes = {}, {}
    for key in state.committed_state:
        prop = mapper.attrs.get(key)
        if prop is None or not state.attrs[key].history.has_changes():
            continue
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1 or prop.columns[0].table is not table:
            return None
        value = state.dict.get(key)
        if isinstance(value, ClauseElement) or prop.columns[0].primary_key:
            return None
        columns[prop.columns[0].key] = value
    for column in table.columns:
        if column.onupdate is not None and column.key not in columns:
            if not (column.onupdate.is_callable or column.onupdate.is_scalar):
                return None
            value = column.onupdate.arg(None) if column.onupdate.is_callable else column.onupdate.arg
            columns[column.key] = attributes[mapper.get_property_by_column(column).key] = value
    return table, mapper.primary_key_from_instance(obj)[0], columns, attributes


def write_now(objects, *, last: bool = False) -> None:
    """Write the session's pending changes, then `objects` as insert_now does, on PostgreSQL in one
    statement: the changed rows' UPDATEs and the outbox messages and audit entries the rules added
    as CTEs of the last INSERT (a flush sends each on its own, through the unit of work). The
    session's objects are then as if flushed: the changed ones hold their values as committed, the
    new ones are not kept. Anything else pending — another kind of new object, a deletion, a change
    a plain UPDATE by primary key cannot write (_changes) — and SQLite: a flush, then insert_now."""
    session = db.session()
    new = list(session.new)
    changed = [(obj, _changes(obj)) for obj in session.dirty if session.is_modified(obj, include_collections=True)]
    if (dialect() != "postgresql" or not objects or session.deleted
            or any(not isinstance(obj, (OutboxMessage, AuditEntry)) for obj in new)
            or any(found is None for _obj, found in changed)):
        session.flush()
        insert_now(objects, last=last)
        return
    for obj, (_table, _key, _columns, attributes) in changed:
        note_new(session, obj, changed=True)
        for key, value in attributes.items():  # the onupdate values, as a flush sets them
            set_committed_value(obj, key, value)
        # Its history reset as if it had been loaded with these values (no flush writes it again).
        make_transient(obj)
        make_transient_to_detached(obj)
        session.add(obj)
    for obj in new:
        session.expunge(obj)
    insert_now([*new, *objects], last=last, updates=[found[:3] for _obj, found in changed])


def as_persistent(obj) -> None:
    """An object whose row insert_now wrote (its primary key set) in the session, as if it had been
    loaded: no flush writes it again."""
    make_transient_to_detached(obj)
    db.session.add(obj)
