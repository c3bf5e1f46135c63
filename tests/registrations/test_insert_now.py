"""insert_now writes new objects with plain INSERTs (on PostgreSQL the audit entry as a CTE of the
message's INSERT): the rows must be exactly those a flush of the same objects writes."""

from __future__ import annotations

from sqlalchemy import inspect, select

from app import audit
from app.audit.models import AuditEntry
from app.notifications.models import OutboxMessage
from app.notifications.outbox import Attachment, CalendarPart, Recipient, enqueue
from app.registrations.transactions import insert_now


def _pair(db, user, tag: str, **message):
    entry = audit.build(user, "registration.register", ("Registration", 7),
                        {"status": [None, "confirmed"], "role": "participant", "event_id": 3}, summary=tag)
    built = enqueue(Recipient(user.email, user.name, user.id), f"Subject {tag}", "text ü", kind=f"test.{tag}", **message)
    db.session.expunge(built)
    return entry, built


def _columns(obj, skip=("id", "message_id", "kind", "subject", "summary", "at", "created_at", "next_attempt_at")):
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs if attr.key not in skip}


def _written(db, tag: str):
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.summary == tag)).one()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == f"test.{tag}")).one()
    return entry, message


def test_insert_now_writes_what_a_flush_writes(db, make):
    user = make.user()
    for message in ({}, {"attachments": [Attachment("invite.ics", "text/calendar", "BEGIN:VCALENDAR", method="REQUEST")],
                         "calendar": CalendarPart("REQUEST", "BEGIN:VCALENDAR"), "dedupe_key": "k:1",
                         "reply_to": "x@example.org", "html_body": "<p>é</p>"}):
        flushed, direct = _pair(db, user, "flushed", **message), _pair(db, user, "direct", **{
            **message, **({"dedupe_key": "k:2"} if "dedupe_key" in message else {})})
        db.session.add_all(flushed)
        db.session.flush()
        insert_now(direct)
        db.session.commit()
        db.session.expire_all()
        by_flush, by_insert = _written(db, "flushed"), _written(db, "direct")
        for a, b in zip(by_flush, by_insert, strict=True):
            left, right = _columns(a), _columns(b)
            if "dedupe_key" in left and left["dedupe_key"]:
                left["dedupe_key"] = right["dedupe_key"] = None
            assert left == right
        db.session.execute(AuditEntry.__table__.delete())
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
