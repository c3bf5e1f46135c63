"""Delivery of pending outbox messages: to .eml files (development) or over SMTP."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.notifications.mime import build_email
from app.notifications.models import OutboxMessage, OutboxStatus
from app.timeutil import now

CLAIM_SECONDS = 300


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4, 8 ... minutes, capped at 6 hours.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class FileTransport:
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
    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c["MAIL_SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=c["MAIL_SMTP_TIMEOUT"],
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=c["MAIL_SMTP_TIMEOUT"])
            if c["MAIL_SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
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
            except smtplib.SMTPException:
                pass
            self.connection = None


def make_transport():
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])


def claim_batch(limit: int, holder: str = "delivery") -> list[int]:
    """Mark up to `limit` due messages as SENDING (a claim with a deadline) and return their ids.

    The claim is an UPDATE ... WHERE status=PENDING guarded per row, so two deliveries racing never
    both claim a message: the second UPDATE matches zero rows for it.
    """
    instant = now()
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= instant),
                # A claim whose process died mid-send: take it back after the deadline.
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until < instant),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed: list[int] = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .where(
                or_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until < instant),
                )
            )
            .values(status=OutboxStatus.SENDING, locked_until=instant + timedelta(seconds=CLAIM_SECONDS))
        )
        if result.rowcount == 1:
            claimed.append(message_id)
        db.session.commit()
    return claimed


def deliver_pending(limit: int = 100, transport=None) -> DeliveryReport:
    """Send due messages; each outcome is committed on its own so a crash half-way loses nothing."""
    report = DeliveryReport()
    transport = transport or make_transport()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    sender = current_app.config["MAIL_FROM"]
    try:
        for message_id in claim_batch(limit):
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.status != OutboxStatus.SENDING:
                continue
            message.attempts += 1
            try:
                transport.send(build_email(message, sender), message)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                transport.close()
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                message.locked_until = None
                if message.attempts >= max_attempts:
                    message.status = OutboxStatus.DEAD
                    report.dead += 1
                else:
                    message.status = OutboxStatus.PENDING
                    message.next_attempt_at = now() + _retry_delay(message.attempts)
                    report.failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = now()
                message.locked_until = None
                message.last_error = None
                report.sent += 1
            db.session.commit()
    finally:
        transport.close()
    return report


def retry_dead(message_ids: list[int] | None = None) -> int:
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now(), locked_until=None)
    )
    db.session.commit()
    return result.rowcount
