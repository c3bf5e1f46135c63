"""Registration throughput on one event and across many (issue 19), with the database's lock waits.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.bench_registrations
    python -m bench.bench_registrations --events 50 --users 400 --concurrency 16
    python -m bench.bench_registrations --app-root /work/wt/baseline   # serve another checkout

Serves the app with gunicorn (2 workers, as bench/run.py does) on the dataset of `make bench-data`
(PostgreSQL). Picks `--events` upcoming open events, empties them of the pool's users and sets
each one's capacity to its seats taken + `--seats`, so that every event fills and the rest of its
registrations join the waiting list. Each of `--users` distinct signed-in members then posts the
real registration form of every event once, `--concurrency` at a time, in a shuffled order (the
"many events" run); then `--single` more users post to the one target event of the dataset (the
"one event" run). Afterwards every event must hold exactly its capacity of confirmed seats and
each user exactly one registration per event.

While each run goes, a thread samples pg_stat_activity every 5 ms for the application's sessions
waiting on a lock (wait_event_type = 'Lock'), with the statement that waits and the relation of
the lock it waits for: the rows that every writer must update show up here.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import generate, loadgen, run

LOCK_SAMPLE = """
SELECT a.wait_event, coalesce(l.relation::regclass::text, l.locktype), left(regexp_replace(a.query, '\\s+', ' ', 'g'), 90)
FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
"""


class LockSampler(threading.Thread):
    """Counts, every `interval` seconds, the sessions waiting on a lock, by (wait, relation, statement)."""

    def __init__(self, database_url: str, interval: float = 0.005):
        super().__init__(daemon=True)
        import psycopg

        self.connection = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"),
                                          autocommit=True)
        self.interval, self.samples, self.waits = interval, 0, Counter()
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            rows = self.connection.execute(LOCK_SAMPLE).fetchall()
            self.samples += 1
            self.waits.update(tuple(row) for row in rows)
            self._halt.wait(self.interval)

    def stop(self) -> dict:
        self._halt.set()
        self.join(5)
        self.connection.close()
        return {"samples": self.samples, "waiting_sessions_per_sample": round(sum(self.waits.values()) / max(1, self.samples), 3),
                "top": [(count, *key) for key, count in self.waits.most_common(6)]}


def pick_events(app, count: int, seats: int, pool: list[str], target_id: int) -> list[int]:
    """`count` upcoming open events (not the single-event target), emptied of the pool's users,
    each with capacity = seats taken now + `seats` and its registration window opened."""
    from sqlalchemy import delete, select, update

    from app.accounts.models import User
    from app.events.models import Event, EventStatus, RegistrationMode
    from app.extensions import db
    from app.registrations.waitlist import seats_taken
    from app.timeutil import now

    with app.app_context():
        at = now()
        ids = list(db.session.scalars(
            select(Event.id).where(Event.status == EventStatus.PUBLISHED, Event.id != target_id,
                                   Event.registration_mode == RegistrationMode.OPEN,
                                   Event.starts_at > at + timedelta(days=2))
            .order_by(Event.starts_at, Event.id).limit(count)))
        from app.registrations.models import Registration

        pool_ids = select(User.id).where(User.email.in_(pool)).scalar_subquery()
        db.session.execute(delete(Registration).where(Registration.event_id.in_(ids), Registration.user_id.in_(pool_ids)))
        for event_id in ids:
            db.session.execute(update(Event).where(Event.id == event_id).values(
                capacity=seats_taken(event_id) + seats, registration_opens_at=None, registration_closes_at=None))
        db.session.commit()
    return ids


def seats_of(app, event_ids: list[int]) -> dict[int, tuple[int, int | None, int]]:
    """event id -> (confirmed seats, capacity, registrations)."""
    from sqlalchemy import func, select

    from app.events.models import Event
    from app.extensions import db
    from app.registrations.models import Registration
    from app.registrations.waitlist import seats_taken

    with app.app_context():
        totals = dict(db.session.execute(select(Registration.event_id, func.count()).where(
            Registration.event_id.in_(event_ids)).group_by(Registration.event_id)).all())
        return {e: (seats_taken(e), db.session.get(Event, e).capacity, totals.get(e, 0)) for e in event_ids}


def prepare(port: int, emails: list[str], event_ids: list[int], concurrency: int,
            per_user: int = 1) -> list[loadgen.PreparedRequest]:
    """One signed-in user per email; the registration form of `per_user` of the events (in turn, so
    that every event gets as many), parsed from the event's page."""
    def one(index_email: tuple[int, str]) -> list[loadgen.PreparedRequest]:
        index, email = index_email
        client = loadgen.sign_in(port, email, generate.BENCH_PASSWORD)
        out = []
        for k in range(min(per_user, len(event_ids))):
            event_id = event_ids[(index * per_user + k) % len(event_ids)]
            url = f"/events/{event_id}/register"
            _, _, body = client.get(f"/events/{event_id}")
            form = next((f for f in loadgen.parse_forms(body.decode("utf-8", "replace"))
                         if f.method == "post" and urlsplit(f.action).path == url), None)
            if form is None:
                raise RuntimeError(f"no registration form on /events/{event_id} for {email}")
            fields = list(form.fields) + list(form.required_boxes) + ([form.submit] if form.submit else [])
            out.append(loadgen.PreparedRequest("POST", url, cookie=client.cookie_header(), body=urlencode(fields).encode()))
        client.close()
        return out

    with ThreadPoolExecutor(concurrency) as pool:
        return [r for batch in pool.map(one, enumerate(emails)) for r in batch]


