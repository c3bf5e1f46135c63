"""Whole pages cached per viewer, on the change stamps of every table the page read.

    @bp.get("/events/<int:event_id>")
    @pages.cached_page
    def detail(event_id): ...

The first view of a page by a viewer runs the view as usual while every SQL statement it issues is
watched: the tables a SELECT names become the page's dependencies (the tables of fragments and
remembered values served from the cache count too). The rendered body is kept in the fragment LRU
(app.cache.fragments) under the viewer, the URL and the minute, with those tables' stamps. The
next view by the same viewer compares the stamps (read anyway, with the signed-in user's row) and
answers with the stored body without running the view: no query, no template.

Nothing stale and nothing of somebody else's is served:
- the key holds the viewer (id, role, name, email, time zone, language, organisation, calendar
  settings: anything of the user a page may show or decide on), the host, the path and the
  query string, and the minute (pages that split upcoming from past, open from closed registration);
- any commit to a table the page read moves its stamp, so the next view is built afresh;
- the page's CSRF token is cut out when stored and the requester's own put back when served;
- a page is not stored when the view wrote anything, read a table that has no stamp (the outbox,
  the audit log, report snapshots), used a cache that is not keyed on stamps
  (`not_cacheable()`), showed flashed messages, changed the session, set a cookie, or answered
  anything but 200 text/html; it is not served from the cache while messages wait to be flashed.
Only views marked with `cached_page` take part: each was checked to depend on nothing else.
PAGE_CACHE=0 turns it off (the fragment cache setting FRAGMENT_CACHE_ENTRIES=0 does too).
"""

from __future__ import annotations

import functools
import re
import threading
from functools import wraps

from flask import current_app, g, has_app_context, request, session
from flask.globals import request_ctx
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.cache import fragments, stamps
from app.extensions import db

