"""Delivery of pending outbox messages: to .eml files (development) or over SMTP.

How a message is never sent twice, also when two deliveries race:
1. claim_batch() marks due messages SENDING with one conditional UPDATE ... RETURNING that names the
   claimant (`claimed_by`) and a deadline (`locked_until`). On PostgreSQL a concurrent UPDATE waits
   for the row lock and re-checks the WHERE clause, so the loser matches nothing; SQLite runs writers
   one at a time. Either way each message has one claimant.
2. Just before sending, the claimant renews its claim with another conditional UPDATE (still
   SENDING, still claimed by me) and commits. If the claim expired meanwhile and another delivery
   took it over, the renewal matches nothing and this delivery skips the message.
3. The outcome of each message is committed on its own, so a failure or a crash half-way through a
   batch loses nothing: what was sent stays SENT, what was not is retried (a claim left behind by a
   dead process is taken back after its deadline).

SMTP itself cannot be exactly-once: if the process dies after the server accepted a message but
before step 3 committed, the message goes out again after the claim deadline. It carries the same
Message-ID, so receiving systems can recognise the duplicate.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.db import begin_write as _begin_write
from app.extensions import db
from app.notifications.mime import build_email
from app.notifications.models import OutboxMessage, OutboxStatus
from app.timeutil import now

# Called in a claim's write transaction before the claim; raises to refuse it.
Fence = Callable[[], None]

# How long a claim protects a message being sent; renewed before each send.
CLAIM_SECONDS = 300


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, failed {self.failed}, dead {self.dead}"


def retry_delay(attempts: int, base_seconds: int = 60) -> timedelta:
    """Growing delays after the n-th failed attempt: 1, 2, 4, 8 ... minutes, capped at 6 hours."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


class FileTransport:
    """Development default: each message becomes an .eml file a newcomer can open."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        stamp = message.created_at.strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{message.id:06d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(email))
        tmp.replace(path)

    def close(self) -> None:
        pass


class SMTPTransport:
    """One SMTP connection for a batch, opened on first use and reopened after a failure."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        cafile = self.config.get("MAIL_SMTP_CA_FILE") or None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c["MAIL_SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(
                c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=c["MAIL_SMTP_TIMEOUT"], context=self._tls_context()
            )
        else:
            smtp = smtplib.SMTP(c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=c["MAIL_SMTP_TIMEOUT"])
            if c["MAIL_SMTP_STARTTLS"]:
                smtp.starttls(context=self._tls_context())
        if c["MAIL_SMTP_USERNAME"]:
            smtp.login(c["MAIL_SMTP_USERNAME"], c["MAIL_SMTP_PASSWORD"])
        return smtp

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        recipients = [addr for _name, addr in getaddresses(list(message.to) + list(message.cc or []))]
        from_addr = getaddresses([self.config["MAIL_FROM"]])[0][1]
        self.connection.send_message(email, from_addr=from_addr, to_addrs=recipients)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def make_transport():
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])


def new_claimant() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def begin_write() -> None:
    """End the current transaction and start one that takes SQLite's write lock up front
    (app.db.begin_write); PostgreSQL ignores it."""
    _begin_write(db.session)


def _claimable(instant: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= instant),
        # A claim whose process died mid-send: take it back after its deadline.
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until < instant),
    )


def claim_batch(limit: int, claimant: str, at: datetime | None = None, fence: Fence | None = None) -> list[int]:
    """Claim up to `limit` due messages for `claimant` and return their ids (oldest first).

    The candidates are read first, then claimed by ONE conditional UPDATE whose WHERE repeats the
    "due" condition: a message claimed, sent or rescheduled by someone else in between is not
    matched again (PostgreSQL re-evaluates the WHERE on rows changed by a concurrent transaction;
    SQLite serialises writers). RETURNING tells exactly which rows this claimant won.
    """
    instant = at or now()
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(_claimable(instant))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    if not candidates:
        return []
    _check(fence)
    won = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates))
        .where(_claimable(instant))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=claimant,
            locked_until=instant + timedelta(seconds=CLAIM_SECONDS),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(won)


def _check(fence: Fence | None) -> None:
    """Open a write transaction and let the caller's fence refuse it (the scheduler's lease check:
    it raises when this process is no longer the active scheduler)."""
    begin_write()
    if fence is not None:
        fence()


def _renew_claim(message_id: int, claimant: str, fence: Fence | None = None) -> bool:
    """Still mine? Extend the deadline before sending; False if another delivery took it over."""
    _check(fence)
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == claimant,
        )
        .values(locked_until=now() + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_pending(limit: int = 100, transport=None, at: datetime | None = None,
                    fence: Fence | None = None) -> DeliveryReport:
    """Send due messages; each outcome is committed on its own so a crash half-way loses nothing.

    `fence` (optional) is called inside the write transaction of every claim and claim renewal,
    before it; it raises to stop the run (the scheduler refuses work from a stale leader)."""
    report = DeliveryReport()
    transport = transport or make_transport()
    config = current_app.config
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    base_delay = config.get("MAIL_RETRY_BASE_SECONDS", 60)
    sender = config["MAIL_FROM"]
    claimant = new_claimant()
    try:
        for message_id in claim_batch(limit, claimant, at=at, fence=fence):
            if not _renew_claim(message_id, claimant, fence):
                report.skipped += 1
                continue
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if message is None:
                continue
            email = build_email(message, sender)
            db.session.commit()  # no transaction stays open while talking to the SMTP server
            try:
                transport.send(email, message)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                transport.close()
                begin_write()
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                message.locked_until = None
                message.claimed_by = None
                if message.attempts >= max_attempts:
                    message.status = OutboxStatus.DEAD
                    report.dead += 1
                    current_app.logger.error("outbox message %s is dead: %s", message.id, message.last_error)
                else:
                    message.status = OutboxStatus.PENDING
                    message.next_attempt_at = now() + retry_delay(message.attempts, base_delay)
                    report.failed += 1
                    current_app.logger.warning(
                        "outbox message %s failed (attempt %s): %s", message.id, message.attempts, message.last_error
                    )
            else:
                begin_write()
                message.attempts += 1
                message.status = OutboxStatus.SENT
                message.sent_at = now()
                message.locked_until = None
                message.claimed_by = None
                message.last_error = None
                report.sent += 1
            db.session.commit()
    finally:
        transport.close()
    return report


def retry_dead(message_ids: list[int] | None = None, commit: bool = True) -> int:
    """Put dead messages back in the queue (all, or the given ones). Starts its own write
    transaction; commits unless `commit=False` (the caller then adds e.g. an audit entry)."""
    begin_write()
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now(), locked_until=None,
                     claimed_by=None).execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return result.rowcount


def counts_by_status() -> dict[str, int]:
    """{"pending": n, "sending": n, "sent": n, "dead": n} in one GROUP BY query."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        counts[OutboxStatus(status).value] = count
    return counts
