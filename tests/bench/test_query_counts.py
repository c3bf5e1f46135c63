"""Every benchmark page issues the same number of SQL statements on a small and a 20x larger
dataset (the generator's scales 0.001 and 0.02): a page that starts querying per row fails here."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from app.cache import fragments
from app.timeutil import freeze, now
from bench import generate, run
from tests.bench.test_generate import _wipe
from tests.querycount import QueryCounter

SMALL, LARGE = 0.001, 0.02
WHO = {"member": generate.MEMBER_EMAIL, "organiser": generate.ORGANISER_EMAIL,
       "coordinator": generate.COORDINATOR_EMAIL, "anonymous": None}


def _counts(app, db) -> dict[str, int | str]:
    # One minute on the clock throughout: whole pages are kept per minute (app.cache.pages), and a
    # warm view on the far side of a minute's turn would be built afresh and count more.
    with freeze(now()):
        generate_ctx = run.load_context(app)
        return {spec.key: counts for spec in run.PAGES
                if spec.key != "ceiling" and (counts := _page_counts(app, db, spec, generate_ctx)) is not None}


def _page_counts(app, db, spec, generate_ctx) -> tuple | None:
    path = run.discover(app, spec, generate_ctx)
    if path is None:
        return None  # not built yet
    client = app.test_client()
    if WHO[spec.who]:
        client.post("/login", data={"email": WHO[spec.who], "password": generate.BENCH_PASSWORD})
    if spec.refine is not None:
        path = f"{path}?{urlencode(spec.refine(client.get(path).get_data(as_text=True)))}"
    client.get(path)  # first-request work (time zones, compiled statements)
    # Cold: nothing of this page in the fragment and page caches (what a changed table costs);
    # warm: the same request again.
    fragments.clear(app)
    cold = _count(db, client, path)
    warm = _count(db, client, path)
    return cold, warm


def _count(db, client, path: str) -> int | str:
    with QueryCounter(db.engine) as counter:
        response = client.get(path)
    return counter.count if response.status_code == 200 else f"HTTP {response.status_code}"


def test_pages_issue_the_same_number_of_queries_whatever_the_data_size(app, db):
    generate.fill(db.engine, scale=SMALL, anchor=date.today(), verbose=False)
    small = _counts(app, db)
    _wipe(db)
    generate.fill(db.engine, scale=LARGE, anchor=date.today(), verbose=False)
    large = _counts(app, db)
    assert small, "no benchmark page is built yet"
    assert all(isinstance(n, int) for pair in small.values() for n in pair), small
    assert large == small
    assert all(warm <= cold for cold, warm in small.values()), small
    print("\nqueries (cold, warm):", small)
