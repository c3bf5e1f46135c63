"""The application's one cache: every cached fragment, answer, feed body or report goes through here.

    html = fragments.cached("events.list", (filters, page, viewer_key), ("events", "themes"), build)
    count = fragments.remember("events.seats_taken", (event.id,), ("registrations",), compute)

Each entry names the tables it is built from. It is kept under its name, its key and the current
change stamps of those tables (app.cache.stamps: one counter per table, moved in every committing
transaction; read once per request), so any commit to one of them makes the next read build it
again: nothing stale is served, on any worker, and old entries just age out. A key must hold
everything else the entry depends on: the viewer's visibility class, the filters, the page, and the
time when the content depends on it. Fragments must not hold anything personal that is not in the
key (CSRF tokens, names).

An entry about one event declares `scope=event.id`: of its tables kept per event
(app.cache.scopes.SCOPED: sessions, registrations, lessons, ...) only that event's rows count, so a
write to another event's rows leaves it found (a write whose event cannot be told still rebuilds it).

Two other kinds of entries, declared as such:
- `fingerprinted=True`: the key already identifies the content (a feed's ETag, an aggregate over
  the declared tables), so the stamps are left out of it;
- `kept()` / `keep()`: entries kept for a number of seconds (built reports), for callers that
  decide themselves how old an entry may be.

An entry declared `worker=True` (the same for everybody, asked over and over: the public feed) is
kept in this worker's memory (app.cache.worker, bounded in bytes) under the same storage key, with
the shared cache in Redis or turned off as well; with the cache in the worker's memory too, in the
worker's store only (not twice).

With CACHE_CHECK_DEPENDENCIES (on in the tests) every build runs under app.cache.dependencies,
which fails when it read a table its entry does not declare.

Storage is Flask-Caching: an in-process store per worker that keeps values by reference, least
recently used dropped first, bounded by CACHE_THRESHOLD entries and CACHE_MEMORY_MB megabytes
(app.cache.backends), or a RedisCache shared by the workers when CACHE_REDIS_URL is set;
CACHE_TYPE=NullCache turns caching off. An entry over CACHE_MAX_ENTRY_KB is built on every request
instead of kept. So a worker's cache stays within CACHE_MEMORY_MB, whatever is asked: each entry is
measured as Python holds it (app.cache.sizes: its objects' sys.getsizeof, containers with their
items), with its key and the store's bookkeeping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable

from flask import Flask, current_app, request
from flask_caching import Cache
from markupsafe import Markup

from app.cache import dependencies, event_stamps, scopes, sizes, stamps, timing
from app.cache.backends import IN_PROCESS, MEMORY_MB, InProcessCache
from app.cache.worker import memo as worker_memo
from app.extensions import db
from app.i18n import current_language

EXTENSION = stamps.CACHE_EXTENSION
THRESHOLD = 2000
MAX_ENTRY_KB = 1024
TIMEOUT = 3600  # stamp-keyed entries: an entry whose stamps moved is never asked for again


def cache_for(app: Flask | None = None) -> Cache:
    """The app's Flask-Caching cache (made on first use, from the CACHE_* settings)."""
    app = app or current_app._get_current_object()
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        config = app.config
        redis_url = config.get("CACHE_REDIS_URL")
        settings = {
            "CACHE_TYPE": config.get("CACHE_TYPE") or ("RedisCache" if redis_url else IN_PROCESS),
            "CACHE_THRESHOLD": config.get("CACHE_THRESHOLD", THRESHOLD),
            "CACHE_MEMORY_MB": config.get("CACHE_MEMORY_MB", MEMORY_MB),
            "CACHE_DEFAULT_TIMEOUT": config.get("CACHE_DEFAULT_TIMEOUT", TIMEOUT),
            "CACHE_KEY_PREFIX": config.get("CACHE_KEY_PREFIX", "liaison:"),
            "CACHE_REDIS_URL": redis_url,
            "CACHE_NO_NULL_WARNING": True,  # NullCache is how caching is turned off on purpose
        }
        made = Cache()
        made.init_app(app, config=settings)
        made.enabled = settings["CACHE_TYPE"] not in ("NullCache", "null")
        cache = app.extensions.setdefault(EXTENSION, made)
    return cache


def _store(storage_key: str, value, timeout: int | None = None) -> None:
    size = sizes.held(value)
    if size > current_app.config.get("CACHE_MAX_ENTRY_KB", MAX_ENTRY_KB) * 1024:
        return  # too large to keep: built on every request
    store = cache_for().cache
    if isinstance(store, InProcessCache):
        store.set(storage_key, (value,), timeout=timeout, size=size)
    else:
        store.set(storage_key, (value,), timeout=timeout)


def enabled() -> bool:
    return cache_for().enabled


# What a worker keeps under change stamps outside this cache (each registered by its owner:
# app.lessons.public_part's kept searches), emptied with it: stamps start again from 0 with emptied
# tables (the tests) and go back with restored rows (tests.authz_world), and an entry kept under an
# old stamp would then be taken for a current one.
_ALSO_CLEARED: list[Callable[[], None]] = []


