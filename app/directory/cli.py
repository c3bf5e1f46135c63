"""`flask directory seed-empact`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.directory.empact import seed_empact_themes
from app.extensions import db

directory_cli = AppGroup("directory", help="Organisations, projects and themes.")


@directory_cli.command("seed-empact")
def seed_empact_command():
    """Add the EMPACT priorities of the 2022-2025 and 2026-2029 cycles as themes (idempotent)."""
    added = seed_empact_themes()
    db.session.commit()
    click.echo(f"{added} EMPACT theme(s) added.")


def register(app: Flask) -> None:
    app.cli.add_command(directory_cli)
