"""A few entries of the one cache kept in this worker's memory, whatever the cache's storage
(app.cache.fragments: entries declared `worker=True`).

For answers that are the same for everybody and asked over and over (the public calendar feed: one
megabyte that every anonymous subscriber polls), a lookup here costs no copy, no Redis round trip,
and still works with the shared cache turned off (CACHE_TYPE=NullCache). Entries are stored under
the same storage key as in the shared cache (name, key, change stamps, language), so what is found
is exactly what the shared cache would give. The memory is bounded in bytes (CACHE_WORKER_KB) and
the oldest entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Flask, current_app

EXTENSION = "liaison_cache_worker"
MAX_KB = 4096  # the public feed of the bench data (1 MB, its gzip coding 0.1 MB) with room for a second


class WorkerMemo:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, storage_key: str):
        """(value,) when kept, else None."""
        held = self._entries.get(storage_key)
        return None if held is None else (held[0],)

    def put(self, storage_key: str, value, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(storage_key, None)
            if old is not None:
                self._bytes -= old[1]
            while self._entries and self._bytes + size > self.max_bytes:
                self._bytes -= self._entries.popitem(last=False)[1][1]
            self._entries[storage_key] = (value, size)
            self._bytes += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def memo(app: Flask | None = None) -> WorkerMemo:
    """The app's worker memo (one per app, so that test apps never share entries)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, WorkerMemo(app.config.get("CACHE_WORKER_KB", MAX_KB) * 1024))
    return found
