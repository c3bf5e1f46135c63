"""The longest write transaction of the reminders job, measured in the job's process (issue 18).

    python -m bench.bench_write_holds [--people 7000] [--batch-sizes 200,70000]
    python -m bench.bench_write_holds --job-only      # as `flask scheduler run-once reminders`, measured

Default: builds a fresh file SQLite database (WAL) with an event of `--people` confirmed participants
whose 1-day reminder is due (bench.bench_reminders_contention.build_database), then for each batch size
runs the reminders job in this process under a fencing token, as the scheduler runs it
(app.scheduler.runner.execute), on a fresh database each time, with nothing else running. Listeners
on the job's engine (SQLAlchemy connection events, no change to the application) time every write
transaction: from the moment it holds SQLite's write lock (after its `BEGIN IMMEDIATE` returns, or
after its first INSERT / UPDATE / DELETE in a deferred transaction) to its COMMIT or ROLLBACK. That is
how long every other writer (a registration, the scheduler's heartbeat) may have to wait for it.

`--job-only` runs the job once on DATABASE_URL with SCHEDULER_BATCH_SIZE from the environment and
prints one line (the job's result and the holds); bench_reminders_contention.py runs it instead of
`flask scheduler run-once reminders`, so the holds are also measured while registrations compete.
Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class WriteHolds:
    """Every write transaction's hold (seconds) and statement count on one engine."""

    holds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    def install(self, engine) -> None:
        event.listen(engine, "after_cursor_execute", self._after_execute)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _after_execute(self, connection, cursor, statement, parameters, context, executemany) -> None:
        info = connection.info
        head = statement.lstrip()[:16].upper()
        if info.get("write_since") is None:
            if head.startswith("BEGIN IMMEDIATE") or head.startswith(WRITES):
                info["write_since"] = time.perf_counter()
                info["write_statements"] = 0
        if info.get("write_since") is not None and not head.startswith("BEGIN"):
            info["write_statements"] += 1

    def _end(self, connection) -> None:
        since = connection.info.pop("write_since", None)
        count = connection.info.pop("write_statements", 0)
        if since is not None:
            self.holds.append(time.perf_counter() - since)
            self.statements.append(count)

    def summary(self) -> dict:
        if not self.holds:
            return {"write_transactions": 0}
        longest = max(range(len(self.holds)), key=self.holds.__getitem__)
        return {
            "write_transactions": len(self.holds),
            "longest_hold_s": round(self.holds[longest], 3),
            "longest_hold_statements": self.statements[longest],
            "median_hold_s": round(statistics.median(self.holds), 4),
            "total_hold_s": round(sum(self.holds), 2),
        }


def run_job(database_url: str, batch_size: int) -> dict:
    """The reminders job once, in this process, fenced like a scheduler's run; its holds."""
    from app import create_app
    from app.extensions import db
    from app.scheduler import lease
    from app.scheduler.runner import execute

    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ.setdefault("BASE_URL", "http://127.0.0.1:5000")  # production refuses to start without it
    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": database_url, "SCHEDULER_BATCH_SIZE": batch_size,
                                "SCHEDULER_LEASE_SECONDS": 3600})
    holder = "bench_write_holds"
    with app.app_context():
        recorder = WriteHolds()
        recorder.install(db.engine)
        assert lease.acquire(holder)
        token = lease.token(holder)
        recorder.holds.clear()
        recorder.statements.clear()
        started = time.perf_counter()
        result = execute("reminders", holder=holder, token=token)
        seconds = time.perf_counter() - started
        db.session.remove()
    return {"batch_size": batch_size, "job_seconds": round(seconds, 1), "result": str(result), **recorder.summary()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=7000)
    parser.add_argument("--batch-sizes", default="200,70000",
                        help="comma-separated SCHEDULER_BATCH_SIZE values; one larger than --people = one "
                             "transaction for the whole event (default 200,70000)")
    parser.add_argument("--job-only", action="store_true",
                        help="run the job once on DATABASE_URL with SCHEDULER_BATCH_SIZE (used by "
                             "bench_reminders_contention)")
    args = parser.parse_args()
    if args.job_only:
        figures = run_job(os.environ["DATABASE_URL"], int(os.environ.get("SCHEDULER_BATCH_SIZE", 200)))
        print(f"reminders: {figures}", flush=True)
        return 0

    from bench.bench_reminders_contention import build_database

    os.environ.setdefault("LIAISON_ENV", "production")
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    workdir = Path(tempfile.mkdtemp(prefix="liaison-holds-"))
    for size in [int(s) for s in args.batch_sizes.split(",") if s.strip()]:
        path = workdir / f"bench_{size}.db"
        build_database(path, args.people, 0)
        print(run_job(f"sqlite:///{path}", size), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
