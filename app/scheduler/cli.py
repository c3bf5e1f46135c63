"""`flask scheduler run | run-once JOB [--at ISO] | jobs`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from apscheduler.events import EVENT_SCHEDULER_STARTED
from flask import Flask, current_app
from flask.cli import AppGroup

from app.scheduler.jobs import JOBS, JOBS_BY_ID
from app.scheduler.logfile import READY_MESSAGE, send_routine_lines_to
from app.scheduler.runner import SchedulerProcess, execute, interval_of

log = logging.getLogger("liaison.scheduler")

scheduler_cli = AppGroup("scheduler", help="The scheduler process and its jobs.")


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler (blocks). Several may run; only the lease holder acts, the others stand by."""
    app = current_app._get_current_object()
    to_file = send_routine_lines_to(app.config.get("SCHEDULER_LOG_FILE", ""))
    say = log.info if to_file else click.echo  # routine lines: in the log file when there is one
    process = SchedulerProcess(app)
    process.install_signal_handlers()
    process.scheduler.add_listener(
        lambda _event: log.info(READY_MESSAGE, process.holder, "active" if process.is_active else "standby"),
        EVENT_SCHEDULER_STARTED)
    say(f"scheduler {process.holder} starting (lease {app.config['SCHEDULER_LEASE_SECONDS']}s)")
    process.start()
    say("scheduler stopped")


def _parse_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value}") from error
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@scheduler_cli.command("run-once")
@click.argument("job_id")
@click.option("--at", "at_text", help="Run as of this instant (ISO 8601; UTC if no offset). Default: now.")
def run_once_command(job_id, at_text):
    """Run one job now, recorded like a scheduled run (safe: jobs are idempotent)."""
    if job_id not in JOBS_BY_ID:
        raise click.BadParameter(f"unknown job {job_id!r}; jobs: {', '.join(JOBS_BY_ID)}", param_hint="JOB")
    result = execute(job_id, at=_parse_at(at_text), holder="flask scheduler run-once")
    click.echo(f"{job_id}: {'ok' if result.ok else 'error'} - {result}")
    if not result.ok:
        raise SystemExit(1)


@scheduler_cli.command("jobs")
def jobs_command():
    """List the declared jobs and their intervals."""
    app = current_app._get_current_object()
    for spec in JOBS:
        click.echo(f"{spec.id:<22} every {interval_of(app, spec):>6.0f}s  {spec.description}")


def register(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
