"""Server-Timing diagnostics: where a request's time went, on the response itself.

With SERVER_TIMING on (a benchmark / diagnostic switch, off by default, never needed in
production), every response carries

    Server-Timing: app;dur=12.41, db;dur=3.05;desc="4 statements", cache;desc=hit, cache-lookups;desc="3 hit 0 miss"

- `app`: from the start of the request's handling to its response (before the body is sent);
- `db`: time inside the database driver's execute (statements and their rows), summed;
- `cache`: `hit` when every lookup of the one cache (app.cache.fragments) found its entry, `miss`
  when at least one was built, `none` when the request asked the cache nothing (or it is off).

bench/mixed.py reads it to report the cache hit rate a workload really obtained and the database's
share of the server's time. When the switch is off nothing is installed and `note_lookup` returns
at once. The engine events hold no state outside the request's `g`.
"""

from __future__ import annotations

import time

from flask import Flask, g, has_request_context
from sqlalchemy import event

from app.extensions import db

_active = False


def note_lookup(hit: bool) -> None:
    """One lookup of the cache (app.cache.fragments._get): found or not."""
    if not _active or not has_request_context():
        return
    key = "_timing_hits" if hit else "_timing_misses"
    setattr(g, key, g.get(key, 0) + 1)


def _before_execute(_conn, _cursor, _statement, _parameters, context, _executemany):
    if has_request_context():
        context._timing_started = time.perf_counter()


def _after_execute(_conn, _cursor, _statement, _parameters, context, _executemany):
    started = getattr(context, "_timing_started", None)
    if started is not None and has_request_context():
        g._timing_db = g.get("_timing_db", 0.0) + (time.perf_counter() - started)
        g._timing_statements = g.get("_timing_statements", 0) + 1


def header_value(app_seconds: float, db_seconds: float, statements: int, hits: int, misses: int) -> str:
    cache = "miss" if misses else ("hit" if hits else "none")
    return (f'app;dur={app_seconds * 1000:.2f}, db;dur={db_seconds * 1000:.2f};desc="{statements} statements", '
            f'cache;desc={cache}, cache-lookups;desc="{hits} hit {misses} miss"')


def install(app: Flask, *, force: bool = False) -> bool:
    """Emit Server-Timing on every response of `app` when SERVER_TIMING is on (or `force`)."""
    global _active
    if not (force or app.config.get("SERVER_TIMING")):
        return False
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "before_cursor_execute", _before_execute):
        event.listen(engine, "before_cursor_execute", _before_execute)
        event.listen(engine, "after_cursor_execute", _after_execute)

    def _start_timing():
        g._timing_started = time.perf_counter()

    def _emit_timing(response):
        started = g.get("_timing_started")
        if started is not None:
            response.headers["Server-Timing"] = header_value(
                time.perf_counter() - started, g.get("_timing_db", 0.0), g.get("_timing_statements", 0),
                g.get("_timing_hits", 0), g.get("_timing_misses", 0))
        return response

    # First of the before-request functions, last of the after-request ones (they run in reverse).
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timing)
    app.after_request_funcs.setdefault(None, []).insert(0, _emit_timing)
    _active = True
    return True
