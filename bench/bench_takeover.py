"""Time for a standby scheduler to take over from a paused or killed leader (issue 18).

    python -m bench.bench_takeover [--database-url URL] [--lease 10] [--heartbeat 0] [--repeat 3]
                                   [--modes stop,kill]

Builds the schema in a fresh file SQLite database (WAL) in a temporary directory, or in `--database-url`
(its name must contain "bench" or "test": the schema is dropped and rebuilt), then for each mode and
repetition starts two real `flask scheduler run` processes (SCHEDULER_LEASE_SECONDS=`--lease`, the
default heartbeat of a third of it unless `--heartbeat`, MAIL_BACKEND=file into the temporary
directory), waits until one holds the lease (the scheduler_leases row) and the other is up, and then:

- `stop`: SIGSTOPs the leader and measures the time until the other process holds the lease with a
  higher generation. Then SIGCONTs the paused one, waits two heartbeats and checks that it did not act
  as leader any more: the lease row still names the new holder with the same generation, and no
  job_runs row was written by the old holder after it resumed (its log says it went to standby).
- `kill`: SIGKILLs the leader (no clean release) and measures the takeover.
- `term`: SIGTERM, a clean shutdown that releases the lease (for comparison: a standby takes over at
  its next heartbeat).

Prints each takeover and min / median / max per mode. Expected: a leader stopped just after a renewal
is taken over at most lease + heartbeat later (its lease expires `lease` seconds after its last
renewal, the standby sees it at its next beat), and at least lease - heartbeat. Exits 1 if a resumed
leader wrote anything. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(url: str | None, workdir: Path):
    """The app bound to the database, with a fresh schema."""
    from app.extensions import db
    from bench.generate import _is_disposable, build_schema, make_app

    url = url or f"sqlite:///{workdir / 'bench_takeover.db'}"
    if not _is_disposable(url):
        raise SystemExit(f"refusing to wipe {url}: its name has no 'bench' or 'test'")
    app = make_app(url)
    with app.app_context():
        build_schema(app, db.engine, "create_all")
    return app, url


def lease_row(app) -> tuple[str | None, int]:
    from app.extensions import db
    from app.scheduler.models import SchedulerLease

    with app.app_context():
        try:
            row = db.session.get(SchedulerLease, "scheduler", populate_existing=True)
            return (row.holder, row.generation or 0) if row is not None else (None, 0)
        finally:
            db.session.remove()


def job_runs(app) -> list[tuple[str, str | None, datetime | None, datetime | None]]:
    from app.extensions import db
    from app.scheduler.models import JobRun

    with app.app_context():
        try:
            return [(r.job_id, r.holder, r.last_started_at, r.last_finished_at)
                    for r in db.session.query(JobRun).populate_existing()]
        finally:
            db.session.remove()


def reset(app) -> None:
    from app.extensions import db
    from app.scheduler.models import JobRun, SchedulerLease

    with app.app_context():
        db.session.query(SchedulerLease).delete()
        db.session.query(JobRun).delete()
        db.session.commit()
        db.session.remove()


class Scheduler:
    """One `flask scheduler run` process with its log file."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self._file = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], cwd=ROOT, env=env,
                                        stdout=self._file, stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def owns(self, holder: str | None) -> bool:
        return bool(holder) and f":pid {self.pid}:" in holder

    def started(self) -> bool:
        return "starting (lease" in self.log.read_text(errors="replace")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.kill(self.pid, signal.SIGCONT)
                self.process.terminate()
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._file.close()


def wait_for(predicate, timeout: float, what: str, poll: float = 0.02):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise RuntimeError(f"timed out waiting for {what}")


