"""The one door for email: `enqueue()` writes a message to the outbox in the caller's transaction.

Nothing is sent here. The delivery job (app.notifications.delivery) sends what is pending after the
transaction committed, so no message goes out for a change that rolled back, and none is lost.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formataddr

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus
from app.timeutil import now


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes | str
    # For text/calendar attachments: the iTIP METHOD (PUBLISH, REQUEST, CANCEL).
    method: str | None = None

    def to_json(self) -> dict:
        data = self.content.encode("utf-8") if isinstance(self.content, str) else self.content
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content_b64": base64.b64encode(data).decode("ascii"),
            "method": self.method,
        }


@dataclass
class Recipient:
    email: str
    name: str | None = None
    user_id: int | None = None

    def formatted(self) -> str:
        return formataddr((one_line(self.name or ""), one_line(self.email)))


def one_line(value: str) -> str:
    """A header value on one line: a name, a subject or a title typed with a line break (or
    carrying one from an import) must never add a header of its own, nor make the message
    unsendable at delivery (Python's email package refuses CR and LF in headers)."""
    return " ".join(value.splitlines()).strip() if value else value


@dataclass
class CalendarPart:
    """An iTIP body part (RFC 6047): text/calendar; method=METHOD; charset=UTF-8."""

    method: str
    content: str
    extra: dict = field(default_factory=dict)


def enqueue(
    to: Recipient | Iterable[Recipient],
    subject: str,
    text_body: str,
    html_body: str | None = None,
    *,
    kind: str = "generic",
    attachments: Iterable[Attachment] = (),
    calendar: CalendarPart | None = None,
    dedupe_key: str | None = None,
    reply_to: str | None = None,
    headers: dict | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox in the current transaction. The caller commits.

    With a `dedupe_key`, a second message with the same key is not added (returns None), which
    makes producers such as reminders idempotent.
    """
    recipients = [to] if isinstance(to, Recipient) else list(to)
    recipients = [r for r in recipients if r.email]
    if not recipients:
        return None
    if dedupe_key is not None:
        pending = [
            obj for obj in db.session.new
            if isinstance(obj, OutboxMessage) and obj.dedupe_key == dedupe_key
        ]
        exists = pending or db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if exists:
            return None
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0] or "liaison.local"
    instant = now()
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        status=OutboxStatus.PENDING,
        kind=kind,
        dedupe_key=dedupe_key,
        recipient_user_id=recipients[0].user_id if len(recipients) == 1 else None,
        to=[r.formatted() for r in recipients],
        cc=[],
        reply_to=one_line(reply_to) if reply_to else None,
        subject=one_line(subject)[:300],
        text_body=text_body,
        html_body=html_body,
        attachments=[a.to_json() for a in attachments],
        calendar={"method": calendar.method, "content": calendar.content, **calendar.extra} if calendar else None,
        headers={name: one_line(str(value)) for name, value in (headers or {}).items()},
        attempts=0,
        created_at=instant,
        next_attempt_at=instant,
    )
    db.session.add(message)
    return message


MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
MARK_SENT_CHUNK = 500


def message_ids_in(lines: Iterable[str]) -> list[str]:
    """Message-IDs found in lines of text: `<id@host>` anywhere in a line (a mail log's `message-id=<...>`,
    an .eml file's `Message-ID:` header), or a bare `id@host` line."""
    found = []
    for line in lines:
        line = line.strip()
        matches = MESSAGE_ID.findall(line)
        if matches:
            found += matches
        elif line and not line.startswith("#") and "@" in line and " " not in line:
            found.append(f"<{line.strip('<>')}>")
    return found


def mark_sent(message_ids: Iterable[str]) -> int:
    """After a database restore: record as sent the messages a mail server already accepted, so the
    delivery job does not send them a second time. Returns how many changed; the caller commits."""
    wanted = sorted(set(message_ids))
    changed = 0
    for start in range(0, len(wanted), MARK_SENT_CHUNK):
        chunk = wanted[start:start + MARK_SENT_CHUNK]
        messages = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.message_id.in_(chunk), OutboxMessage.status != OutboxStatus.SENT))
        for message in messages:
            message.status = OutboxStatus.SENT
            message.sent_at = now()
            message.locked_until = None
            message.claimed_by = None
            message.last_error = "marked sent after a restore: the mail server had accepted it"
            changed += 1
    return changed
