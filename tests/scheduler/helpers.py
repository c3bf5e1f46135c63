"""Small builders for scheduler tests (registrations, lessons, actions) and outbox readers."""

from __future__ import annotations

import base64
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.lessons.models import TLP, ActionStatus, FollowUpAction, Lesson, LessonKind, LessonStatus
from app.notifications.models import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus


def register(event, user, status=RegistrationStatus.CONFIRMED, **kw) -> Registration:
    registration = Registration(
        event_id=event.id,
        user_id=user.id,
        status=RegistrationStatus(status),
        registered_at=kw.pop("registered_at", event.created_at),
        confirmed_at=kw.pop("confirmed_at", None),
        **kw,
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def lesson(event, title="A lesson", status=LessonStatus.SUBMITTED, tlp=TLP.GREEN, **kw) -> Lesson:
    item = Lesson(event_id=event.id, kind=kw.pop("kind", LessonKind.LESSON), title=title,
                  status=LessonStatus(status), tlp=TLP(tlp), **kw)
    db.session.add(item)
    db.session.commit()
    return item


def action(owner, due_on: date | None, title="Follow up", status=ActionStatus.OPEN, event=None, **kw):
    item = FollowUpAction(title=title, owner_user_id=owner.id if owner else None, due_on=due_on,
                          status=ActionStatus(status), event_id=event.id if event else None, **kw)
    db.session.add(item)
    db.session.commit()
    return item


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
