"""EXPLAIN ANALYZE of the slowest statements of benchmark pages, as Markdown (bench/plans.md).

    CACHE_TYPE=NullCache DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench \
        python -m bench.explain event_page lessons_search personal_feed --top 2 > plans.md

Each page is requested in-process (the test client, as bench/profile.py does) `--repeat` times
with every statement and its parameters recorded; each distinct SELECT is then run again under
EXPLAIN (ANALYZE, BUFFERS), and the `--top` that took longest in PostgreSQL are shown. PostgreSQL
only. Turn the caches off (CACHE_TYPE=NullCache, REPORTS_CACHE_SECONDS=0) to see the
cold page's statements.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlencode

from bench import generate, run


def record(app, spec, ctx, repeat: int) -> tuple[str, dict[str, list]]:
    """The page's path and {statement: [(seconds, parameters), ...]}."""
    from sqlalchemy import event

    from app.extensions import db

    email = {"member": generate.MEMBER_EMAIL, "organiser": generate.ORGANISER_EMAIL,
             "coordinator": generate.COORDINATOR_EMAIL}.get(spec.who)
    client = run.test_client_for(app, email)
    path = run.discover(app, spec, ctx)
    if spec.refine is not None:
        path = f"{path}?{urlencode(spec.refine(client.get(path).get_data(as_text=True)))}"
    client.get(path)
    seen: dict[str, list] = {}
    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.setdefault(statement, []).append((time.perf_counter() - started.pop(id(cursor)), parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(repeat):
            client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return path, seen


def explain(app, statement: str, parameters) -> str:
    from app.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
            raw.rollback()
        finally:
            raw.close()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    keys = [spec.key for spec in run.PAGES]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", choices=keys)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or "")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--top", type=int, default=2)
    args = parser.parse_args(argv)
    app = generate.make_app(args.database_url)
    ctx = run.load_context(app)
    for key in args.pages:
        spec = next(s for s in run.PAGES if s.key == key)
        path, seen = record(app, spec, ctx, args.repeat)
        per_request = sum(len(v) for v in seen.values()) / args.repeat
        print(f"### {spec.label}: `GET {path}` ({per_request:g} statements a request)\n")
        plans = []
        for statement, runs in seen.items():
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = explain(app, statement, runs[-1][1])
            executed = next((float(line.split(":")[1].split()[0]) for line in plan.splitlines()
                             if line.startswith("Execution Time")), 0.0)
            plans.append((executed, statistics.median(t for t, _ in runs) * 1000, statement, plan))
        for executed, median_ms, statement, plan in sorted(plans, key=lambda p: -p[0])[: args.top]:
            print(f"Execution {executed:.2f} ms in PostgreSQL (median {median_ms:.2f} ms as the page runs it, "
                  f"with the round trip and the rows' loading):\n\n```sql\n{' '.join(statement.split())[:1500]}\n```\n")
            print(f"```\n{plan}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