def also_cleared(forget: Callable[[], None]) -> None:
    """`forget` is called by every `clear` (a worker's memo kept under change stamps)."""
    _ALSO_CLEARED.append(forget)


def clear(app: Flask | None = None) -> None:
    """Empty the cache, this worker's store of app.cache.worker and what `also_cleared` registered."""
    cache_for(app).clear()
    worker_memo(app).clear()
    for forget in _ALSO_CLEARED:
        forget()


def query_key() -> tuple:
    """The request's query string in a canonical form, for keys of fragments that depend on it."""
    return tuple(sorted(request.args.items(multi=True)))


def _storage_key(name: str, key: Hashable, versions: tuple) -> str:
    # Every entry is kept per language: the same page or feed in Ukrainian is another entry.
    digest = hashlib.sha1(repr((key, versions, current_language())).encode("utf-8")).hexdigest()
    return f"{name}:{digest}"


def _get(storage_key: str):
    """(value,) when stored, else None (so that None and False can be cached too)."""
    stored = cache_for().get(storage_key)
    timing.note_lookup(stored is not None, storage_key)
    return stored


def _versions(tables: tuple[str, ...], scope: int | None) -> tuple:
    whole = stamps.read(db.session)
    if scope is None:
        return tuple(whole.get(table, 0) for table in tables)
    # Scoped to one event: a table kept per event counts by its "every event" stamp and the
    # event's own (app.cache.scopes); the others by their whole-table stamps.
    event = event_stamps.read(db.session, scope)
    return ("event", scope, *((whole.get(scopes.every_name(table), 0), event.get(table, 0))
                              if table in scopes.SCOPED else whole.get(table, 0) for table in tables))


def remember(name: str, key: Hashable, tables: Iterable[str], compute: Callable[[], object], *,
             fingerprinted: bool = False, scope: int | None = None, worker: bool = False):
    """The value of entry `name` for `key`, computed again when one of `tables` changed (or, with
    `fingerprinted`, when the key changed: it identifies the content). With `scope` (an event's id)
    the entry is about that event only: of its tables kept per event (app.cache.scopes.SCOPED),
    only that event's rows count, so other events' writes leave it found; with the dependency check
    on, loading another event's row of such a table while building it fails. With `worker` the
    entry is also kept in this worker's memory (app.cache.worker), even with the cache off. An entry's
    size is measured when it is stored."""
    tables = tuple(tables)
    dependencies.note(tables)
    shared = enabled()
    if not shared and not worker:
        return compute()
    versions = () if fingerprinted else _versions(tables, scope)
    storage_key = _storage_key(name, key, versions)
    if worker:
        stored = worker_memo().get(storage_key)
        if stored is not None:
            timing.note_lookup(True, storage_key)
            return stored[0]
        if shared and worker_memo().max_bytes and isinstance(cache_for().cache, InProcessCache):
            # The worker's store is this very memory: a second copy in the in-process cache was
            # never found (the worker's store answers first) and counted twice against the bounds.
            timing.note_lookup(False, storage_key)
            shared = False
    stored = _get(storage_key) if shared else None
    if stored is not None:
        value = stored[0]
    else:
        value = _compute(name, tables, scope, compute)
        if shared:
            _store(storage_key, value)
    if worker:
        worker_memo().set(storage_key, (value,), size=sizes.held(value))
    return value


def _compute(name: str, tables: tuple[str, ...], scope: int | None, compute: Callable[[], object]):
    if current_app.config.get("CACHE_CHECK_DEPENDENCIES"):
        with dependencies.watching(name, tables, scope):
            return compute()
    return compute()


def cached(name: str, key: Hashable, tables: Iterable[str], build: Callable[[], str], *,
           scope: int | None = None) -> Markup:
    """The fragment `name` for `key` (rendered HTML), rebuilt when any of `tables` changed (with
    `scope`, only that event's rows of the tables kept per event: see remember). Kept as UTF-8: a
    str with one character past U+00FF ("–", "→") holds two bytes a character."""
    if not enabled():
        return Markup(remember(name, key, tables, lambda: str(build()), scope=scope))
    return Markup(remember(name, key, tables, lambda: str(build()).encode(), scope=scope).decode())


def kept(name: str, key: Hashable):
    """A time-kept entry stored by keep(), or None (missing or older than its seconds)."""
    if not enabled():
        return None
    stored = _get(_storage_key(name, key, ("kept",)))
    return None if stored is None else stored[0]


def keep(name: str, key: Hashable, value, seconds: float) -> None:
    """Keep `value` for `seconds` (at least one): an entry on time, not on the change stamps."""
    if enabled():
        _store(_storage_key(name, key, ("kept",)), value, timeout=max(1, int(seconds + 0.999)))


def forget(name: str, key: Hashable) -> None:
    """Drop a time-kept entry."""
    if enabled():
        cache_for().delete(_storage_key(name, key, ("kept",)))
