"""`flask demo load [--if-empty]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.demo.data import load_demo

demo_cli = AppGroup("demo", help="Demo data for looking around.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def load_command(if_empty):
    """Load the demo network (idempotent: running it again adds nothing twice)."""
    report = load_demo(if_empty=if_empty)
    if report is None:
        click.echo("Users exist already; demo data not loaded.")
        return
    added = ", ".join(f"{count} {name}" for name, count in report.items() if count) or "nothing new"
    click.echo(f"Demo data loaded: {added}.")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
