"""A few of a report's figure statements read beside the others, on a second connection.

At one request at a time the dashboard waited for its statements one after the other, the
participant cells (app.reports.participants) about 60% of its database time. On PostgreSQL, while
the request still reads in a GET's autocommit (app.db_events), `start` runs some of the statements
that come after the cells (the lessons and the network-wide actions:
figures.dashboard_later_statements) on another pooled connection, in a thread, while the request's
own connection runs the rest: PostgreSQL works on both at once, and the page waits for the longer
of the two rather than their sum. Scope.rows then takes their rows instead of running them.

The figures are the same: in autocommit every statement reads what was committed before it began
(READ COMMITTED, PostgreSQL's default), on either connection; nothing spans the statements of a
page. A request that has written (its own connection sees its own writes), code outside a request
(the scheduler, tests calling the builders) and SQLite run every statement on their own connection.
The thread runs in a copy of the request's context, so the engine's listeners (statement counts,
Server-Timing, the cache's dependency watch) see its statements as the request's.
"""

from __future__ import annotations

import contextvars
import threading

from app.cache import raw
from app.db_events import in_read_mode
from app.extensions import db
from app.reports.scope import Scope


def start(scope: Scope, jobs: list[tuple]) -> None:
    """Run `jobs` ((build, args, key) as Scope.rows takes them, in this order) beside the request's
    own statements when it may (see the module's note); otherwise nothing happens and Scope.rows
    runs them when asked. Call it before the report leaves read mode (tune_for_aggregates)."""
    session = db.session
    if session.get_bind().dialect.name != "postgresql" or not in_read_mode(session):
        return
    dialect = session.get_bind().dialect
    plans = [scope.plan_of(build, args, key, dialect) for build, args, key in jobs]  # built here: they read the session
    reading = _Reading(db.engine, plans, dict(scope.params))
    for index, (build, args, key) in enumerate(jobs):
        scope.beside[(build, args, key)] = lambda index=index: reading.rows()[index]


class _Reading:
    """The planned statements run one after the other on a connection of `engine`, in a thread."""

    def __init__(self, engine, plans: list, params: dict):
        self._found: list | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(contextvars.copy_context(), engine, plans, params),
                                        name="report-beside", daemon=True)
        self._thread.start()

    def _run(self, context, engine, plans: list, params: dict) -> None:
        try:
            self._found = context.run(_read, engine, plans, params)
        except BaseException as error:  # raised again in the request's thread, by rows()
            self._error = error

    def rows(self) -> list:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._found


def _read(engine, plans: list, params: dict) -> list:
    with engine.connect() as connection:  # a GET's: autocommit (app.db_events), as the request's own
        return [raw.all_rows(connection, prepared, compiled, statement, params)
                for statement, prepared, compiled in plans]
