"""The scheduler process: APScheduler runs the jobs of app.scheduler.jobs, but only while this
process holds the lease; each run is recorded in job_runs for the admin page.

Jobs are declared in code (app.scheduler.jobs.JOBS), with fixed ids. Every job also runs once as soon
as a process becomes the active scheduler (at start or on takeover): since jobs look for what is due in the
data, that single run catches up whatever fell due while no scheduler was running - once, not once
per missed tick. Within a running process, APScheduler coalesces missed ticks (coalesce=True) and
never overlaps a job with itself (max_instances=1).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.notifications.delivery import begin_write
from app.scheduler import fencing, lease
from app.scheduler.jobs import JOBS, JOBS_BY_ID, JobResult, JobSpec
from app.scheduler.models import JobRun
from app.timeutil import now

log = logging.getLogger("liaison.scheduler")

HEARTBEAT_JOB_ID = "heartbeat"


def interval_of(app: Flask, spec: JobSpec) -> float:
    """A job's interval; SCHEDULER_INTERVALS = {"deliver_outbox": 30, ...} overrides (tests use it)."""
    return float((app.config.get("SCHEDULER_INTERVALS") or {}).get(spec.id, spec.every_seconds))


def new_holder_name() -> str:
    return f"{socket.gethostname()[:80]}:pid {os.getpid()}:{uuid.uuid4().hex[:8]}"


def _job_run_row(job_id: str) -> JobRun:
    row = db.session.get(JobRun, job_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = JobRun(job_id=job_id)
            db.session.add(row)
        return row
    except IntegrityError:
        return db.session.get(JobRun, job_id, populate_existing=True)


def execute(job_id: str, at: datetime | None = None, holder: str | None = None,
            next_run_at: datetime | None = None, token: fencing.Token | None = None) -> JobResult:
    """Run one job now (or as of `at`) and record its start, finish, outcome and holder in job_runs.

    With a fencing `token`, every write of the job (and of its job_runs row) is refused once the
    lease was taken over: the job stops with LostLease and the stale holder records nothing more.
    Needs an application context. Exceptions are recorded and re-raised.
    """
    spec = JOBS_BY_ID[job_id]
    instant = at or now()
    db.session.rollback()
    with fencing.fenced(token):
        _record(job_id, holder, started=True)
        try:
            result = spec.run(instant)
        except fencing.LostLease:
            db.session.rollback()
            log.warning("scheduler job %s stopped: %s lost its lease", job_id, holder)
            raise
        except Exception as error:
            db.session.rollback()
            _record(job_id, holder, outcome="error", detail=f"{type(error).__name__}: {error}",
                    next_run_at=next_run_at)
            raise
        _record(job_id, holder, outcome="ok" if result.ok else "error", detail=str(result), next_run_at=next_run_at)
    return result


def _record(job_id: str, holder: str | None, started: bool = False, outcome: str | None = None,
            detail: str = "", next_run_at: datetime | None = None) -> None:
    """One write to the job's job_runs row (fenced: a stale holder records nothing)."""
    begin_write()
    fencing.fence()
    row = _job_run_row(job_id)
    row.holder = holder
    if started:
        row.last_started_at = now()
    else:
        row.last_finished_at = now()
        row.last_outcome = outcome
        row.last_detail = detail[:2000]
        if next_run_at is not None:
            row.next_run_at = next_run_at
    db.session.commit()


class SchedulerProcess:
    """`flask scheduler run`: heartbeat + jobs, acting only while holding the lease."""

    def __init__(self, app: Flask, holder: str | None = None, scheduler_class=BlockingScheduler):
        self.app = app
        self.holder = holder or new_holder_name()
        self.is_active = False
        self._state_lock = threading.Lock()
        lease_seconds = int(app.config.get("SCHEDULER_LEASE_SECONDS", 60))
        self.heartbeat_seconds = float(app.config.get("SCHEDULER_HEARTBEAT_SECONDS") or max(1, lease_seconds / 3))
        self.scheduler = scheduler_class(
            timezone=UTC,
            # The heartbeat has its own thread, so busy jobs never delay the lease renewal; four job
            # threads stay within the database connection pool's default size (5).
            executors={"default": ThreadPoolExecutor(max_workers=4), "heartbeat": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._add_jobs()

    def _add_jobs(self) -> None:
        self.scheduler.add_job(
            self.heartbeat, IntervalTrigger(seconds=self.heartbeat_seconds), id=HEARTBEAT_JOB_ID,
            name="lease heartbeat", executor="heartbeat", coalesce=True, max_instances=1, misfire_grace_time=None,
            replace_existing=True,
        )
        for spec in JOBS:
            seconds = interval_of(self.app, spec)
            self.scheduler.add_job(
                self.run_job, IntervalTrigger(seconds=seconds), args=[spec.id], id=spec.id, name=str(spec.description),
                coalesce=True, max_instances=1,
                # A tick missed while this process was busy or suspended still runs (once, coalesced)
                # when it is at most an hour or one interval late.
                misfire_grace_time=int(max(3600, seconds)),
                replace_existing=True,
            )

    # --- the lease -------------------------------------------------------------------------------

    def heartbeat(self) -> bool:
        """Acquire or renew the lease; on becoming active, run every job at once (catch-up)."""
        with self.app.app_context():
            try:
                held = lease.acquire(self.holder)
            except Exception:  # noqa: BLE001 - a database hiccup: act as standby until the next beat
                log.exception("scheduler heartbeat failed")
                db.session.rollback()
                held = False
            finally:
                db.session.remove()
        with self._state_lock:
            became_active = held and not self.is_active
            if held != self.is_active:
                log.info("scheduler %s is now %s", self.holder, "ACTIVE" if held else "standby")
            self.is_active = held
        if became_active and self.scheduler.running:
            self.wake_jobs()
        return held

    def wake_jobs(self) -> None:
        instant = datetime.now(UTC)
        for spec in JOBS:
            if self.scheduler.get_job(spec.id) is not None:
                self.scheduler.modify_job(spec.id, next_run_time=instant)

    def run_job(self, job_id: str) -> None:
        if not self.is_active:
            return
        with self.app.app_context():
            try:
                token = lease.token(self.holder)
                if token is None:
                    with self._state_lock:
                        self.is_active = False
                    return
                job = self.scheduler.get_job(job_id)
                next_run_at = job.trigger.get_next_fire_time(None, datetime.now(UTC)) if job else None
                execute(job_id, holder=self.holder, next_run_at=next_run_at, token=token)
            except fencing.LostLease:
                with self._state_lock:
                    self.is_active = False
            except Exception:  # noqa: BLE001 - recorded in job_runs; the scheduler keeps going
                log.exception("scheduler job %s failed", job_id)
            finally:
                db.session.remove()

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Run until stop() (blocking with BlockingScheduler). Releases the lease on the way out."""
        self.heartbeat()
        if self.is_active:
            self.wake_jobs()
        try:
            self.scheduler.start()
        finally:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            self.release()

    def stop(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def release(self) -> None:
        if self.is_active:
            with self.app.app_context():
                try:
                    lease.release(self.holder)
                finally:
                    db.session.remove()
            self.is_active = False

    def install_signal_handlers(self) -> None:
        def _stop(signum, _frame):
            # The signal may arrive while this (main) thread holds the thread pool's shutdown lock
            # (handing a job to the pool): shutting down from here would wait for that lock forever.
            # Another thread shuts down once the main thread has let go of it.
            log.info("scheduler %s stopping (signal %s)", self.holder, signum)
            threading.Thread(target=self.stop, kwargs={"wait": False}, name="scheduler-stop", daemon=True).start()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
