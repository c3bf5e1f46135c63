"""Microbenchmark of the personal calendar feed: build time and SQL queries for 10 and 500 entries.

    python -m bench.bench_feed                                     # SQLite file under /tmp
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.bench_feed

It makes two users in a scratch database, one with 5 confirmed events each with a signed-up session
(10 entries) and one with 250 (500 entries), in six time zones, and measures for each:
  - "build": reading the feed (app.calendar.feeds.personal_feed) and serialising it as the feed's
    response does (ics.write_calendar of its entries written, else ics.build_calendar);
  - "GET 200 cold": the HTTP request /calendar/feed/<token>.ics through the WSGI app (no network),
    with the rendered-feed cache emptied first (the first fetch after a change);
  - "GET 200 cached": the same request again (the feed did not change: one aggregate query);
  - "GET 304": the same request with If-None-Match, which answers before reading or building.
It prints the median and 95th percentile in milliseconds, the queries issued and the body size. The
query count must be the same for 10 and 500 entries (the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event

DEFAULT_URL = "sqlite:///" + os.path.join(tempfile.gettempdir(), "liaison_bench_feed.db")
ZONES = ["Europe/Brussels", "Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Skopje", "Europe/Belgrade"]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _measure(label: str, run, repeat: int, engine) -> dict:
    statements: list[str] = []

    def record(*_args):
        statements.append("q")

    run()  # warm-up
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        size = run()
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    result = {
        "case": label,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        # CPU time of this process: steadier than wall time on a busy machine (excludes the server's).
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(statements),
        "bytes": size,
    }
    print(f"  {label:<28} median {result['median_ms']:>8.2f} ms   p95 {result['p95_ms']:>8.2f} ms"
          f"   cpu {result['cpu_median_ms']:>8.2f} ms   {result['queries']:>2} queries   {size:>8} bytes",
          flush=True)
    return result


def _fill(db, user, count: int, organiser_id: int, start: datetime) -> None:
    from app.events.models import Event, Session
    from app.registrations.models import Registration, SessionSignup

    for n in range(count):
        begins = start + timedelta(days=n % 360, hours=n % 9)
        event = Event(title=f"Workshop {n}: cybercrime, Київ; თბილისი", kind="workshop", status="published",
                      starts_at=begins, ends_at=begins + timedelta(hours=7), timezone=ZONES[n % len(ZONES)],
                      venue="Conference centre", city="Kyiv", country="UA", description="Agenda\n" * 20,
                      online_url="https://meet.example.org/room", created_by_id=organiser_id)
        db.session.add(event)
        db.session.flush()
        session = Session(event_id=event.id, title=f"Hands-on lab {n}", starts_at=begins,
                          ends_at=begins + timedelta(hours=2), room="Room B")
        db.session.add(session)
        db.session.add(Registration(event_id=event.id, user_id=user.id, status="confirmed"))
        db.session.flush()
        db.session.add(SessionSignup(session_id=session.id, user_id=user.id, status="confirmed"))
    db.session.commit()


def run(database_url: str, *, repeat: int) -> list[dict]:
    from app import create_app
    from config import TestingConfig, normalise_database_url

    url = normalise_database_url(database_url)
    if not any(word in url for word in ("bench", "test", "/tmp/")):
        raise SystemExit(f"refusing to wipe {database_url}: its name has no 'bench' or 'test'")
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    from app.accounts.models import User
    from app.cache import fragments
    from app.calendar import feeds
    from app.calendar.ics import build_calendar, write_calendar
    from app.extensions import db
    from app.timeutil import now

    results = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser = User(email="organiser@bench.test", name="Organiser", role="organiser")
        small = User(email="small@bench.test", name="Ten Entries")
        large = User(email="large@bench.test", name="Five Hundred Entries")
        db.session.add_all([organiser, small, large])
        db.session.commit()
        start = (now() + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0).astimezone(UTC)
        _fill(db, small, 5, organiser.id, start)
        _fill(db, large, 250, organiser.id, start)
        client = app.test_client()
        engine = db.engine
        print(f"Database {engine.url.render_as_string(hide_password=True)}", flush=True)
        for user, entries in ((small, 10), (large, 500)):
            token = user.calendar_token
            user_id = user.id

            def build(user_id=user_id):
                db.session.expire_all()
                person = db.session.get(User, user_id)
                feed = feeds.personal_feed(person)
                if feed.vevents is not None:
                    return len(write_calendar(feed.vevents, method="PUBLISH", dtstamp=now()))
                return len(build_calendar(feed.entries, method="PUBLISH", dtstamp=now()))

            def get(token=token):
                fragments.clear(app)
                response = client.get(f"/calendar/feed/{token}.ics")
                assert response.status_code == 200
                return len(response.data)

            def get_cached(token=token):
                response = client.get(f"/calendar/feed/{token}.ics")
                assert response.status_code == 200
                return len(response.data)

            etag = client.get(f"/calendar/feed/{token}.ics").headers["ETag"]

            def get_304(token=token, etag=etag):
                response = client.get(f"/calendar/feed/{token}.ics", headers={"If-None-Match": etag})
                assert response.status_code == 304
                return 0

            cases = (("build", build), ("GET 200 cold", get), ("GET 200 cached", get_cached), ("GET 304", get_304))
            for label, case in cases:
                result = _measure(f"{entries} entries, {label}", case, repeat, engine)
                result["entries"] = entries
                results.append(result)
        db.session.remove()
        db.drop_all()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    results = run(args.database_url, repeat=args.repeat)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    by_case: dict[str, set[int]] = {}
    for result in results:
        by_case.setdefault(result["case"].split(", ", 1)[1], set()).add(result["queries"])
    if any(len(counts) > 1 for counts in by_case.values()):
        print("FAIL: the query count grows with the feed's size", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
