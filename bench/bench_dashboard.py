"""Microbenchmark of the report queries (dashboard and participation report) on the large dataset.

    python -m bench.bench_dashboard --generate --scale 1.0              # SQLite file under /tmp
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.bench_dashboard --generate

It times the report builders directly (no HTTP, no template): every figure is a GROUP BY in the
database, so the time is the database's, and the number of queries is the same at any scale. For
each case it prints the median and 95th percentile in milliseconds and the queries issued; the
exports (XLSX, PDF) of the unfiltered dashboard are timed too. The HTTP page itself is measured by
bench/run.py ("dashboard").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

DEFAULT_URL = "sqlite:///" + os.path.join(tempfile.gettempdir(), "liaison_bench_dashboard.db")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _measure(label: str, build, repeat: int, engine) -> dict:
    statements: list[str] = []

    def record(*_args):
        statements.append("q")

    build()  # warm-up (caches, SQLite page cache)
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        build()
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        timings.append((time.perf_counter() - started) * 1000)
    result = {
        "case": label,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "queries": len(statements),
    }
    print(f"  {label:<46} median {result['median_ms']:>8.1f} ms   p95 {result['p95_ms']:>8.1f} ms"
          f"   {result['queries']:>3} queries", flush=True)
    return result


def run(database_url: str, *, generate: bool, scale: float, repeat: int) -> list[dict]:
    from bench.generate import (
        COORDINATOR_EMAIL,
        ORGANISER_EMAIL,
        _is_disposable,
        build_schema,
        fill,
        make_app,
    )

    app = make_app(database_url)
    from app.accounts.models import User
    from app.directory.models import Project
    from app.events.models import Event, EventKind
    from app.extensions import db
    from app.registrations.models import Registration
    from app.reports import exports
    from app.reports.builders import dashboard_report, participation_report
    from app.reports.scope import ReportFilter
    from app.timeutil import now

    with app.app_context():
        engine = db.engine
        needs_data = generate
        if not needs_data:
            try:
                needs_data = not db.session.scalar(select(func.count()).select_from(Event))
            except Exception:
                db.session.rollback()
                needs_data = True
        if needs_data:
            if not _is_disposable(database_url):
                raise SystemExit(f"refusing to wipe {database_url}: its name has no 'bench' or 'test'")
            print(f"Generating scale {scale} ...", flush=True)
            build_schema(app, engine)
            fill(engine, scale=scale, verbose=False)
        counts = {
            "events": db.session.scalar(select(func.count()).select_from(Event)),
            "registrations": db.session.scalar(select(func.count()).select_from(Registration)),
        }
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
        organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
        project_id = db.session.scalar(select(Project.id).order_by(Project.id).limit(1))
        today = now().date()
        year = ReportFilter(date_from=today - timedelta(days=365), date_to=today)
        print(f"Database {engine.url.render_as_string(hide_password=True)}: {counts['events']} events, "
              f"{counts['registrations']} registrations", flush=True)
        cases = [
            ("dashboard, coordinator, no filter", lambda: dashboard_report(coordinator, ReportFilter())),
            ("dashboard, coordinator, one project", lambda: dashboard_report(coordinator, ReportFilter(project_id=project_id))),
            ("dashboard, coordinator, last 12 months", lambda: dashboard_report(coordinator, year)),
            ("dashboard, coordinator, trainings", lambda: dashboard_report(coordinator, ReportFilter(kind=EventKind.TRAINING))),
            ("dashboard, organiser, no filter", lambda: dashboard_report(organiser, ReportFilter())),
            ("participation, coordinator, no filter", lambda: participation_report(coordinator, ReportFilter())),
            ("participation, coordinator, one project", lambda: participation_report(coordinator, ReportFilter(project_id=project_id))),
        ]
        results = [_measure(label, build, repeat, engine) for label, build in cases]
        report = dashboard_report(coordinator, ReportFilter())
        results.append(_measure("export XLSX (dashboard built once)", lambda: exports.to_xlsx(report), repeat, engine))
        results.append(_measure("export PDF (dashboard built once)", lambda: exports.to_pdf(report), repeat, engine))
        db.session.rollback()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--generate", action="store_true", help="(re)build the dataset first")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    results = run(args.database_url, generate=args.generate, scale=args.scale, repeat=args.repeat)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
