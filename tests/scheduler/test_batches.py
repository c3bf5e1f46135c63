"""Jobs work in short write transactions: a big event's reminders commit batch by batch, no
transaction holds more than one batch, and a crash between batches loses and repeats nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.notifications.models import OutboxMessage
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus
from app.scheduler.jobs import work
from app.scheduler.jobs.post_event import run_post_event
from app.scheduler.jobs.reminders import run_reminders
from app.timeutil import set_now
from tests.scheduler.outbox import outbox

T0 = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
START = T0 + timedelta(hours=20)  # the 1-day reminder is due at T0
PEOPLE = 2000
BATCH = 200


def crowd(db, event, count: int) -> None:
    """`count` confirmed participants, inserted in bulk (the factories commit one by one)."""
    password = hash_password("not used in this test")
    db.session.execute(insert(User), [
        {"email": f"crowd{i}@example.org", "name": f"Participant {i}", "password_hash": password,
         "role": Role.MEMBER, "timezone": "Europe/Brussels", "email_confirmed_at": T0 - timedelta(days=40)}
        for i in range(count)
    ])
    ids = [user_id for (user_id,) in db.session.query(User.id).filter(User.email.like("crowd%@example.org"))]
    db.session.execute(insert(Registration), [
        {"event_id": event.id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED,
         "role": ParticipantRole.PARTICIPANT, "registered_at": T0 - timedelta(days=30),
         "confirmed_at": T0 - timedelta(days=30)}
        for user_id in ids
    ])
    db.session.commit()


@pytest.fixture
def big_event(app, db, make, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_BATCH_SIZE", BATCH)
    set_now(T0 - timedelta(days=30))
    event = make.event("Annual cybercrime conference", starts_at=START, reminder_days="1")
    crowd(db, event, PEOPLE)
    set_now(T0)
    return event


class Transactions:
    """Counts, per committed transaction, the outbox messages it inserted."""

    def __init__(self, engine):
        self.engine = engine
        self.current = 0
        self.committed: list[int] = []

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._statement)
        sa_event.listen(self.engine, "commit", self._commit)
        sa_event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._statement)
        sa_event.remove(self.engine, "commit", self._commit)
        sa_event.remove(self.engine, "rollback", self._rollback)

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {OutboxMessage.__tablename__.upper()}"):
            self.current += len(parameters) if executemany else 1

    def _commit(self, _conn):
        if self.current:
            self.committed.append(self.current)
        self.current = 0

    def _rollback(self, _conn):
        self.current = 0


def test_a_big_event_reminders_commit_batch_by_batch(app, db, big_event):
    with Transactions(db.engine) as transactions:
        result = run_reminders(T0)
    assert result.sent == PEOPLE and result.ok
    assert len(transactions.committed) >= PEOPLE // BATCH
    assert max(transactions.committed) <= BATCH  # no transaction holds more than one batch
    assert sum(transactions.committed) == PEOPLE


class Crash(BaseException):
    """The process dies (not an error a job records and goes past)."""


def test_a_crash_between_batches_then_a_rerun_reminds_everyone_exactly_once(app, db, big_event, monkeypatch):
    done = []

    def crash_after_third_batch(what):
        done.append(what)
        if len(done) == 3:
            raise Crash("the process died")

    monkeypatch.setattr(work, "AFTER_BATCH", [crash_after_third_batch])
    with pytest.raises(Crash):
        run_reminders(T0)
    assert len(outbox("reminder")) == 3 * BATCH  # the committed batches stay
    monkeypatch.setattr(work, "AFTER_BATCH", [])
    assert run_reminders(T0).sent == PEOPLE - 3 * BATCH
    recipients = Counter(m.recipient_user_id for m in outbox("reminder"))
    assert len(recipients) == PEOPLE and set(recipients.values()) == {1}
    assert run_reminders(T0 + timedelta(hours=1)).sent == 0


def test_post_event_requests_resume_after_a_crash_without_repeating(app, db, make, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_BATCH_SIZE", 3)
    set_now(T0 - timedelta(days=30))
    organiser = make.user(role="organiser")
    event = make.event("Past workshop", starts_at=T0 - timedelta(days=2), days=1, created_by=organiser)
    crowd(db, event, 10)
    calls = []

    def crash_after_second_batch(what):
        calls.append(what)
        if len(calls) == 2:
            raise Crash("the process died")

    monkeypatch.setattr(work, "AFTER_BATCH", [crash_after_second_batch])
    set_now(T0)
    with pytest.raises(Crash):
        run_post_event(T0)
    assert len(outbox("feedback_request")) == 6 and outbox("record_lessons") == []
    monkeypatch.setattr(work, "AFTER_BATCH", [])
    run_post_event(T0 + timedelta(minutes=15))
    assert Counter(m.recipient_user_id for m in outbox("feedback_request")).most_common(1)[0][1] == 1
    assert len(outbox("feedback_request")) == 10
    assert len(outbox("record_lessons")) == 1
    assert run_post_event(T0 + timedelta(minutes=30)).sent == 0
