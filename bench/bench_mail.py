"""Benchmark of outbox delivery: N queued messages to a local SMTP server, messages per second.

    python -m bench.bench_mail                                   # SQLite file under /tmp, 20,000 messages
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.bench_mail
    python -m bench.bench_mail --messages 2000 --before-messages 500

A scratch database gets N messages (a text and an HTML part, the size of a reminder) with one bulk
insert; an aiosmtpd server on 127.0.0.1 (its own process) counts what arrives. Measured:
  - "before": the delivery code as it was before issue 18 (read from git, `--before-commit`), called
    the way its scheduler job called it: one batch of MAIL_BATCH_SIZE (200) per run. Its engine speed
    (messages per second inside a batch) is measured on `--before-messages`; the delivered rate is
    also bounded by one batch per minute (200 / 60 s = 3.3/s), which the table states.
  - "after": one run of app.notifications.delivery.deliver_pending (continuous batches, one SMTP
    connection) for all N messages; every message must arrive exactly once (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import types
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import current_app
from sqlalchemy import delete, insert

from app import create_app
from app.extensions import db
from app.notifications.delivery import SMTPTransport, deliver_pending
from app.notifications.models import MailServerState, OutboxMessage, OutboxStatus
from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "sqlite:///" + os.path.join(tempfile.gettempdir(), "liaison_bench_mail.db")
BEFORE_COMMIT = "d4bc43f"  # the last commit before issue 18's delivery changes
TEXT = "Reminder: the exchange starts in 7 days.\n\n" + "Programme, venue and contacts follow.\n" * 20


class CountingHandler:
    """Counts what arrives, and how many distinct Message-IDs, in values shared with the benchmark."""

    def __init__(self, count, distinct):
        self.count, self.distinct = count, distinct
        self.message_ids: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope):
        header = envelope.content.split(b"\r\n\r\n", 1)[0]
        message_id = next((line for line in header.split(b"\r\n") if line.lower().startswith(b"message-id:")), b"")
        with self.count.get_lock():
            self.count.value += 1
            if message_id not in self.message_ids:
                self.message_ids.add(message_id)
                self.distinct.value += 1
        return "250 OK"


def serve_smtp(port: int, count, distinct, stop) -> None:
    """The SMTP server, in its own process so that it does not share the benchmark's interpreter lock."""
    controller = Controller(CountingHandler(count, distinct), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


class Server:
    def __init__(self):
        self.port = _free_port()
        self.count, self.distinct = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
        self.stop = multiprocessing.Event()
        self.process = multiprocessing.Process(target=serve_smtp, args=(self.port, self.count, self.distinct, self.stop))

    def start(self) -> None:
        self.process.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        sys.exit("the SMTP server did not start")

    def reset(self) -> None:
        self.count.value = self.distinct.value = 0

    def close(self) -> None:
        self.stop.set()
        self.process.join(10)


def fill(n: int) -> None:
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(MailServerState))
    instant = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    rows = [
        {"message_id": f"<{uuid.uuid4().hex}@bench.liaison>", "status": OutboxStatus.PENDING, "kind": "bench",
         "to": [f"Person {i} <person{i}@bench.example>"], "cc": [], "subject": f"Reminder {i}",
         "text_body": TEXT, "html_body": "<p>" + TEXT.replace("\n", "<br>") + "</p>", "attachments": [],
         "headers": {}, "attempts": 0, "created_at": instant, "next_attempt_at": instant}
        for i in range(n)
    ]
    for start in range(0, n, 5000):
        db.session.execute(insert(OutboxMessage), rows[start:start + 5000])
    db.session.commit()


def load_before(commit: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:app/notifications/delivery.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    module = types.ModuleType("delivery_before_issue_18")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:app/notifications/delivery.py", "exec"), module.__dict__)  # noqa: S102
    return module


def measure_before(server: Server, commit: str, n: int) -> float:
    before = load_before(commit)
    fill(n)
    server.reset()
    started = time.perf_counter()
    while server.count.value < n:
        report = before.deliver_pending(limit=int(current_app.config["MAIL_BATCH_SIZE"]))
        if report.sent == 0:
            break
    return server.count.value / (time.perf_counter() - started)


def measure_after(server: Server, n: int) -> tuple[float, int]:
    fill(n)
    server.reset()
    transport = SMTPTransport(current_app.config)
    started = time.perf_counter()
    report = deliver_pending(limit=int(current_app.config["MAIL_BATCH_SIZE"]), transport=transport, run_seconds=3600)
    seconds = time.perf_counter() - started
    time.sleep(0.2)  # the server's last DATA reply went out before its counter moved
    if report.sent != n or server.count.value != n or server.distinct.value != n:
        sys.exit(f"after: sent {report.sent}, arrived {server.count.value} ({server.distinct.value} distinct) of {n}")
    return n / seconds, transport.connections_opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--before-messages", type=int, default=2000)
    parser.add_argument("--before-commit", default=BEFORE_COMMIT)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server = Server()
    server.start()
    port = server.port
    app = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": url, "MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": port, "MAIL_SMTP_STARTTLS": False, "MAIL_SMTP_SSL": False, "MAIL_SMTP_USERNAME": "",
    })
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            before = measure_before(server, args.before_commit, args.before_messages)
            after, connections = measure_after(server, args.messages)
    finally:
        server.close()
    batch = app.config["MAIL_BATCH_SIZE"]
    print(f"database: {url.split(':', 1)[0]}")
    print(f"before ({args.before_commit}, {args.before_messages} messages): {before:.0f} msg/s inside a batch; "
          f"one batch of {batch} per minute delivers at most {batch / 60:.1f} msg/s")
    print(f"after ({args.messages} messages, one run): {after:.0f} msg/s over {connections} SMTP connection(s)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
