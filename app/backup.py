"""`flask backup` and `flask restore`: a consistent copy of the database taken while the app keeps running.

SQLite is copied with its online backup API (one read snapshot: in WAL mode writers go on meanwhile), never
with a file copy, which can catch a half-written page or miss what still sits in the -wal file. For
PostgreSQL the commands print what to run: `pg_dump -Fc` and `pg_restore`. `flask outbox mark-sent` is the
step after a restore that keeps emails already delivered from going out twice."""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from app.audit import record
from app.extensions import db
from app.notifications.cli import outbox_cli
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import mark_sent, message_ids_in
from app.timeutil import now

# The tables whose row counts say at a glance whether a backup holds what it should.
MAIN_TABLES = ("users", "organisations", "projects", "events", "sessions", "registrations", "lessons",
               "summaries", "audit_entries", "outbox_messages")
UNSENT = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
OUTBOX = OutboxMessage.__tablename__
# Pages copied per step when the database is not in WAL mode (then a reader holds writers off; WAL does not).
ROLLBACK_JOURNAL_PAGES = 256


class BackupError(click.ClickException):
    """A backup or restore that could not be made; the message says why."""


@dataclass
class Verification:
    path: Path
    integrity: str
    counts: dict[str, int]
    unsent: int

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def sqlite_file(url: URL) -> Path | None:
    """The database file behind a SQLite URL (None for an in-memory database)."""
    if url.database in (None, "", ":memory:") or url.database.startswith("file::memory:"):
        return None
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> Verification:
    """Copy `source` to `target` as one consistent snapshot, verify the copy, and only then give it its
    name (a failed backup never leaves a file that looks like a good one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    report = verify(partial)
    if not report.ok:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {report.integrity}")
    partial.replace(target)
    report.path = target
    return report


def _copy(source: Path, target: Path) -> None:
    origin = sqlite3.connect(source, timeout=30)
    try:
        wal = origin.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        copy = sqlite3.connect(target)
        try:
            # In WAL mode one step copies one read snapshot and writers are not held up. A copy in
            # steps would restart each time another connection writes, possibly forever.
            origin.backup(copy, pages=-1 if wal else ROLLBACK_JOURNAL_PAGES, sleep=0.01)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
    finally:
        origin.close()


def verify(path: Path) -> Verification:
    """integrity_check, row counts of the main tables, and the messages not yet sent, read from `path`."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                  for name in MAIN_TABLES if name in tables}
        unsent = 0
        if OUTBOX in tables:
            unsent = connection.execute(
                f'SELECT count(*) FROM "{OUTBOX}" WHERE status IN (?, ?)', UNSENT).fetchone()[0]
    finally:
        connection.close()
    return Verification(path=path, integrity=integrity, counts=counts, unsent=unsent)


def restore_sqlite(backup: Path, live: Path, keep_dir: Path) -> Path | None:
    """Put `backup` in place of `live` through the backup API (which also empties the live -wal file, so no
    stale WAL frame is applied over the restored pages), after keeping a copy of what `live` held."""
    kept = None
    if live.exists():
        kept = backup_sqlite(live, keep_dir / f"pre-restore-{stamp(now())}.db").path
    origin = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(live, timeout=30)
        try:
            origin.backup(destination)
        finally:
            destination.close()
    finally:
        origin.close()
    return kept


def postgres_commands(url: URL, dump_file: str) -> tuple[str, str]:
    """The pg_dump and pg_restore command lines for `url`, without its password."""
    connection = []
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value not in (None, ""):
            connection += [flag, str(value)]
    database = url.database or ""
    dump = ["pg_dump", "-Fc", *connection, "--dbname", database, "--file", dump_file]
    restore = ["pg_restore", *connection, "--dbname", database, "--clean", "--if-exists", "--no-owner",
               "--single-transaction", dump_file]
    return shlex.join(dump), shlex.join(restore)


