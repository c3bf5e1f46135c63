"""The lease, job runs, the APScheduler set-up, the CLI, and two schedulers on one database."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from app.scheduler import lease
from app.scheduler import runner as scheduler_runner
from app.scheduler.jobs import JOBS
from app.scheduler.models import JobRun, SchedulerLease
from app.scheduler.runner import SchedulerProcess, execute
from app.timeutil import now, set_now
from tests.factories import registration as register
from tests.waiting import wait_until

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# --- the lease -------------------------------------------------------------------------------------


def test_only_one_process_holds_the_lease_and_a_standby_takes_over_after_expiry(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 60)
    set_now(T0)
    assert lease.acquire("alpha") is True
    assert lease.acquire("beta") is False
    assert lease.holds("alpha") and not lease.holds("beta")

    # alpha renews on its heartbeat: beta still cannot take it.
    set_now(T0 + timedelta(seconds=50))
    assert lease.acquire("alpha") is True
    set_now(T0 + timedelta(seconds=100))
    assert lease.acquire("beta") is False
    row = db.session.get(SchedulerLease, "scheduler", populate_existing=True)
    assert (row.holder, row.acquired_at, row.heartbeat_at) == ("alpha", T0, T0 + timedelta(seconds=50))

    # alpha stops renewing: once the lease expired, beta takes over and alpha is out.
    set_now(T0 + timedelta(seconds=111))
    assert lease.acquire("beta") is True
    assert lease.acquire("alpha") is False
    assert lease.holds("beta") and not lease.holds("alpha")
    state = lease.state()
    assert state.holder == "beta" and state.acquired_at == T0 + timedelta(seconds=111) and state.is_alive


def test_a_released_lease_is_taken_at_once(app, db):
    set_now(T0)
    assert lease.acquire("alpha")
    lease.release("alpha")
    set_now(T0 + timedelta(seconds=1))
    assert lease.acquire("beta")


# --- job runs --------------------------------------------------------------------------------------


def test_execute_records_each_run_and_its_outcome(app, db, monkeypatch):
    set_now(T0)
    result = execute("reminders", holder="host:pid 1", next_run_at=T0 + timedelta(minutes=5))
    assert result.ok
    row = db.session.get(JobRun, "reminders", populate_existing=True)
    assert (row.last_started_at, row.last_finished_at, row.last_outcome) == (T0, T0, "ok")
    assert row.holder == "host:pid 1" and row.next_run_at == T0 + timedelta(minutes=5)
    assert row.last_detail == "0 reminder(s) queued for 0 event(s)"

    def broken(at):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(scheduler_runner.JOBS_BY_ID, "reminders", scheduler_runner.JobSpec("reminders", broken, 300, "x"))
    with pytest.raises(RuntimeError):
        execute("reminders")
    row = db.session.get(JobRun, "reminders", populate_existing=True)
    assert row.last_outcome == "error" and row.last_detail == "RuntimeError: database on fire"


def test_jobs_are_declared_with_fixed_ids_coalesced_never_overlapping(app):
    process = SchedulerProcess(app, holder="test")
    declared = {job.id: job for job in process.scheduler.get_jobs()}
    assert set(declared) == {"heartbeat", "deliver_outbox", "reminders", "registration_closing",
                             "post_event", "action_digest", "coordinator_digest", "report_snapshots",
                             "needs_retention", "calendar_replies", "contribution_calls",
                             "follow_up_surveys", "assessment_reminders",
                             "answers_retention", "participation_tallies"}
    for spec in JOBS:
        job = declared[spec.id]
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= 3600
    assert declared["deliver_outbox"].trigger.interval == timedelta(minutes=1)


def test_cli_run_once_runs_a_job_at_a_chosen_instant(app, db, make, runner):
    set_now(T0)
    event = make.event("Workshop", starts_at=T0 + timedelta(days=10))
    register(event, make.user())
    result = runner.invoke(args=["scheduler", "run-once", "reminders", "--at", "2026-06-04T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "reminders: ok - 1 reminder(s) queued for 1 event(s)" in result.output
    assert db.session.get(JobRun, "reminders").holder == "flask scheduler run-once"

    result = runner.invoke(args=["scheduler", "run-once", "no_such_job"])
    assert result.exit_code != 0 and "unknown job" in result.output


# --- two schedulers against the same database ------------------------------------------------------


class Crashable(SchedulerProcess):
    """A scheduler process whose death can be simulated: it stops without releasing its lease. It
    counts its finished heartbeats and job runs, so a test can wait until it went round again."""

    crashed = False

    def __init__(self, app, holder):
        super().__init__(app, holder=holder)
        self.finished = Counter()

    def heartbeat(self) -> bool:
        held = super().heartbeat()
        self.finished["heartbeat"] += 1
        return held

    def run_job(self, job_id: str) -> None:
        super().run_job(job_id)
        self.finished[job_id] += 1

    def went_round(self, since: Counter, ids=("heartbeat", *scheduler_runner.JOBS_BY_ID)) -> bool:
        """Each of `ids` (the heartbeat and every job by default) finished twice more than in the
        snapshot `since`: one whole run of each began after the snapshot was taken."""
        return all(self.finished[i] >= since[i] + 2 for i in ids)

    def release(self) -> None:
        if not self.crashed:
            super().release()


def _sent_ids(smtp) -> list[str]:
    return list(smtp.handler.message_ids)


def test_two_schedulers_send_each_message_and_reminder_exactly_once(app, db, make, smtp, monkeypatch):
    for key, value in {
        "SCHEDULER_LEASE_SECONDS": 3,
        "SCHEDULER_HEARTBEAT_SECONDS": 0.5,
        "SCHEDULER_INTERVALS": {spec.id: 0.5 for spec in JOBS},
    }.items():
        monkeypatch.setitem(app.config, key, value)
    # Real time: the schedulers run on the wall clock.
    set_now(None)
    start = now().replace(microsecond=0) + timedelta(hours=12)
    event = make.event("Tomorrow's workshop", starts_at=start)
    participants = [make.user(name=f"Participant {i}") for i in range(3)]
    for person in participants:
        register(event, person)
    for i in range(5):
        enqueue(Recipient(f"direct{i}@example.org"), f"Direct {i}", "body")
    db.session.commit()

    alpha = Crashable(app, holder="alpha")
    beta = Crashable(app, holder="beta")
    threads = {p.holder: threading.Thread(target=p.start, daemon=True) for p in (alpha, beta)}
    overlap = []

    def check_single_holder():
        if alpha.is_active and beta.is_active:
            overlap.append(time.monotonic())

    threads["alpha"].start()
    assert wait_until(lambda: alpha.is_active, 5)
    threads["beta"].start()
    try:
        # Phase 1: alpha holds the lease and sends the 5 messages and the 3 reminders.
        assert wait_until(lambda: len(_sent_ids(smtp)) >= 8, 15, check_single_holder), _sent_ids(smtp)
        # Both keep running (alpha runs every job again, beta keeps trying the lease): nothing more goes out.
        alpha_done, beta_done = Counter(alpha.finished), Counter(beta.finished)
        assert wait_until(lambda: alpha.went_round(alpha_done) and beta.went_round(beta_done, ["heartbeat"]),
                          15, check_single_holder), (alpha.finished, beta.finished)
        check_single_holder()
        assert len(_sent_ids(smtp)) == 8
        assert alpha.is_active and not beta.is_active
        holders = {run.holder for run in db.session.scalars(select(JobRun))}
        db.session.rollback()  # end the read: on SQLite a stale snapshot cannot write later
        assert holders == {"alpha"}

        # Phase 2: alpha dies without releasing the lease; beta takes over after it expires.
        alpha.crashed = True
        alpha.stop(wait=False)
        threads["alpha"].join(5)
        enqueue(Recipient("after@example.org"), "After the takeover", "body")
        db.session.commit()
        assert wait_until(lambda: len(_sent_ids(smtp)) >= 9, 20), _sent_ids(smtp)
        assert wait_until(lambda: beta.is_active, 5)
        beta_done = Counter(beta.finished)
        assert wait_until(lambda: beta.went_round(beta_done), 15), beta.finished  # every job ran again
        assert len(_sent_ids(smtp)) == 9
    finally:
        for process in (alpha, beta):
            process.stop(wait=False)
        for thread in threads.values():
            thread.join(10)

    assert not overlap
    ids = _sent_ids(smtp)
    assert len(ids) == len(set(ids)) == 9
    reminders = [r for r in smtp.received if r.message["Subject"].startswith("Reminder:")]
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted(p.email for p in participants)
    db.session.rollback()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}
    holder = db.session.get(SchedulerLease, "scheduler")
    assert holder.holder == "beta"
    assert db.session.get(JobRun, "deliver_outbox").holder == "beta"


def test_jobs_raced_without_the_lease_still_send_nothing_twice(app, db, make, smtp):
    """Belt and braces: even if two processes ran the same jobs at once, markers, dedupe keys and
    claims keep every message single."""
    set_now(None)
    start = now().replace(microsecond=0) + timedelta(hours=12)
    event = make.event("Race", starts_at=start)
    people = [make.user() for _ in range(6)]
    for person in people:
        register(event, person)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                for job in ("reminders", "deliver_outbox", "reminders", "deliver_outbox"):
                    scheduler_runner.JOBS_BY_ID[job].run(now())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    db.session.rollback()
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 6
    ids = _sent_ids(smtp)
    assert len(ids) == len(set(ids)) == 6


# --- the real command ------------------------------------------------------------------------------


def test_flask_scheduler_run_acts_then_releases_its_lease_on_sigterm(app, db, database_url, tmp_path):
    """`flask scheduler run` as its own process: takes the lease, runs every job once at start
    (catch-up), and gives the lease up when stopped with SIGTERM."""
    import os
    import signal
    import subprocess
    import sys

    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "LIAISON_ENV": "development",
        "DATABASE_URL": database_url,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "LIAISON_INSTANCE_DIR": str(tmp_path),
        "SCHEDULER_LEASE_SECONDS": "30",
    }
    enqueue(Recipient("olena@example.org"), "Queued before the scheduler started", "body")
    db.session.commit()
    process = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def all_jobs_ran() -> bool:
            db.session.rollback()
            runs = db.session.scalars(select(JobRun)).all()
            return {run.job_id for run in runs if run.last_outcome} == {spec.id for spec in JOBS}

        assert wait_until(all_jobs_ran, 30), process.stdout.read() if process.poll() is not None else "timeout"
        db.session.rollback()
        row = db.session.get(SchedulerLease, "scheduler")
        assert f"pid {process.pid}" in row.holder
        assert {run.last_outcome for run in db.session.scalars(select(JobRun))} == {"ok"}
        assert list((tmp_path / "mail").glob("*.eml"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    db.session.rollback()
    row = db.session.get(SchedulerLease, "scheduler")
    assert row.expires_at <= now()  # released: a standby takes over at once
