"""`flask registrations promote-waitlists`: fill free seats from the waiting lists (a safety net
after capacities were changed outside the web forms; idempotent, safe to run twice)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.registrations.waitlist import promote_all_waitlists

registrations_cli = AppGroup("registrations", help="Registrations and waiting lists.")


@registrations_cli.command("promote-waitlists")
def promote_waitlists_command():
    """Confirm people from the waiting list of every upcoming event with free seats."""
    promoted = promote_all_waitlists()
    click.echo(f"{promoted} person(s) confirmed from waiting lists")


def register(app: Flask) -> None:
    app.cli.add_command(registrations_cli)