def _print_postgres(url: URL, path: Path | None) -> None:
    dump_file = str(path) if path else f"liaison-{stamp(now())}.dump"
    dump, restore = postgres_commands(url, dump_file)
    click.echo("PostgreSQL: nothing written. pg_dump takes a consistent snapshot while the app runs:")
    click.echo(f"  {dump}")
    click.echo("Restore it (web workers and scheduler stopped) with:")
    click.echo(f"  {restore}")
    click.echo("then run `flask db upgrade`. The password comes from PGPASSWORD or ~/.pgpass, not from here.")
    options = [f"{name}={value}" for name, value in sorted(url.query.items()) if name != "password"]
    if options:
        click.echo(f"DATABASE_URL also sets {', '.join(options)}: give them as PG* environment variables "
                   "(e.g. PGSSLMODE).")


def _print_report(report: Verification) -> None:
    size = report.path.stat().st_size
    click.echo(f"integrity_check: {report.integrity}")
    click.echo("rows: " + ", ".join(f"{name} {count}" for name, count in report.counts.items()))
    click.echo(f"outbox: {report.unsent} message(s) not yet sent ({size / 1_048_576:.1f} MB file)")
    if report.unsent:
        click.echo(
            "Warning: restoring this backup brings these messages back as not yet sent, and the scheduler\n"
            "will send them (again, for any delivered after the backup). After a restore, before starting the\n"
            "scheduler, mark those your mail server already accepted, by Message-ID (one a line; lines such as\n"
            "a mail log's or an .eml file's Message-ID header work as they are):\n"
            "  grep -h 'message-id=' /var/log/mail.log | flask outbox mark-sent -\n"
            "List the messages concerned with:\n"
            f"  sqlite3 {shlex.quote(str(report.path))} \"SELECT message_id, subject FROM {OUTBOX} "
            f"WHERE status IN ('{UNSENT[0]}', '{UNSENT[1]}')\""
        )


def _configured_sqlite() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"no backup for {url.get_backend_name()} databases; use its own tools")
    live = sqlite_file(url)
    if live is None:
        raise BackupError("the database is in memory: there is no file to back up")
    return live


@click.command("backup")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path | None):
    """Write a consistent backup of a SQLite database (default: BACKUP_DIR/liaison-<UTC time>.db) and
    verify it; for PostgreSQL, print the pg_dump and pg_restore commands."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        _print_postgres(url, path)
        return
    live = _configured_sqlite()
    target = path or Path(current_app.config["BACKUP_DIR"]) / f"liaison-{stamp(now())}.db"
    if target.exists():
        raise BackupError(f"{target} already exists; choose another path")
    if target.resolve() == live.resolve():
        raise BackupError("the backup cannot overwrite the database itself")
    report = backup_sqlite(live, target)
    click.echo(f"Backup written to {report.path}")
    _print_report(report)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool):
    """Replace the SQLite database with the backup at PATH (stop the web workers and the scheduler first).
    What the database held is kept in BACKUP_DIR first."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        _print_postgres(url, path)
        return
    live = _configured_sqlite()
    report = verify(path)
    if not report.ok:
        raise BackupError(f"{path} fails its integrity check: {report.integrity}")
    if not yes:
        click.confirm(f"Stop the web workers and the scheduler first. Replace {live} with {path}?", abort=True)
    db.engine.dispose()
    kept = restore_sqlite(path, live, Path(current_app.config["BACKUP_DIR"]))
    if kept:
        click.echo(f"The database as it was is kept in {kept}")
    click.echo(f"Restored {path} into {live}. Next: `flask db upgrade`, then start the web workers.")
    _print_report(report)


@click.command("mark-sent")
@click.argument("source", type=click.File("r"))
@with_appcontext
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
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    # Part of restoring, so it lives here (it is audited, and the outbox, as infrastructure, may not import
    # the audit package); it sits beside deliver/status/retry-dead, where an operator looks for it.
    outbox_cli.add_command(mark_sent_command)
