"""Profile one benchmark page in-process: its SQL statements (count, time, the slowest ones) and,
when pyinstrument is installed, where the Python time goes.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.profile event_page
    python -m bench.profile personal_feed --repeat 20 --sql 5

Uses the dataset of `make bench-data` and the pages of bench/run.py (keys: see --help).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlencode

from bench import generate, run


def main(argv: list[str] | None = None) -> int:
    keys = [spec.key for spec in run.PAGES] + [run.REGISTER.key]
    parser = argparse.ArgumentParser(description="Profile one benchmark page in-process.")
    parser.add_argument("page", choices=keys)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or generate.DEFAULT_SQLITE_URL)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sql", type=int, default=8, help="how many of the slowest statements to show")
    parser.add_argument("--no-python", action="store_true", help="skip pyinstrument")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from app.extensions import db

    app = generate.make_app(args.database_url)
    from bench.ceiling import bp as ceiling_bp

    app.register_blueprint(ceiling_bp)
    ctx = run.load_context(app)
    spec = next(s for s in [*run.PAGES, run.REGISTER] if s.key == args.page)
    path = run.discover(app, spec, ctx)
    if path is None:
        print(f"{spec.label}: not available in this build")
        return 1
    email = {"member": generate.MEMBER_EMAIL, "organiser": generate.ORGANISER_EMAIL,
             "coordinator": generate.COORDINATOR_EMAIL}.get(spec.who)
    client = run.test_client_for(app, email)
    if spec.refine is not None:
        html = client.get(path).get_data(as_text=True)
        path = f"{path}?{urlencode(spec.refine(html))}"
    response = client.get(path)
    print(f"{spec.label}: GET {path} -> {response.status_code}, {len(response.data)} bytes")

    statements: list[tuple[float, str]] = []
    started_at: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started_at[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - started_at.pop(id(cursor), time.perf_counter()), statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    wall = time.perf_counter()
    for _ in range(args.repeat):
        client.get(path)
    wall = (time.perf_counter() - wall) / args.repeat
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)

    per_request = len(statements) / args.repeat
    sql_time = sum(t for t, _ in statements) / args.repeat
    print(f"per request: {wall * 1000:.1f} ms wall, {per_request:.0f} statements, {sql_time * 1000:.1f} ms in SQL "
          f"({sql_time / wall:.0%}), {(wall - sql_time) * 1000:.1f} ms in Python")
    slowest: dict[str, list[float]] = {}
    for seconds, statement in statements:
        slowest.setdefault(statement, []).append(seconds)
    ranked = sorted(slowest.items(), key=lambda item: -sum(item[1]))[: args.sql]
    for statement, times in ranked:
        one_line = " ".join(statement.split())
        print(f"\n  {sum(times) / args.repeat * 1000:7.2f} ms/request  x{len(times) / args.repeat:g}  "
              f"{one_line[:400]}")

    if not args.no_python:
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("\n(pip install pyinstrument for the Python profile)")
            return 0
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.repeat):
            client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
