"""A small per-process cache of serialised feeds, keyed by (feed identity, ETag).

A calendar program fetches the same feed again and again; as long as its fingerprint
(app.calendar.feeds.Fingerprint: one aggregate query) is unchanged, the bytes built last time are
served again. Bounded by entries and by bytes, least recently used first out; a feed whose ETag
changed replaces its old body (same identity), so stale bodies never pile up. One cache per Flask
app (app.extensions), guarded by a lock for threaded servers.

The fingerprint is read before the rows: if a change commits in between, the body cached under the
older ETag is already the newer content, which is harmless (the next poll sees the new ETag, misses
and replaces it). Settings: CALENDAR_FEED_CACHE_ENTRIES, CALENDAR_FEED_CACHE_BYTES.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from app.cache.fragments import FragmentCache

MAX_ENTRIES = 64
MAX_BYTES = 16 * 1024 * 1024  # a 1,000-event public feed is about 1 MB, a 200-entry personal one 200 KB
EXTENSION = "calendar_feed_cache"


class FeedCache(FragmentCache):
    """The fragment cache's LRU, holding (ETag, body) per feed identity."""

    def get(self, key: tuple, etag: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0][0] != etag:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0][1]

    def put(self, key: tuple, etag: str, body: bytes) -> None:
        super().put(key, (etag, body), len(body))

    def get_or_build(self, key: tuple, etag: str, build: Callable[[], bytes]) -> bytes:
        body = self.get(key, etag)
        if body is None:
            body = build()
            self.put(key, etag, body)
        return body


def cache_for(app: Flask | None = None) -> FeedCache:
    app = app or current_app._get_current_object()
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(
            EXTENSION,
            FeedCache(app.config.get("CALENDAR_FEED_CACHE_ENTRIES", MAX_ENTRIES),
                      app.config.get("CALENDAR_FEED_CACHE_BYTES", MAX_BYTES)),
        )
    return cache
