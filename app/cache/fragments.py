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

from flask import Flask, current_app
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
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: str) -> None:
        size = len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

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


def cached(name: str, key: Hashable, tables: Iterable[str], build: Callable[[], str]) -> Markup:
    """The fragment `name` for `key`, rebuilt when any of `tables` changed since it was cached."""
    cache = cache_for()
    if cache.max_entries <= 0:
        return Markup(build())
    current = stamps.read(db.session)
    full_key = (name, key, tuple(current.get(table, 0) for table in tables))
    html = cache.get(full_key)
    if html is None:
        html = str(build())
        cache.put(full_key, html)
    return Markup(html)
