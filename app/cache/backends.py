"""In-process storage for the one cache: Flask-Caching's SimpleCache, keeping values as they are.

SimpleCache pickles a value on the way in and unpickles it on every hit, which copies a feed's
megabyte on each request (and leaves the copies for the allocator to return). What the cache holds
is never changed after it is stored (rendered text, bytes, tuples, built reports), so this backend
keeps each value by reference, as a dict would. CACHE_TYPE names it; Redis still pickles."""

from __future__ import annotations

from flask_caching.backends.simplecache import SimpleCache


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


IN_PROCESS = f"{InProcessCache.__module__}.{InProcessCache.__name__}"
