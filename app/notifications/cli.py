"""`flask outbox deliver|status|retry-dead`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.notifications.delivery import counts_by_status, deliver_pending, retry_dead

outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("deliver")
@click.option("--limit", default=500, show_default=True, help="Messages claimed at a time.")
def deliver_command(limit):
    """Send pending messages, batch after batch for up to MAIL_RUN_SECONDS (to instance/mail/*.eml
    with MAIL_BACKEND=file, else over SMTP)."""
    report = deliver_pending(limit=limit)
    click.echo(str(report))


@outbox_cli.command("status")
def status_command():
    """Count messages by state."""
    for status, count in counts_by_status().items():
        click.echo(f"{status}: {count}")


@outbox_cli.command("retry-dead")
def retry_dead_command():
    """Put dead messages back in the queue."""
    click.echo(f"{retry_dead()} message(s) queued again")


def register(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
