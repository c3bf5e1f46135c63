"""A few entries of the one cache kept in this worker's memory, whatever the cache's storage
(app.cache.fragments: entries declared `worker=True`).

For answers that are the same for everybody and asked over and over (the public calendar feed: one
megabyte that every anonymous subscriber polls), a lookup here costs no copy, no Redis round trip,
and still works with the shared cache turned off (CACHE_TYPE=NullCache). Entries are stored under
the same storage key as in the shared cache (name, key, change stamps, language), so what is found
is exactly what the shared cache would give. The store is the in-process cache's own
(app.cache.backends.InProcessCache: least recently used dropped first), bounded in bytes by
CACHE_WORKER_KB.
"""

from __future__ import annotations

from flask import Flask, current_app

from app.cache.backends import InProcessCache

EXTENSION = "liaison_cache_worker"
MAX_KB = 2048  # the public feed of the bench data (1 MB) and its gzip coding (0.1 MB)
MAX_ENTRIES = 64  # few, large entries


def memo(app: Flask | None = None) -> InProcessCache:
    """The app's worker store (one per app, so that test apps never share entries): get(key) gives
    (value,) or None, set(key, (value,), size=...) keeps it."""
    app = app or current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        store = InProcessCache(threshold=MAX_ENTRIES, default_timeout=0,
                               max_bytes=app.config.get("CACHE_WORKER_KB", MAX_KB) * 1024)
        found = app.extensions.setdefault(EXTENSION, store)
    return found
