"""Engine-level settings: SQLite gets foreign keys, WAL and a busy timeout like a real server."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed: set[int] = set()


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
