"""The one cache's storage: Flask-Caching, in memory per worker unless CACHE_REDIS_URL names a Redis
shared by the workers; NullCache turns it off. Reports rebuild stale figures after the response,
without a thread."""

from __future__ import annotations

import sys
import threading

from flask import Flask

from app.cache import fragments, sizes
from app.cache.backends import ENTRY_OVERHEAD
from app.reports import cache as report_cache


def _backend(config: dict):
    app = Flask(__name__)
    app.config.update(config)
    with app.app_context():
        cache = fragments.cache_for(app)
        return type(cache.cache).__name__, fragments.enabled()


def test_in_memory_by_default_redis_when_configured_and_null_turns_it_off():
    assert _backend({}) == ("InProcessCache", True)
    assert _backend({"CACHE_REDIS_URL": "redis://localhost:6399/3"}) == ("RedisCache", True)
    assert _backend({"CACHE_TYPE": "NullCache"}) == ("NullCache", False)


def test_nothing_is_kept_when_the_cache_is_off(app, monkeypatch):
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
    calls = []
    for _ in range(2):
        fragments.remember("probe.off", (), (), lambda: calls.append(1))
    assert len(calls) == 2


def test_a_stale_report_is_rebuilt_once_the_response_is_sent_without_a_thread(app):
    ran = []
    threads = threading.active_count()
    with app.test_request_context("/reports/"):
        report_cache.start_background(lambda: ran.append(threading.current_thread()))
        assert ran == []
        response = app.process_response(app.make_response("figures"))
        assert ran == [] and threading.active_count() == threads
        response.close()
    assert ran == [threading.current_thread()]


def test_memory_is_bounded_in_bytes_and_entries_and_huge_entries_are_not_kept(app, monkeypatch):
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_MAX_ENTRY_KB", 64)
    monkeypatch.setitem(app.config, "CACHE_MEMORY_MB", 1)
    monkeypatch.setitem(app.config, "CACHE_THRESHOLD", 100)
    builds = []

    def body(name: str, size: int):
        return fragments.remember(name, (), (), lambda: builds.append(name) or "x" * size)

    with app.test_request_context("/"):
        store = fragments.cache_for(app).cache
        for _ in range(2):
            body("probe.small", 100)
            body("probe.large", 40 * 1024)
            body("probe.huge", 100 * 1024)
        # The small and the large one are built once each; the huge one every time.
        assert builds == ["probe.small", "probe.large", "probe.huge", "probe.huge"]
        assert store.bytes == sum(sys.getsizeof("x" * size) + sys.getsizeof(key) + ENTRY_OVERHEAD
                                  for size, key in zip((100, 40 * 1024), store._cache, strict=True))
        # 60 entries of 40 KB (2.4 MB): the bytes hold under 1 MB, the least recently used dropped.
        for index in range(60):
            body(f"probe.large.{index}", 40 * 1024)
            assert store.bytes <= 1 << 20
            body("probe.small", 100)  # used again and again: kept
        small, large = sorted(set(store._sizes.values()))
        assert len(store._cache) == 1 + ((1 << 20) - small) // large
        assert builds.count("probe.small") == 1
        # Many small ones: the entries are bounded too.
        for index in range(300):
            body(f"probe.tiny.{index}", 10)
        assert len(store._cache) == 100 and store.bytes <= 1 << 20
        # Every bound held on its own measure: what the store counts is what it holds.
        assert store.bytes == sum(store._sizes.values()) and set(store._sizes) == set(store._cache)
    app.extensions.pop(fragments.EXTENSION, None)


def test_a_remembered_value_is_counted_as_held_with_its_key(app, monkeypatch):
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    value = tuple(str(number) for number in range(1000))
    with app.test_request_context("/"):
        fragments.remember("probe.tuple", (), (), lambda: value)
        store = fragments.cache_for(app).cache
        (key,) = store._cache
        assert store.bytes == sizes.held(value) + sys.getsizeof(key) + ENTRY_OVERHEAD
        assert sizes.held(value) == sys.getsizeof(value) + sum(map(sys.getsizeof, value))
    app.extensions.pop(fragments.EXTENSION, None)


def test_a_worker_entry_is_kept_once_in_the_workers_store_not_also_in_the_in_process_cache(app, monkeypatch):
    from app.cache.worker import EXTENSION as WORKER_EXTENSION
    from app.cache.worker import memo

    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.delitem(app.extensions, WORKER_EXTENSION, raising=False)
    builds = []
    body = b"BEGIN:VCALENDAR" * 1000

    def feed():
        return fragments.remember("probe.feed", ("etag",), ("events",), lambda: builds.append(1) or body,
                                  fingerprinted=True, worker=True)

    with app.test_request_context("/"):
        assert feed() == body and feed() == body and len(builds) == 1
        assert len(memo(app)._cache) == 1 and memo(app).bytes >= len(body)
        assert len(fragments.cache_for(app).cache._cache) == 0  # not counted twice
    # With no worker store (CACHE_WORKER_KB=0) it is the cache's, as any entry.
    app.extensions.pop(WORKER_EXTENSION, None)
    app.extensions.pop(fragments.EXTENSION, None)
    monkeypatch.setitem(app.config, "CACHE_WORKER_KB", 0)
    with app.test_request_context("/"):
        assert feed() == body and feed() == body and len(builds) == 2
        assert len(memo(app)._cache) == 0 and len(fragments.cache_for(app).cache._cache) == 1
    app.extensions.pop(WORKER_EXTENSION, None)
    app.extensions.pop(fragments.EXTENSION, None)
