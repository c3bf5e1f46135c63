"""`flask lessons ...`: maintenance of the lessons' full-text index."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import text

from app.cache import stamps
from app.extensions import db

lessons_cli = AppGroup("lessons", help="Lessons learned: full-text index.")


@lessons_cli.command("reindex")
def reindex_command():
    """Rebuild the full-text index from the entries (SQLite FTS5; PostgreSQL: REINDEX)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO lessons_fts(lessons_fts) VALUES ('rebuild')"))
    else:
        db.session.execute(text("REINDEX INDEX ix_lessons_fulltext"))
    # Hand-written SQL passes the change tracking by: searches cached before the rebuild are stale.
    stamps.bump(db.session.connection(), "lessons")
    db.session.commit()
    click.echo("Full-text index rebuilt.")


def register(app: Flask) -> None:
    app.cli.add_command(lessons_cli)
