"""The one cache's storage: Flask-Caching, in memory per worker unless CACHE_REDIS_URL names a Redis
shared by the workers; NullCache turns it off. Reports rebuild stale figures after the response,
without a thread."""

from __future__ import annotations

import threading

from flask import Flask

from app.cache import fragments
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


def test_memory_is_bounded_in_bytes_large_entries_have_few_places_and_huge_ones_are_not_kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "CACHE_MAX_ENTRY_KB", 64)
    builds = []

    def body(name: str, size: int):
        return fragments.remember(name, (), (), lambda: builds.append(name) or "x" * size)

    with app.test_request_context("/"):
        for _ in range(2):
            body("probe.small", 100)
            body("probe.large", 40 * 1024)
            body("probe.huge", 100 * 1024)
        # The small and the large one are built once each; the huge one every time.
        assert builds == ["probe.small", "probe.large", "probe.huge", "probe.huge"]
        large = app.extensions[fragments.LARGE_EXTENSION]
        assert large is not fragments.cache_for(app)
        assert len(large.cache._cache) == 1 and len(fragments.cache_for(app).cache._cache) == 1
        for index in range(3 * fragments.LARGE_ENTRIES):
            body(f"probe.large.{index}", 20 * 1024)
        assert len(large.cache._cache) <= fragments.LARGE_ENTRIES + 1