def measure(port: int, database_url: str, requests, concurrency: int) -> tuple[loadgen.Result, dict, dict]:
    sampler = LockSampler(database_url)
    sampler.start()
    load = (run.load_average(), None)
    result = loadgen.run_python(port, requests, concurrency=concurrency, max_requests=len(requests),
                                max_seconds=600.0, ok_statuses=(200, 302, 303))
    return result, sampler.stop(), {"before": load[0], "after": run.load_average()}


def check(seats: dict, posted_per_event: Counter) -> tuple[bool, list[str]]:
    problems = []
    for event_id, (confirmed, capacity, _total) in seats.items():
        if capacity is not None and confirmed != capacity:
            problems.append(f"event {event_id}: {confirmed} confirmed for capacity {capacity}")
    return not problems, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or "")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--users", type=int, default=300, help="distinct users for the many-events run")
    parser.add_argument("--per-user", type=int, default=5, help="events each of those users registers to")
    parser.add_argument("--seats", type=int, default=20, help="free seats per event (the rest is waitlisted)")
    parser.add_argument("--single", type=int, default=600, help="users who register to the one target event")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--app-root", default=str(run.ROOT), help="the checkout gunicorn serves")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        print("PostgreSQL only (DATABASE_URL)", file=sys.stderr)
        return 2
    app = generate.make_app(args.database_url)
    ctx = run.load_context(app)
    emails = run.registration_pool(app, ctx, args.users + args.single)
    many_users, single_users = emails[:args.users], emails[args.users:]
    event_ids = pick_events(app, args.events, args.seats, many_users, ctx.target_event_id)
    run.reset_registration_target(app, ctx)
    run.ROOT = Path(args.app_root)  # the Server's cwd and PYTHONPATH
    server = run.Server(args.database_url, run.free_port(), args.workers,
                        run.RESULTS_DIR / f"gunicorn-registrations-{time.strftime('%Y%m%dT%H%M%S')}.log")
    sampler = run.RssSampler(server)
    try:
        server.wait_ready()
        sampler.start()
        print(f"serving {args.app_root} on port {server.port}; preparing {len(emails)} users ...", flush=True)
        many = prepare(server.port, many_users, event_ids, args.concurrency, args.per_user)
        single = prepare(server.port, single_users, [ctx.target_event_id], args.concurrency)
        random.Random(19).shuffle(many)
        report = {}
        for name, requests, ids in (("many events", many, event_ids), ("one event", single, [ctx.target_event_id])):
            result, waits, load = measure(server.port, args.database_url, requests, args.concurrency)
            ok, problems = check(seats_of(app, ids), Counter())
            report[name] = (result, waits, load, ok, problems)
            print(f"{name}: {len(ids)} event(s), {result.requests} registrations in {result.seconds} s = "
                  f"{result.rps}/s at c={args.concurrency}; p50/p95/p99 {result.p50_ms}/{result.p95_ms}/{result.p99_ms} ms; "
                  f"errors {result.errors} {result.statuses}; capacity exact: {ok} {problems[:3]}; "
                  f"load {load['before']} -> {load['after']}", flush=True)
            print(f"  lock waits: {waits['samples']} samples, {waits['waiting_sessions_per_sample']} waiting "
                  f"sessions per sample; top: {waits['top']}", flush=True)
        sampler.stop()
        print(f"worker RSS max {sampler.max_mb()} MB")
    finally:
        server.stop()
    return 0 if all(r[3] and not r[0].errors for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
