"""In-process storage for the one cache: a least-recently-used store bounded by entries and by bytes.

Flask-Caching's SimpleCache pickles a value on the way in and unpickles it on every hit, which copies
a feed's megabyte on each request (and leaves the copies for the allocator to return); past its
threshold it sorts every entry on each store to drop the oldest. What the cache holds is never
changed after it is stored (rendered text, bytes, tuples, built reports), so this backend keeps each
value by reference, as a dict would, in use order: a hit moves its entry to the end, a store drops
the least recently used ones until both bounds hold, CACHE_THRESHOLD entries and CACHE_MEMORY_MB
megabytes (each entry counted by the size its caller gives, measured as Python holds the value:
app.cache.sizes; plus its key and the store's own bookkeeping, ENTRY_OVERHEAD). CACHE_TYPE names it;
Redis still pickles."""

from __future__ import annotations

import sys
from collections import OrderedDict
from time import time

from flask_caching.backends.simplecache import SimpleCache

MEMORY_MB = 4
# What the store spends on an entry besides its key and value: the (expiry, value) and (value,) tuples
# and the sizes' integer (~150 bytes), and its share of the two dicts' tables (the ordered dict's and
# the sizes'), up to ~250 bytes just after they grew (~80 on average): a bound, not the mean.
ENTRY_OVERHEAD = 400


class _AsIs:
    """A cachelib serializer that stores the object itself."""

    @staticmethod
    def dumps(value, protocol=None):
        return value

    @staticmethod
    def loads(value):
        return value


class InProcessCache(SimpleCache):
    serializer = _AsIs()

    def __init__(self, threshold: int = 500, default_timeout: int = 300, max_bytes: int = MEMORY_MB << 20,
                 **kwargs):
        super().__init__(threshold=threshold, default_timeout=default_timeout, **kwargs)
        self._cache: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self.max_bytes = max_bytes
        self.bytes = 0  # what the kept entries hold, as their callers measured them

    @classmethod
    def factory(cls, app, config, args, kwargs):
        kwargs["max_bytes"] = int(float(config.get("CACHE_MEMORY_MB", MEMORY_MB)) * (1 << 20))
        return super().factory(app, config, args, kwargs)

    def get(self, key: str):
        with self._lock:
            item = self._cache.get(key)
            if item is None:
                return None
            if item[0] and item[0] <= time():
                self._drop(key)
                return None
            self._cache.move_to_end(key)
            return item[1]

    def has(self, key: str) -> bool:
        with self._lock:
            item = self._cache.get(key)
            return item is not None and (not item[0] or item[0] > time())

    def set(self, key: str, value, timeout: int | None = None, size: int = 0) -> bool:
        """Keep `value` (`size`: about how many bytes it holds, its key and bookkeeping added here);
        False when it alone is over the bytes."""
        size += sys.getsizeof(key) + ENTRY_OVERHEAD
        with self._lock:
            self._drop(key)
            if size > self.max_bytes:
                return False
            self._cache[key] = (self._normalize_timeout(timeout), value)
            self._sizes[key] = size
            self.bytes += size
            while len(self._cache) > self._threshold or self.bytes > self.max_bytes:
                self._drop(next(iter(self._cache)))  # the least recently used
            return True

    def add(self, key: str, value, timeout: int | None = None, size: int = 0) -> bool:
        with self._lock:
            return False if self.has(key) else self.set(key, value, timeout, size)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._drop(key)

    def clear(self) -> bool:
        with self._lock:
            self._cache.clear()
            self._sizes.clear()
            self.bytes = 0
            return True

    def _drop(self, key: str) -> bool:
        if self._cache.pop(key, None) is None:
            return False
        self.bytes -= self._sizes.pop(key, 0)
        return True


IN_PROCESS = f"{InProcessCache.__module__}.{InProcessCache.__name__}"
