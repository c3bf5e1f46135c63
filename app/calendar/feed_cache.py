"""A small per-process cache of serialised feeds, keyed by (feed identity, ETag).

A calendar program fetches the same feed again and again; as long as its fingerprint
(app.calendar.feeds.Fingerprint: one aggregate query) is unchanged, the bytes built last time are
served again. Bounded by entries and by bytes, least recently used first out; a feed whose ETag
changed replaces its old body (same identity), so stale bodies never pile up. One cache per Flask
app (app.extensions), guarded by a lock for threaded servers.

The fingerprint is read before the rows: if a change commits in between, the body cached under the
older ETag is already the newer content, which is harmless (the next poll sees the new ETag, misses
and replaces it). Settings: CALENDAR_FEED_CACHE_ENTRIES, CALENDAR_FEED_CACHE_BYTES.

Calendar programs ask for gzip; a feed's gzip coding is compressed once, on the first request that
accepts it, and kept in the same entry as the body (both count towards the byte bound), so it goes
when the body goes and can never outlive a changed feed.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

from flask import Flask, current_app

from app.cache.fragments import FragmentCache
from app.timeutil import now

MAX_ENTRIES = 64
MAX_BYTES = 16 * 1024 * 1024  # a 1,000-event public feed is about 1 MB, a 200-entry personal one 200 KB
EXTENSION = "calendar_feed_cache"


def gzip_body(body: bytes) -> bytes:
    """The gzip coding of a feed; mtime=0 so that the same body always compresses to the same bytes."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class FeedCache(FragmentCache):
    """The fragment cache's LRU, holding (ETag, body, gzipped body or None) per feed identity."""

    def _entry(self, key: tuple, etag: str) -> tuple[str, bytes, bytes | None] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0][0] != etag:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def get(self, key: tuple, etag: str) -> bytes | None:
        entry = self._entry(key, etag)
        return None if entry is None else entry[1]

    def put(self, key: tuple, etag: str, body: bytes, gzipped: bytes | None = None) -> None:
        if gzipped is not None and len(body) + len(gzipped) > self.max_bytes:
            gzipped = None  # keep at least the body: without it every request would rebuild the feed
        super().put(key, (etag, body, gzipped), len(body) + len(gzipped or b""))

    def get_or_build(self, key: tuple, etag: str, build: Callable[[], bytes], *, gzipped: bool = False) -> bytes:
        """The feed's body for `etag`, built on a miss; with gzipped=True its gzip coding instead."""
        entry = self._entry(key, etag)
        if entry is None:
            body = build()
            compressed = gzip_body(body) if gzipped else None
            self.put(key, etag, body, compressed)
            return compressed if gzipped else body
        if not gzipped:
            return entry[1]
        if entry[2] is not None:
            return entry[2]
        compressed = gzip_body(entry[1])
        self._add_gzipped(key, etag, entry[1], compressed)
        return compressed

    def _add_gzipped(self, key: tuple, etag: str, body: bytes, compressed: bytes) -> None:
        size = len(body) + len(compressed)
        if size > self.max_bytes:
            return
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0][0] == etag:  # unless a feed with another ETag took its place meanwhile
                self._store(key, (etag, body, compressed), size)


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


class RecentFingerprints(FragmentCache):
    """Public-feed fingerprints this process computed in the last few seconds
    (PUBLIC_FEED_RECHECK_SECONDS; 0 turns it off), in the fragment cache's LRU (bounded by entries,
    so query strings cannot grow it).

    The public feed is the same for everybody and says `Cache-Control: public, max-age=300`, so any
    calendar program or proxy may keep it for five minutes. Within the window a worker answers it
    without a database round trip: not even the change stamps are read (the one statement a cached
    feed costs otherwise). A change shows at most that many seconds later, on every worker."""

    def __init__(self, max_entries: int = 128):
        super().__init__(max_entries, max_bytes=max_entries)  # each entry counts 1

    def fresh(self, key: tuple, seconds: float):
        """The fingerprint computed for `key` less than `seconds` ago, or None."""
        item = self.get(key)
        if item is None:
            return None
        age = (now() - item[0]).total_seconds()
        return item[1] if 0 <= age < seconds else None  # a clock set back does not keep it alive

    def note(self, key: tuple, fingerprint) -> None:
        self.put(key, (now(), fingerprint), size=1)


RECENT_EXTENSION = "calendar_recent_fingerprints"


def recent_for(app: Flask | None = None) -> RecentFingerprints:
    app = app or current_app._get_current_object()
    return app.extensions.setdefault(RECENT_EXTENSION, RecentFingerprints())
