"""Outbox readers for scheduler tests: what was queued, who got what, and attachments."""

from __future__ import annotations

import base64

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import OutboxMessage


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    db.session.rollback()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query).all())


def who_got(kind: str | None = None) -> list[tuple[int | None, str]]:
    """[(recipient user id, kind), ...] sorted: who got what."""
    return sorted((m.recipient_user_id, m.kind) for m in outbox(kind))


def attachment(message: OutboxMessage, content_type: str) -> str | None:
    for item in message.attachments or []:
        if item["content_type"] == content_type:
            return base64.b64decode(item["content_b64"]).decode("utf-8")
    return None
