"""`flask outbox deliver|status|retry-dead|mark-sent`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.audit import record
from app.extensions import db
from app.notifications.delivery import counts_by_status, deliver_pending, retry_dead
from app.notifications.outbox import mark_sent, message_ids_in

outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("deliver")
@click.option("--limit", default=500, show_default=True)
def deliver_command(limit):
    """Send pending messages (to instance/mail/*.eml with MAIL_BACKEND=file, else over SMTP)."""
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


@outbox_cli.command("mark-sent")
@click.argument("source", type=click.File("r"))
def mark_sent_command(source):
    """After a restore: mark as sent the messages whose Message-IDs SOURCE lists ("-" reads stdin; a mail
    log or .eml headers work as they are), so they are not sent twice."""
    message_ids = message_ids_in(source)
    changed = mark_sent(message_ids)
    record(None, "outbox.marked_sent", ("OutboxMessage", None), {"message_ids": message_ids[:1000]},
           summary=f"{changed} message(s) marked sent after a restore")
    db.session.commit()
    click.echo(f"{changed} of {len(message_ids)} message(s) marked sent")


def register(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
