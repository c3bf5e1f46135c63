"""A per-worker LRU of rendered HTML fragments, keyed on their inputs and the stamps they read.

    html = fragments.cached("events.list", (filters, page, viewer_key), ("events", "themes"), build)

`build()` renders the fragment (a str); the result is kept under (name, key, the current stamps of
`tables`). Bounded by entries and bytes (FRAGMENT_CACHE_ENTRIES, FRAGMENT_CACHE_MB); least recently
used first out. A key must hold everything the fragment depends on besides those tables: the
viewer's visibility class, the filters, the page, and the time when the content depends on it.
Fragments must not contain anything personal that is not in the key (CSRF tokens, names).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from flask import Flask, current_app, request
from markupsafe import Markup

from app.cache import stamps
from app.extensions import db

MAX_ENTRIES = 2000
MAX_BYTES = 32 * 1024 * 1024
EXTENSION = "fragment_cache"


class FragmentCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._bytes

    def get(self, key: Hashable):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value, size: int | None = None) -> None:
        size = len(value) if size is None else size
        if size > self.max_bytes:
            return
        with self._lock:
            self._store(key, value, size)

    def _store(self, key: Hashable, value, size: int) -> None:
        """Put with the lock held: replace the key's value, then drop the least recently used."""
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0


def cache_for(app: Flask | None = None) -> FragmentCache:
    app = app or current_app._get_current_object()
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, FragmentCache(
            app.config.get("FRAGMENT_CACHE_ENTRIES", MAX_ENTRIES),
            int(app.config.get("FRAGMENT_CACHE_MB", MAX_BYTES // (1024 * 1024))) * 1024 * 1024,
        ))
    return cache


def query_key() -> tuple:
    """The request's query string in a canonical form, for keys of fragments that depend on it."""
    return tuple(sorted(request.args.items(multi=True)))


def _pages():
    from app.cache import pages

    return pages


def cached(name: str, key: Hashable, tables: Iterable[str], build: Callable[[], str]) -> Markup:
    """The fragment `name` for `key`, rebuilt when any of `tables` changed since it was cached."""
    cache = cache_for()
    if cache.max_entries <= 0:
        return Markup(build())
    current = stamps.read(db.session)
    full_key = (name, key, tuple(current.get(table, 0) for table in tables))
    _pages().note_tables(tables)
    html = cache.get(full_key)
    if html is None:
        html = str(build())
        cache.put(full_key, html)
    return Markup(html)


def remember(name: str, key: Hashable, tables: Iterable[str], compute: Callable[[], object], size: int = 256):
    """Like cached() for any small value (a feed's fingerprint, a count): recomputed when one of
    `tables` changed, else the value computed last time."""
    cache = cache_for()
    if cache.max_entries <= 0:
        return compute()
    current = stamps.read(db.session)
    full_key = (name, key, tuple(current.get(table, 0) for table in tables))
    _pages().note_tables(tables)
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.put(full_key, value, size)
    return value
