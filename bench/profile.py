"""Profile one benchmark page in-process: its SQL statements (count, time, the slowest ones) and,
when pyinstrument is installed, where the Python time goes.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.profile event_page
    python -m bench.profile personal_feed --repeat 20 --sql 5
    python -m bench.profile event_ics --repeat 200     # the event .ics (as bench.cold_compare asks it)
    python -m bench.profile registration --repeat 50   # distinct users post the real form
    python -m bench.profile registration --events 50   # spread over 50 events, as bench.bench_registrations

Uses the dataset of `make bench-data` and the pages of bench/run.py (keys: see --help).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlencode

from bench import generate, run
from bench.cold_compare import EVENT_ICS


def main(argv: list[str] | None = None) -> int:
    keys = [spec.key for spec in run.PAGES] + [EVENT_ICS.key, run.REGISTER.key]
    parser = argparse.ArgumentParser(description="Profile one benchmark page in-process.")
    parser.add_argument("page", choices=keys)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or generate.DEFAULT_SQLITE_URL)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sql", type=int, default=8, help="how many of the slowest statements to show")
    parser.add_argument("--no-python", action="store_true", help="skip pyinstrument")
    parser.add_argument("--events", type=int, default=0,
                        help="registration: spread the posts over this many events (bench.bench_registrations' "
                             "'many events' run), each with --seats free seats; 0: the target event only")
    parser.add_argument("--seats", type=int, default=20, help="registration with --events: free seats per event")
    parser.add_argument("--per-user", type=int, default=5, help="registration with --events: events per user")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from app.extensions import db

    app = generate.make_app(args.database_url)
    from bench.ceiling import bp as ceiling_bp

    app.register_blueprint(ceiling_bp)
    ctx = run.load_context(app)
    spec = next(s for s in [*run.PAGES, EVENT_ICS, run.REGISTER] if s.key == args.page)
    path = run.discover(app, spec, ctx)
    if path is None:
        print(f"{spec.label}: not available in this build")
        return 1
    if spec.key == run.REGISTER.key:
        send = (_registrations_many(app, ctx, args.repeat, args.events, args.seats, args.per_user) if args.events
                else _registrations(app, ctx, path, args.repeat))
    else:
        email = {"member": generate.MEMBER_EMAIL, "organiser": generate.ORGANISER_EMAIL,
                 "coordinator": generate.COORDINATOR_EMAIL}.get(spec.who)
        client = run.test_client_for(app, email)
        if spec.refine is not None:
            html = client.get(path).get_data(as_text=True)
            path = f"{path}?{urlencode(spec.refine(html))}"
        response = client.get(path)
        print(f"{spec.label}: GET {path} -> {response.status_code}, {len(response.data)} bytes")

        def send(_index: int):
            return client.get(path)

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
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(args.repeat):
        send(index)
    wall, cpu = (time.perf_counter() - wall) / args.repeat, (time.process_time() - cpu) / args.repeat
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)

    per_request = len(statements) / args.repeat
    sql_time = sum(t for t, _ in statements) / args.repeat
    print(f"per request: {wall * 1000:.1f} ms wall, {per_request:.0f} statements, {sql_time * 1000:.1f} ms in SQL "
          f"({sql_time / wall:.0%}), {(wall - sql_time) * 1000:.1f} ms in Python; {cpu * 1000:.1f} ms of this "
          "process's CPU")
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
        for index in range(args.repeat, 2 * args.repeat):
            send(index)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


def _registrations(app, ctx, path: str, repeat: int):
    """A sender of registrations: the real form (with its CSRF token) posted once by each of
    2 × `repeat` distinct bench users, signed in beforehand (not measured), on the emptied target
    event: the first `capacity` confirm, the rest join the waiting list."""
    from bench import loadgen

    run.reset_registration_target(app, ctx)
    event_path = path.rsplit("/", 1)[0]
    prepared = []
    for email in run.registration_pool(app, ctx, 2 * repeat):
        client = run.test_client_for(app, email)
        html = client.get(event_path).get_data(as_text=True)
        form = next((f for f in loadgen.parse_forms(html) if f.method == "post" and f.action.endswith(path)), None)
        if form is None:
            raise SystemExit(f"no registration form on {event_path} for {email}")
        fields = list(form.fields) + list(form.required_boxes) + ([form.submit] if form.submit else [])
        prepared.append((client, dict(fields)))
    print(f"{run.REGISTER.label}: POST {path}, {len(prepared)} distinct users (capacity {ctx.target_capacity}: "
          "the first confirm, the rest are waitlisted); the target event is emptied first")

    def send(index: int):
        client, data = prepared[index]
        return client.post(path, data=data)

    return send


def _registrations_many(app, ctx, repeat: int, events: int, seats: int, per_user: int):
    """As _registrations, over `events` events picked and emptied as bench.bench_registrations does
    (capacity = seats taken + `seats`): 2 × `repeat` posts, `per_user` events per user, shuffled."""
    import random

    from bench import loadgen
    from bench.bench_registrations import pick_events

    users = -(-2 * repeat // per_user)
    emails = run.registration_pool(app, ctx, users)
    event_ids = pick_events(app, events, seats, emails, ctx.target_event_id)
    prepared = []
    for index, email in enumerate(emails):
        client = run.test_client_for(app, email)
        for k in range(min(per_user, len(event_ids))):
            path = f"/events/{event_ids[(index * per_user + k) % len(event_ids)]}/register"
            html = client.get(path.rsplit("/", 1)[0]).get_data(as_text=True)
            form = next((f for f in loadgen.parse_forms(html) if f.method == "post" and f.action.endswith(path)), None)
            if form is None:
                raise SystemExit(f"no registration form for {path} for {email}")
            fields = list(form.fields) + list(form.required_boxes) + ([form.submit] if form.submit else [])
            prepared.append((client, path, dict(fields)))
    random.Random(19).shuffle(prepared)
    print(f"{run.REGISTER.label}: {len(prepared)} posts by {len(emails)} distinct users over {len(event_ids)} "
          f"events ({seats} free seats each: the rest are waitlisted)")

    def send(index: int):
        client, path, data = prepared[index]
        return client.post(path, data=data)

    return send


if __name__ == "__main__":
    sys.exit(main())
