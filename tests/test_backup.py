"""`flask backup` copies a live SQLite database consistently while writes go on, the app runs on the copy, and
`flask restore` puts it back; for PostgreSQL the commands print pg_dump / pg_restore. After a restore,
`flask outbox mark-sent` keeps messages already delivered from going out twice."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app
from app.audit import record
from app.audit.models import AuditEntry
from app.backup import ROLLBACK_JOURNAL_PAGES, backup_sqlite, postgres_commands
from app.directory.models import Organisation, OrganisationType
from app.extensions import db, init_migrations
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from config import TestingConfig
from tests import factories

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
# Each writer transaction adds one row to each of these: a consistent snapshot holds equal numbers of them.
WRITTEN = ("organisations", "audit_entries", "outbox_messages")
MAX_WRITES = 20_000  # the writer stops by itself if the test forgets to


def _sqlite_app(path: Path, backups: Path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "BACKUP_DIR": str(backups),
                                      "MAIL_FILE_DIR": str(path.parent / "mail")})
    init_migrations(app)  # Flask-Migrate loads on demand (web workers never import it)
    return app


@pytest.fixture
def live(tmp_path):
    """An app of its own on a migrated SQLite file, with a user and one pending message (also on a
    PostgreSQL run: the SQLite backup does not depend on the suite's database)."""
    app = _sqlite_app(tmp_path / "live.db", tmp_path / "backups")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        user = factories.user(email="ana@example.org")
        enqueue(Recipient(user.email, user.name, user.id), "Welcome", "Hello")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


class Writer(threading.Thread):
    """Keeps committing transactions of one organisation, one audit entry and one email each."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.warmed_up, self.wrote = app, threading.Event(), threading.Event(), threading.Event()
        self.commits, self.errors = 0, []

    def run(self):
        with self.app.app_context():
            while not self.stop.is_set() and self.commits < MAX_WRITES:
                try:
                    self._write_one()
                except Exception as error:  # noqa: BLE001 - reported by the test, not swallowed
                    self.errors.append(repr(error))
                    return
            db.session.remove()

    def _write_one(self):
        organisation = Organisation(name=f"Unit {self.commits}", country="RO", type=OrganisationType.LAW_ENFORCEMENT)
        db.session.add(organisation)
        db.session.flush()
        record(None, "organisation.created", organisation)
        enqueue(Recipient(f"desk{self.commits}@example.org"), "New unit", "A unit joined.")
        db.session.commit()
        self.commits += 1
        self.wrote.set()
        if self.commits >= 20:
            self.warmed_up.set()


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return {name: connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in WRITTEN}
    finally:
        connection.close()


def test_backup_during_writes_is_consistent_and_the_app_runs_on_it(live, tmp_path):
    source, target = tmp_path / "live.db", tmp_path / "copy" / "nightly.db"
    start = _counts(source)
    writer = Writer(live)
    writer.start()
    try:
        assert writer.warmed_up.wait(timeout=30), writer.errors
        before = _counts(source)
        result = live.test_cli_runner().invoke(args=["backup", str(target)])
        after = _counts(source)
        writer.wrote.clear()
        assert writer.wrote.wait(timeout=30), f"writes stopped after the backup: {writer.errors}"
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive() and writer.errors == []
    assert result.exit_code == 0, result.output

    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    copy.close()
    backed_up = _counts(target)
    for name in WRITTEN:
        assert before[name] <= backed_up[name] <= after[name], (name, before, backed_up, after)
    # One snapshot: no writer transaction is half in the copy.
    assert len({backed_up[name] - start[name] for name in WRITTEN}) == 1, (start, backed_up)
    assert "integrity_check: ok" in result.output
    assert f"outbox_messages {backed_up['outbox_messages']}" in result.output
    assert f"outbox: {backed_up['outbox_messages']} message(s) not yet sent" in result.output
    assert "flask outbox mark-sent" in result.output
    assert not list(target.parent.glob("*.partial"))

    restored = _sqlite_app(target, tmp_path / "backups")
    with restored.app_context():
        client = restored.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200
        response = client.post("/login", data={"email": "ana@example.org", "password": factories.PASSWORD})
        assert response.status_code == 302
        assert client.get("/events").status_code == 200
        db.engine.dispose()


def test_backup_goes_to_a_timestamped_file_and_never_overwrites(live, tmp_path):
    runner = live.test_cli_runner()
    first = runner.invoke(args=["backup"])
    assert first.exit_code == 0, first.output
    written = list((tmp_path / "backups").glob("liaison-*Z.db"))
    assert len(written) == 1 and f"Backup written to {written[0]}" in first.output
    again = runner.invoke(args=["backup", str(written[0])])
    assert again.exit_code != 0 and "already exists" in again.output
    itself = runner.invoke(args=["backup", str(tmp_path / "live.db")])
    assert itself.exit_code != 0


def test_restore_puts_the_backup_in_place_and_keeps_what_it_replaced(live, tmp_path):
    runner = live.test_cli_runner()
    target = tmp_path / "before-the-mistake.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    with live.app_context():
        factories.organisation("Added after the backup")
        factories.user(email="late@example.org")
        db.session.remove()
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    assert _counts(tmp_path / "live.db")["organisations"] == 1

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "flask db upgrade" in result.output
    assert _counts(tmp_path / "live.db") == _counts(target)
    kept = list((tmp_path / "backups").glob("pre-restore-*.db"))
    assert len(kept) == 1 and _counts(kept[0])["organisations"] == 1
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert live.test_client().post("/login", data={"email": "late@example.org",
                                                       "password": factories.PASSWORD}).status_code == 200
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_a_damaged_file_is_not_restored(live, tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = live.test_cli_runner().invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    assert _counts(tmp_path / "live.db")["outbox_messages"] == 1


def test_postgresql_backup_prints_pg_dump_and_pg_restore_without_the_password(database_url, tmp_path):
    url = "postgresql+psycopg://liaison:s3cret@db.internal:6543/liaison_prod?sslmode=require"
    if database_url.startswith("postgresql"):
        url = database_url
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    parsed = make_url(url)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nightly.dump")])
    assert result.exit_code == 0, result.output
    dump, restore = postgres_commands(parsed, str(tmp_path / "nightly.dump"))
    assert dump in result.output and restore in result.output
    assert dump.startswith("pg_dump -Fc") and restore.startswith("pg_restore")
    for part in (f"--host {parsed.host}", f"--port {parsed.port}", f"--username {parsed.username}",
                 f"--dbname {parsed.database}"):
        assert part in dump and part in restore
    if parsed.password:
        assert parsed.password not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_mark_sent_after_a_restore_keeps_delivered_messages_from_going_out_twice(app, runner, make):
    delivered = enqueue(Recipient("a@example.org"), "Reminder", "Tomorrow")
    waiting = enqueue(Recipient("b@example.org"), "Reminder", "Tomorrow")
    db.session.commit()
    mail_log = (f"Dec  4 23:01:02 relay postfix/cleanup[812]: 4Xk: message-id={delivered.message_id}\n"
                "Dec  4 23:01:03 relay postfix/qmgr[77]: 4Xk: removed\n")
    result = runner.invoke(args=["outbox", "mark-sent", "-"], input=mail_log)
    assert result.exit_code == 0, result.output
    assert "1 of 1 message(s) marked sent" in result.output
    db.session.expire_all()
    assert db.session.get(OutboxMessage, delivered.id).status == OutboxStatus.SENT
    assert db.session.get(OutboxMessage, waiting.id).status == OutboxStatus.PENDING
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.marked_sent")).one()
    assert entry.changes["message_ids"] == [delivered.message_id]
    again = runner.invoke(args=["outbox", "mark-sent", "-"], input=f"{waiting.message_id.strip('<>')}\n")
    assert "1 of 1" in again.output


def test_a_database_outside_wal_mode_is_copied_in_steps(tmp_path):
    source = tmp_path / "rollback.db"
    connection = sqlite3.connect(source)
    connection.execute("PRAGMA page_size=1024")
    connection.execute("CREATE TABLE outbox_messages (id INTEGER PRIMARY KEY, status TEXT, body TEXT)")
    connection.executemany("INSERT INTO outbox_messages (status, body) VALUES (?, ?)",
                           [("pending" if n % 3 else "sent", "x" * 500) for n in range(3000)])
    connection.commit()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert source.stat().st_size > 1024 * ROLLBACK_JOURNAL_PAGES  # more pages than one step copies
    report = backup_sqlite(source, tmp_path / "copy.db")
    assert report.ok and report.counts == {"outbox_messages": 3000} and report.unsent == 2000
