"""Registrations while the reminders job runs for a big event, on SQLite (issue 18).

    python -m bench.bench_reminders_contention [--people 7000] [--registrations 50] [--workers 4]
                                               [--batch-size 200] [--compare-one-transaction]

Builds a fresh file SQLite database (WAL) in a temporary directory: an event starting in 20 hours
with `--people` confirmed participants (its 1-day reminder is due) and an open event for the
registrations. Serves the app with gunicorn (`--workers`), signs `--registrations` distinct users in
(not timed), starts the reminders job as its own process (`python -m bench.bench_write_holds --job-only`:
what `flask scheduler run-once reminders` runs, fenced, with its write transactions timed), and as soon
as its first batch committed (or, with one transaction, once that transaction holds the write lock)
fires all registrations at once (one thread each). Prints the
registrations' p50 / p95 / max latency and status codes, how long the job took and its longest write
transaction (the hold of SQLite's write lock). `--compare-one-transaction` runs the
same again with SCHEDULER_BATCH_SIZE larger than the event: the old behaviour, one write transaction
for the whole event. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import loadgen
from bench.run import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"


def build_database(path: Path, people: int, registrants: int) -> tuple[int, list[str]]:
    """The schema, the big event with its participants and the open event; returns the open event's
    id and the registrants' emails."""
    from sqlalchemy import insert

    from app import create_app
    from app.accounts.models import Role, User
    from app.accounts.passwords import hash_password
    from app.events.models import Event, EventKind, EventStatus
    from app.extensions import db
    from app.registrations.models import ParticipantRole, Registration, RegistrationStatus

    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        assert str(db.engine.url) == f"sqlite:///{path}", db.engine.url
        db.create_all()
        start = datetime.now(UTC).replace(microsecond=0)
        password = hash_password(PASSWORD)
        db.session.execute(insert(User), [
            {"email": f"person{i}@example.org", "name": f"Person {i}", "password_hash": password,
             "role": Role.MEMBER, "timezone": "Europe/Brussels", "email_confirmed_at": start - timedelta(days=60)}
            for i in range(people + registrants)
        ])
        big = Event(title="Annual conference", kind=EventKind("workshop"), status=EventStatus.PUBLISHED,
                    starts_at=start + timedelta(hours=20), ends_at=start + timedelta(days=2),
                    timezone="Europe/Brussels", reminder_days="1")
        target = Event(title="Open workshop", kind=EventKind("workshop"), status=EventStatus.PUBLISHED,
                       starts_at=start + timedelta(days=30), ends_at=start + timedelta(days=31),
                       timezone="Europe/Brussels")
        db.session.add_all([big, target])
        db.session.flush()
        ids = [uid for (uid,) in db.session.query(User.id).order_by(User.id)]
        db.session.execute(insert(Registration), [
            {"event_id": big.id, "user_id": uid, "status": RegistrationStatus.CONFIRMED,
             "role": ParticipantRole.PARTICIPANT, "registered_at": start - timedelta(days=30),
             "confirmed_at": start - timedelta(days=30)}
            for uid in ids[:people]
        ])
        db.session.commit()
        return target.id, [f"person{i}@example.org" for i in range(people, people + registrants)]


def prepare_registration(port: int, email: str, event_id: int) -> loadgen.PreparedRequest:
    """Sign in and read the registration form (not timed)."""
    client = loadgen.sign_in(port, email, PASSWORD)
    path = f"/events/{event_id}/register"
    status, _, body = client.get(f"/events/{event_id}")
    forms = [f for f in loadgen.parse_forms(body.decode("utf-8", "replace"))
             if f.method == "post" and urlsplit(f.action).path == path]
    if status != 200 or not forms:
        raise RuntimeError(f"no registration form for {email} (status {status})")
    form = forms[0]
    fields = list(form.fields) + list(form.required_boxes) + ([form.submit] if form.submit else [])
    cookie = client.cookie_header()
    client.close()
    return loadgen.PreparedRequest("POST", path, cookie=cookie, body=urlencode(fields).encode())


def outbox_count(path: Path) -> int:
    with sqlite3.connect(path, timeout=30) as connection:
        return connection.execute("SELECT count(*) FROM outbox_messages WHERE kind = 'reminder'").fetchone()[0]


def write_locked(path: Path) -> bool:
    """Does another connection hold SQLite's write lock right now? (Takes it for an instant if not.)"""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def run_once(args, batch_size: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="liaison-contention-"))
    path = workdir / "bench.db"
    target_id, emails = build_database(path, args.people, args.registrations)
    server = Server(f"sqlite:///{path}", free_port(), args.workers, workdir / "gunicorn.log")
    try:
        server.wait_ready()
        prepared = [prepare_registration(server.port, email, target_id) for email in emails]
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{path}", LIAISON_ENV="production",
                   SECRET_KEY=secrets.token_hex(32), BASE_URL=f"http://127.0.0.1:{server.port}",
                   SCHEDULER_BATCH_SIZE=str(batch_size),
                   FLASK_APP="wsgi", PYTHONPATH=str(ROOT))
        started = time.perf_counter()
        # The job as `flask scheduler run-once reminders` runs it, with its write transactions timed
        # in its process (bench/bench_write_holds.py).
        job = subprocess.Popen([sys.executable, "-m", "bench.bench_write_holds", "--job-only"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # Fire once the job is writing: its first batch committed, or (one transaction) once its
        # transaction holds the write lock (seen on two polls in a row, not a job_runs write).
        deadline = time.perf_counter() + 60
        if batch_size < args.people:
            while time.perf_counter() < deadline and outbox_count(path) == 0 and job.poll() is None:
                time.sleep(0.05)
        else:
            seen = 0
            while time.perf_counter() < deadline and seen < 2 and job.poll() is None:
                seen = seen + 1 if write_locked(path) else 0
                time.sleep(0.1)
        result = {}
        worker = threading.Thread(target=lambda: result.update(loadgen.run_python(
            server.port, prepared, concurrency=len(prepared), max_requests=len(prepared), max_seconds=120,
            ok_statuses=(302, 303)).as_dict()))
        worker.start()
        worker.join()
        output, _ = job.communicate(timeout=600)
        job_seconds = time.perf_counter() - started
        return {"batch_size": batch_size, "registrations": result, "job_seconds": round(job_seconds, 1),
                "job_output": output.strip().splitlines()[-1:] if output else [],
                "reminders_queued": outbox_count(path)}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=7000)
    parser.add_argument("--registrations", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--compare-one-transaction", action="store_true")
    args = parser.parse_args()
    runs = [args.batch_size] + ([args.people * 10] if args.compare_one_transaction else [])
    for batch_size in runs:
        figures = run_once(args, batch_size)
        print(figures, flush=True)


if __name__ == "__main__":
    main()