CSRF_PLACEHOLDER = b"\x00liaison-csrf-token\x00"  # NUL never reaches a page (app.web refuses it)
MAX_PAGE_BYTES = 1024 * 1024
_TRACKER = "_page_reads"
# Session keys a view may set without making its page personal to this session.
_SESSION_BOOKKEEPING = frozenset({"csrf_token", "_slid", "_fresh", "_id", "_user_id"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_READ_VERBS = frozenset({"SELECT", "WITH", "SHOW", "SET", "PRAGMA", "VALUES", "EXPLAIN"})
_NEUTRAL_VERBS = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)

_statements: dict[str, tuple[bool, frozenset[str]]] = {}
_statements_lock = threading.Lock()
_installed = False


class _Reads:
    __slots__ = ("tables", "cacheable", "trusts")

    def __init__(self, trusts: frozenset[str] = frozenset()):
        self.tables: set[str] = set()
        self.cacheable = True
        self.trusts = trusts


def classify(statement: str) -> tuple[bool, frozenset[str]]:
    """(reads only, the tables it names) for one SQL statement; remembered per statement text.

    Every word of the statement that is a table's name counts: FROM lists, joins, subqueries,
    qualified columns, eager loads. A column that happens to share a table's name adds a
    dependency too, which only makes the page rebuilt more often."""
    known = _statements.get(statement)
    if known is not None:
        return known
    words = _WORD.findall(statement)
    verb = words[0].upper() if words else ""
    if verb in _NEUTRAL_VERBS:  # transaction control: neither a read nor a write
        result = (True, frozenset())
    else:
        is_read = verb in _READ_VERBS and not (verb == "WITH" and any(w.upper() in _WRITE_WORDS for w in words))
        if is_read and _LOCKING.search(statement):
            is_read = False  # SELECT ... FOR UPDATE: the start of a write
        result = (is_read, frozenset(w for w in words if w in _table_names_cached()))
    with _statements_lock:
        if len(_statements) > 4096:
            _statements.clear()
        _statements[statement] = result
    return result


@functools.cache
def _table_names_cached() -> frozenset[str]:
    return frozenset(db.metadata.tables)


def _before_cursor_execute(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not has_app_context():
        return
    reads = g.get(_TRACKER)
    if reads is None or not reads.cacheable:
        return
    is_read, tables = classify(statement)
    if not is_read:
        reads.cacheable = False
        return
    reads.tables.update(tables)


def note_tables(tables) -> None:
    """A fragment or value served from the stamp-keyed cache: the page depends on its tables."""
    if has_app_context():
        reads = g.get(_TRACKER)
        if reads is not None:
            reads.tables.update(tables)


def not_cacheable(reason: str = "") -> None:
    """The page being built depends on something the change stamps do not follow (`reason` names
    it, for views whose `vary` key covers it)."""
    if has_app_context():
        reads = g.get(_TRACKER)
        if reads is not None and not (reason and reason in reads.trusts):
            reads.cacheable = False


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
        _installed = True


def _enabled() -> bool:
    config = current_app.config
    return bool(config.get("PAGE_CACHE", True)) and fragments.cache_for().max_entries > 0


def _viewer_key() -> tuple:
    user = current_user
    if not user.is_authenticated:
        return ("anonymous",)
    return (user.id, user.role, user.name, user.email, user.timezone, user.language, user.organisation_id,
            user.calendar_token, user.calendar_include_waitlisted, user.is_active)


def _minute() -> int:
    from app.timeutil import now

    return int(now().timestamp()) // 60


def _page_key() -> tuple:
    return ("page", request.endpoint, request.scheme, request.host, request.path, fragments.query_key(),
            _viewer_key(), _minute())


def _serve(entry, current: dict[str, int]):
    tables, versions, body, headers, has_csrf = entry
    if tuple(current.get(table, 0) for table in tables) != versions:
        return None
    if has_csrf:
        from flask_wtf.csrf import generate_csrf

        body = body.replace(CSRF_PLACEHOLDER, generate_csrf().encode())
    return current_app.response_class(body, status=200, headers=headers)


def _session_snapshot() -> dict:
    return {key: value for key, value in session.items() if key not in _SESSION_BOOKKEEPING}


def cached_page(view=None, *, vary=None, trusts: frozenset[str] = frozenset()):
    """Serve the view's page from the per-viewer page cache (see the module's docstring).

    `vary`, when given, is called before the cache is looked up: it returns one more part of the key
    (a version of something the stamps do not follow), or None to run the view without the cache.
    `trusts` names the not_cacheable() reasons that this part of the key covers."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if (request.method not in ("GET", "HEAD") or not _enabled() or "_flashes" in session
                    or g.get(_TRACKER) is not None):
                return view(*args, **kwargs)
            from app.web import wants_json

            if wants_json():
                return view(*args, **kwargs)
            extra = None
            if vary is not None:
                extra = vary()
                if extra is None:
                    return view(*args, **kwargs)
            cache = fragments.cache_for()
            key = (*_page_key(), extra)
            current = stamps.read(db.session)
            entry = cache.get(key)
            if entry is not None:
                response = _serve(entry, current)
                if response is not None:
                    return response
            before = _session_snapshot()
            reads = g._page_reads = _Reads(trusts)
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                g.pop(_TRACKER, None)
            if reads.cacheable and _storable(response, before):
                _store(cache, key, reads, current, response)
            return response

        return wrapped

    return decorate(view) if view is not None else decorate


def _storable(response, session_before: dict) -> bool:
    if response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough:
        return False
    if response.is_streamed or "Set-Cookie" in response.headers:
        return False
    if request_ctx.flashes:  # messages were shown on this page
        return False
    return _session_snapshot() == session_before


def _store(cache, key, reads: _Reads, current: dict[str, int], response) -> None:
    if reads.tables & stamps.UNWATCHED - {"change_stamps"}:
        return
    body = response.get_data()
    if len(body) > MAX_PAGE_BYTES:
        return
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    has_csrf = bool(token) and token.encode() in body
    if has_csrf:
        body = body.replace(token.encode(), CSRF_PLACEHOLDER)
    tables = tuple(sorted(reads.tables - {"change_stamps"}))
    versions = tuple(current.get(table, 0) for table in tables)
    headers = [(name, value) for name, value in response.headers.items()
               if name not in ("Content-Length", "Set-Cookie")]
    cache.put(key, (tables, versions, body, headers, has_csrf), len(body) + 512)
