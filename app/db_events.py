"""Engine-level settings (SQLite gets foreign keys, WAL and a busy timeout like a real server; PostgreSQL
reads without a transaction and pings idle connections) and the health check's round trip."""

from __future__ import annotations

import time

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine

from app.extensions import db

_installed: set = set()


def install_sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name != "sqlite" or id(engine) in _installed:
        return
    _installed.add(id(engine))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy issue BEGIN itself, so "BEGIN IMMEDIATE" can take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


# psycopg keeps the parsed form of a statement (its placeholders split out, in Python) only when the
# statement is at most 4,096 bytes with at most 50 parameters; a longer one is parsed again on every
# run. The app's own statements are few and fixed (built from a handful of shapes), several are 4.4–7.2 kB
# (the event page's rows, its agenda, the lessons library's search): parsing them was ~0.6% of a worker's
# CPU in an in-process replay of the mix (125 µs a run for the event page's 4.4 kB). psycopg's own cache
# stays bounded (128 statements, least recently used first).
PARSED_STATEMENT_BYTES = 16384
PARSED_STATEMENT_PARAMS = 200


def keep_long_statements_parsed() -> None:
    """Let psycopg keep the parsed form of the app's longer statements (module note above). Its limits
    are module constants of psycopg._queries; with a psycopg that has none, nothing changes."""
    from psycopg import _queries

    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", PARSED_STATEMENT_BYTES) < PARSED_STATEMENT_BYTES:
        _queries.MAX_CACHED_STATEMENT_LENGTH = PARSED_STATEMENT_BYTES
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", PARSED_STATEMENT_PARAMS) < PARSED_STATEMENT_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = PARSED_STATEMENT_PARAMS


def install_postgresql_read_mode(engine: Engine) -> None:
    """GET and HEAD requests read PostgreSQL without BEGIN and ROLLBACK: two round trips of the
    five or six a cached page costs.

    A connection checked out while serving a GET runs in autocommit mode. Under READ COMMITTED
    (PostgreSQL's default, and ours) every statement sees what was committed before it started,
    inside a transaction or not, so reads see exactly the same data. The moment such a request
    writes (an ORM flush, or an INSERT/UPDATE/DELETE through the session), the connection leaves
    autocommit before the write (or before a SELECT ... FOR UPDATE), so the write and whatever
    follows is one transaction as usual.
    Checked-in connections go back to transactional mode. Outside requests (scheduler, CLI,
    background threads) nothing changes."""
    if engine.dialect.name != "postgresql" or id(engine) in _installed:
        return
    _installed.add(id(engine))
    from flask import has_request_context, request
    from sqlalchemy.orm import Session

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        if has_request_context() and request.method in ("GET", "HEAD") and not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True
            record.info[_READ_MODE] = True

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        if record.info.pop(_READ_MODE, False) and dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False

    @event.listens_for(Session, "before_flush")
    def _before_flush(session, _context, _instances):
        if session.get_bind() is engine:
            leave_read_mode(session)

    @event.listens_for(Session, "do_orm_execute")
    def _before_write(state):
        # Writes, and row locks (SELECT ... FOR UPDATE holds its lock until the transaction ends).
        locking = state.is_select and getattr(state.statement, "_for_update_arg", None) is not None
        if (state.is_insert or state.is_update or state.is_delete or locking) and state.session.get_bind() is engine:
            leave_read_mode(state.session)


_READ_MODE = "liaison_read_mode"


def leave_read_mode(session) -> None:
    """What `session` runs from now on in this request is one transaction, as outside GETs: before a
    write, a row lock, or settings that must hold for the statements after them (SET LOCAL lasts
    until the transaction ends; in autocommit it would end with its own statement)."""
    pooled = session.connection().connection  # checked out now if this is the first statement; .info is the record's
    if pooled.info.pop(_READ_MODE, False):
        pooled.dbapi_connection.autocommit = False


def in_read_mode(session) -> bool:
    """Whether `session` still reads in a GET's autocommit (it has written nothing, holds no lock and
    no settings): what it reads, any other connection of the request would read too."""
    return bool(session.connection().connection.info.get(_READ_MODE, False))


_LAST_USED = "liaison_last_used"


def install_idle_ping(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use only when it sat idle for `idle_seconds` or more.

    SQLAlchemy's pool_pre_ping tests every checkout: one round trip more on every request. A
    connection that was in use a moment ago is alive; the ones a database restart or a firewall's
    idle timeout kills are the idle ones. A dead one is replaced before the request sees it. (If
    the server goes away while connections are busy, the requests in flight fail, as they would
    with pre-ping, and the pool replaces every connection it handed out before the failure.)"""
    if engine.dialect.name == "sqlite" or ("ping", id(engine)) in _installed:
        return
    _installed.add(("ping", id(engine)))

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        last_used = record.info.get(_LAST_USED)
        if last_used is not None and time.monotonic() - last_used >= idle_seconds:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:  # the pool retries with a new connection
                raise exc.DisconnectionError() from error

    @event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection, record):
        record.info[_LAST_USED] = time.monotonic()


def database_answers() -> None:
    """One round trip to the database (the health check); raises when it cannot be reached."""
    db.session.execute(text("SELECT 1"))
