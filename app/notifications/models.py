"""The outbox: every email, stored in the transaction of the change that causes it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import LabelledEnum, UTCDateTime, str_enum
from app.extensions import db


class OutboxStatus(LabelledEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    __labels__ = {"pending": _l("Pending"), "sending": _l("Sending"), "sent": _l("Sent"), "dead": _l("Dead")}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable Message-ID, so a retried delivery is recognisable by the receiving side.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    kind: Mapped[str] = mapped_column(String(64), default="generic", index=True)
    # De-duplication key for idempotent producers (reminders, digests): unique when set.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to: Mapped[list] = mapped_column(JSON, default=list)
    cc: Mapped[list] = mapped_column(JSON, default=list)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "content" (text) or "content_b64", "method" (for text/calendar)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # A text/calendar part sent inline as an RFC 6047 invitation: {"method", "content"}.
    calendar: Mapped[dict | None] = mapped_column(JSON)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which delivery run holds the claim: a sender re-checks it just before sending, so a claim that
    # expired and was taken over by another delivery is never sent by both.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailServerState(db.Model):
    """One SMTP server's health as delivery saw it: failures of the server itself (refused, timed out,
    dropped) in a row, and until when delivery leaves it alone. A success deletes the row."""

    __tablename__ = "mail_server_states"

    # "host:port" as configured: a new server starts with a clean record.
    server: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    backoff_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