def one_round(app, env: dict, workdir: Path, mode: str, index: int, heartbeat: float) -> dict:
    reset(app)
    a = Scheduler(env, workdir / f"{mode}-{index}-a.log")
    wait_for(lambda: a.owns(lease_row(app)[0]), 60, "the first scheduler to take the lease")
    b = Scheduler(env, workdir / f"{mode}-{index}-b.log")
    try:
        wait_for(b.started, 60, "the second scheduler to start")
        # Let the standby's first heartbeat and the leader's catch-up run of every job pass, and
        # stop at a random point of the leader's heartbeat cycle.
        time.sleep(2 + (index * 0.37 % 1) * heartbeat)
        leader, standby = a, b
        holder, generation = lease_row(app)
        assert leader.owns(holder), holder
        signalled = time.perf_counter()
        os.kill(leader.pid, {"stop": signal.SIGSTOP, "kill": signal.SIGKILL, "term": signal.SIGTERM}[mode])
        new_holder, new_generation = wait_for(
            lambda: (row := lease_row(app)) and standby.owns(row[0]) and row[1] > generation and row,
            300, "the standby to take over")
        took = time.perf_counter() - signalled
        figures = {"mode": mode, "takeover_s": round(took, 2), "generation": f"{generation} -> {new_generation}"}
        if mode == "stop":
            figures.update(resume(app, leader, holder, new_holder, new_generation, heartbeat))
        return figures
    finally:
        b.stop()
        a.stop()


def resume(app, paused: Scheduler, old_holder: str, new_holder: str, new_generation: int,
           heartbeat: float) -> dict:
    """SIGCONT the paused leader; after two heartbeats, check it wrote nothing and went to standby."""
    before = len(paused.text())
    resumed_at = datetime.now(UTC)
    os.kill(paused.pid, signal.SIGCONT)
    time.sleep(2 * heartbeat + 2)
    holder, generation = lease_row(app)
    runs = job_runs(app)
    stale = [r for r in runs if r[1] == old_holder and any(t and t >= resumed_at for t in r[2:])]
    by_new = [r for r in runs if r[1] == new_holder]
    log_after = paused.text()[before:]
    return {
        "after_resume_lease": "new holder kept" if (holder, generation) == (new_holder, new_generation)
        else f"CHANGED to {holder} gen {generation}",
        "job_runs_by_old_holder_after_resume": len(stale),
        "job_runs_by_new_holder": len(by_new),
        "old_log_says_standby": "is now standby" in log_after,
        "old_log_lost_lease": log_after.count("lost its lease"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh file SQLite database in a temporary directory")
    parser.add_argument("--lease", type=int, default=10, help="SCHEDULER_LEASE_SECONDS (default 10)")
    parser.add_argument("--heartbeat", type=int, default=0,
                        help="SCHEDULER_HEARTBEAT_SECONDS (default 0: a third of the lease)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="stop,kill", help="comma-separated: stop, kill, term")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - {"stop", "kill", "term"}:
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    workdir = Path(tempfile.mkdtemp(prefix="liaison-takeover-"))
    app, url = prepare_database(args.database_url, workdir)
    heartbeat = float(args.heartbeat or max(1, args.lease / 3))
    env = dict(os.environ, FLASK_APP="wsgi", DATABASE_URL=url, LIAISON_ENV="production",
               SECRET_KEY=secrets.token_hex(32), BASE_URL="http://127.0.0.1:5000",
               SCHEDULER_LEASE_SECONDS=str(args.lease),
               SCHEDULER_HEARTBEAT_SECONDS=str(args.heartbeat), MAIL_BACKEND="file",
               MAIL_FILE_DIR=str(workdir / "mail"), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    print(f"database {url.split('@')[-1]}, lease {args.lease} s, heartbeat {heartbeat:g} s, logs in {workdir}",
          flush=True)
    results: dict[str, list[float]] = {mode: [] for mode in modes}
    failed = False
    for index in range(args.repeat):
        for mode in modes:
            figures = one_round(app, env, workdir, mode, index, heartbeat)
            print(figures, flush=True)
            results[mode].append(figures["takeover_s"])
            if mode == "stop" and (figures["job_runs_by_old_holder_after_resume"]
                                   or figures["after_resume_lease"] != "new holder kept"):
                failed = True
    print(f"expected: lease - heartbeat = {args.lease - heartbeat:.1f} s <= takeover <= lease + heartbeat = "
          f"{args.lease + heartbeat:.1f} s (clean stop: <= heartbeat)")
    for mode, values in results.items():
        print(f"{mode:>5}: n={len(values)} min {min(values):.2f} s, median {statistics.median(values):.2f} s, "
              f"max {max(values):.2f} s")
    if failed:
        print("FAILED: a resumed leader wrote after the takeover", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
