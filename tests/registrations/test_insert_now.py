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


def _register(client, event_id):
    return client.post(f"/events/{event_id}/register", data={"role": "participant", "consent": "y"})


def test_a_registration_written_with_its_audit_entry_and_message_moves_its_events_stamps(db, make, login):
    """On PostgreSQL the new registration's row, its audit entry and its message go in one statement
    (its id drawn under the lock), which also moves the change stamps: the row is complete, the
    entry names it, the waiting-list notice's dedupe key names it, and the event's own stamp moves
    (not the "every event" one)."""
    from app.cache import event_stamps, stamps
    from app.registrations.models import Registration, RegistrationStatus

    event, other = make.event(capacity=1), make.event(capacity=1)
    people = [make.user(), make.user()]
    event_id, other_id = event.id, other.id
    before = stamps.read(db.session)
    before_event, before_other = event_stamps.read(db.session, event_id), event_stamps.read(db.session, other_id)
    for person in people:
        assert _register(login(person), event_id).status_code == 302
    db.session.expire_all()
    after = stamps.read(db.session)
    assert after["registrations"] != before.get("registrations")
    assert after.get("registrations@*") == before.get("registrations@*")
    assert event_stamps.read(db.session, event_id)["registrations"] != before_event.get("registrations")
    assert event_stamps.read(db.session, other_id).get("registrations") == before_other.get("registrations")
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)).all()
    assert [(r.user_id, r.status) for r in rows] == [(people[0].id, RegistrationStatus.CONFIRMED),
                                                    (people[1].id, RegistrationStatus.WAITLISTED)]
    confirmed, waitlisted = rows
    assert confirmed.confirmed_at and confirmed.registered_at and confirmed.consented_at and not confirmed.waitlisted_at
    assert waitlisted.waitlisted_at and not waitlisted.confirmed_at
    for row in rows:
        assert row.created_at and row.updated_at and row.needs_visa_letter is False and row.added_by_id is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.register",
                                                             AuditEntry.subject_id == row.id)).one()
        assert entry.subject_type == "Registration" and entry.actor_id == row.user_id
    kinds = db.session.execute(select(OutboxMessage.recipient_user_id, OutboxMessage.kind, OutboxMessage.dedupe_key)
                               .order_by(OutboxMessage.id)).all()
    assert [(user_id, kind) for user_id, kind, _ in kinds] == [(people[0].id, "calendar.invitation"),
                                                               (people[1].id, "registration.waitlisted")]
    assert kinds[1][2].startswith(f"registration:{waitlisted.id}:waitlisted:")
