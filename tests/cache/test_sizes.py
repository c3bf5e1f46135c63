"""A worker's cache is bounded by what its entries hold in memory (app.cache.sizes), not by their
pickled length: an event page's main column (texts and its agenda's rows) pickles to well under half
of what Python holds for it, so a cache counting pickles held more than twice CACHE_MEMORY_MB."""

from __future__ import annotations

import gc
import pickle
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from app.cache import fragments, sizes
from app.cache.backends import ENTRY_OVERHEAD, InProcessCache
from app.events.page_main import AgendaItem
from app.events.page_times import SharedMain


def _traced(make):
    """(what make() returns, the bytes it allocated and still holds)."""
    gc.collect()
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        value = make()
        gc.collect()
        return value, tracemalloc.get_traced_memory()[0] - before
    finally:
        if started:
            tracemalloc.stop()


def _column(seed: int) -> SharedMain:
    start = datetime(2031, 5, 4, 9, tzinfo=UTC) + timedelta(days=seed)
    fields = {name: None for name in AgendaItem._fields}
    agenda = tuple(AgendaItem(**{**fields, "id": seed * 100 + i, "title": f"Session {seed}.{i} on joint patrols",
                                 "starts_at": start + timedelta(hours=i), "ends_at": start + timedelta(hours=i + 1)})
                   for i in range(10))
    pieces = tuple(Markup(f'<div class="session" id="s{seed}-{i}">{"Radio interoperability " * 30}</div>').encode()
                   for i in range(len(agenda) + 3))
    return SharedMain(pieces, agenda)


def test_text_is_counted_as_python_holds_it_and_containers_with_their_items():
    ukrainian = "Спільне патрулювання" * 50
    assert sizes.held(ukrainian) == sys.getsizeof(ukrainian)
    assert sizes.held(Markup("<p>x</p>")) == sys.getsizeof(Markup("<p>x</p>"))
    pair = ("a" * 100, b"b" * 100)
    assert sizes.held(pair) == sys.getsizeof(pair) + sys.getsizeof(pair[0]) + sys.getsizeof(pair[1])
    shared = "c" * 1000
    assert sizes.held([shared, shared]) == sys.getsizeof([shared, shared]) + sys.getsizeof(shared)  # once
    assert sizes.held({"k": [1.5]}) > sys.getsizeof({"k": [1.5]}) + sys.getsizeof([1.5])


def test_an_event_pages_column_is_counted_as_tracemalloc_measures_it_not_as_pickled():
    columns, used = _traced(lambda: [_column(seed) for seed in range(50)])
    counted = sum(sizes.held(column) for column in columns)
    assert used * 0.95 <= counted <= used * 1.25
    # What the old accounting counted (the pickled length) is far under what the agenda holds.
    agendas, agenda_used = _traced(lambda: [_column(seed).agenda for seed in range(50)])
    pickled = sum(len(pickle.dumps(agenda, protocol=pickle.HIGHEST_PROTOCOL)) for agenda in agendas)
    assert pickled < agenda_used * 0.6


def test_the_store_counts_each_entrys_key_and_bookkeeping():
    store = InProcessCache(threshold=10, max_bytes=1 << 20)
    store.set("liaison:probe:1", ("x" * 10,), size=100)
    assert store.bytes == 100 + sys.getsizeof("liaison:probe:1") + ENTRY_OVERHEAD
    many = InProcessCache(threshold=100_000, max_bytes=1 << 40)
    keys = [f"liaison:probe.key:{index:040d}" for index in range(5000)]
    _, used = _traced(lambda: [many.set(key, ("v",), size=0) for key in keys])
    # The keys were made before: what the store holds besides them is within its overhead.
    assert used <= 5000 * ENTRY_OVERHEAD
    assert many.bytes == sum(sys.getsizeof(key) + ENTRY_OVERHEAD for key in keys)


def test_a_cache_of_event_page_columns_holds_no_more_than_cache_memory_mb(app, monkeypatch):
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_MEMORY_MB", 0.25)
    monkeypatch.setitem(app.config, "CACHE_THRESHOLD", 100_000)
    bound = int(0.25 * (1 << 20))
    with app.test_request_context("/"):
        store = fragments.cache_for(app).cache
        assert store.max_bytes == bound

        def fill_then_clear():
            for seed in range(200):  # ~10 kB each as held: 2 MB asked of a 0.25 MB cache
                fragments.remember("probe.detail_main", (seed,), (), lambda seed=seed: _column(seed))
            assert store.bytes <= bound and len(store._cache) >= 10
            gc.collect()
            held = tracemalloc.get_traced_memory()[0]
            store.clear()
            gc.collect()
            return held - tracemalloc.get_traced_memory()[0]

        # What clearing the cache frees is what it held: within the bound it counted (the old
        # accounting, by pickled length, let it hold about twice the bound).
        freed, _ = _traced(fill_then_clear)
        assert bound // 2 <= freed <= bound
    app.extensions.pop(fragments.EXTENSION, None)
