"""write_now writes a transaction's changed rows and its new outbox messages and audit entries in
one statement on PostgreSQL (CTEs of the last INSERT, with the change stamps): the rows and the
stamps must be those a flush (then insert_now) writes; anything else pending is flushed as before.
And a person's cancellation reads their sign-ups and the waiting list only when there are some."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from app import audit
from app.audit.models import AuditEntry
from app.cache import stamps
from app.events.models import Event
from app.notifications.models import OutboxMessage
from app.notifications.outbox import Recipient, enqueue
from app.registrations import register, sessions, transactions
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now
from tests.querycount import QueryCounter


@pytest.fixture
def moved(monkeypatch):
    """The change stamps the commits move, by name."""
    names: list[str] = []
    real_bump, real_cte = stamps._bump, transactions.bump_cte

    def bump(connection, found):
        names.extend(found)
        return real_bump(connection, found)

    def cte(found):
        names.extend(found)
        return real_cte(found)

    monkeypatch.setattr(stamps, "_bump", bump)
    monkeypatch.setattr(transactions, "bump_cte", cte)
    return names


@contextmanager
def recorded(db):
    """The statements sent but SQLite's BEGIN IMMEDIATE."""
    with QueryCounter(db.engine) as counted:
        yield counted.statements
    counted.statements[:] = [s for s in counted.statements if not s.startswith("BEGIN")]


def _cancel_by_hand(registration: Registration, tag: str, instant) -> list:
    """What a cancellation changes and adds (the registration, its event's SEQUENCE, a message); its
    audit entry is returned, for the caller to write."""
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = instant
    registration.waitlisted_at = None
    registration.event.sequence += 2
    user = registration.user
    enqueue(Recipient(user.email, user.name, user.id), f"{tag} cancelled", "text ü", kind=f"test.{tag}")
    return [audit.build(user, "registration.cancel", registration, {"status": ["confirmed", "cancelled"]}, summary=tag)]


def _state(db, registration_id: int, tag: str) -> tuple:
    registration = db.session.get(Registration, registration_id)
    skip = {"id", "event_id", "updated_at", "created_at", "registered_at", "confirmed_at", "consented_at"}
    columns = {a.key: getattr(registration, a.key) for a in inspect(Registration).column_attrs if a.key not in skip}
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == f"test.{tag}")).one()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.summary == tag)).one()
    return (columns, message.subject.split()[1], message.text_body, message.recipient_user_id,
            entry.subject_id == registration_id, entry.changes)


def test_write_now_writes_the_rows_and_moves_the_stamps_a_flush_does(db, make, moved):
    user = make.user()
    events = [make.event(capacity=5), make.event(capacity=5)]
    ids = [register.register(event, user, consent=True).registration.id for event in events]
    event_ids = [event.id for event in events]
    before = {event.id: (event.sequence, event.updated_at) for event in events}
    instant = now() - timedelta(minutes=3)
    found = {}
    for tag, registration_id, event_id in (("flushed", ids[0], event_ids[0]), ("direct", ids[1], event_ids[1])):
        entries = _cancel_by_hand(db.session.get(Registration, registration_id), tag, instant)
        del moved[:]
        with recorded(db) as statements:
            if tag == "flushed":
                db.session.flush()
                transactions.insert_now(entries, last=True)
            else:
                transactions.write_now(entries, last=True)
                assert not (db.session.new or db.session.dirty or db.session.deleted)
            db.session.commit()
        found[tag] = (sorted(name.replace(f"@{event_id}", "@N") for name in moved), statements)
    if db.engine.dialect.name == "postgresql":
        assert len(found["direct"][1]) == 1, found["direct"][1]  # was 4: two UPDATEs, the message, the rest
    db.session.expire_all()
    assert _state(db, ids[0], "flushed") == _state(db, ids[1], "direct")
    assert found["flushed"][0] == found["direct"][0]
    assert {"events", "registrations"} <= set(found["direct"][0])
    for event_id in event_ids:
        event = db.session.get(Event, event_id)
        assert event.sequence == before[event_id][0] + 2 and event.updated_at > before[event_id][1]


def test_write_now_flushes_what_it_cannot_write_itself(db, make):
    """A new object of another kind pending (here a registration): the flush writes it, as before."""
    user, other = make.user(), make.user()
    event = make.event(capacity=5)
    registration = register.register(event, user, consent=True).registration
    entries = _cancel_by_hand(db.session.get(Registration, registration.id), "fallback", now())
    db.session.add(Registration(event_id=event.id, user_id=other.id, status=RegistrationStatus.PENDING))
    transactions.write_now(entries, last=True)
    db.session.commit()
    assert sorted(db.session.scalars(select(Registration.status).where(Registration.event_id == event.id))) == sorted(
        [RegistrationStatus.CANCELLED, RegistrationStatus.PENDING])
    assert db.session.scalars(select(AuditEntry.summary).where(AuditEntry.summary == "fallback")).all() == ["fallback"]


def _cancel(client, event_id):
    return client.post(f"/events/{event_id}/registration/cancel")


def test_a_cancellation_reads_sign_ups_and_the_waiting_list_only_when_there_are_some(db, make, login):
    event = make.event(capacity=1, kind="training")
    event_id = event.id
    holder, waiting = make.user(), make.user()
    holder_client = login(holder)
    holder_client.post(f"/events/{event_id}/register", data={"role": "participant", "consent": "y"})
    with recorded(db) as statements:
        assert _cancel(holder_client, event_id).status_code == 302
    assert not [s for s in statements if "FROM session_signups JOIN sessions" in s or " LIMIT " in s], statements

    # With a sign-up and someone waiting: the sign-up is cancelled (and its place given on), the seat too.
    session = make.session(event, has_signup=True, capacity=1)
    session_id = session.id
    first = make.user()
    first_client = login(first)
    for client in (first_client, login(waiting)):
        client.post(f"/events/{event_id}/register", data={"role": "participant", "consent": "y"})
    signup = sessions.sign_up_for_session(db.session.get(Event, event_id).sessions[0], db.session.merge(first))
    assert signup.ok and signup.signup.status == SessionSignupStatus.CONFIRMED
    with recorded(db) as statements:
        assert _cancel(first_client, event_id).status_code == 302
    assert [s for s in statements if "FROM session_signups JOIN sessions" in s]
    assert [s for s in statements if " LIMIT " in s]
    db.session.expire_all()
    assert db.session.scalars(select(SessionSignup.status).where(SessionSignup.session_id == session_id)).all() == [
        SessionSignupStatus.CANCELLED]
    assert db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)
                              .order_by(Registration.id)).all() == [
        RegistrationStatus.CANCELLED, RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_user_id == first.id)
                               .order_by(OutboxMessage.id)).all()
    assert kinds[-2:] == ["calendar.registration_cancelled", "calendar.session_cancelled"], kinds
