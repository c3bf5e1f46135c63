"""Fencing: a scheduler paused past its lease wakes up and is refused by the database; the lease
time is read after the lock; job_runs names the holder that actually ran the job."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.notifications.models import OutboxStatus
from app.scheduler import fencing, lease
from app.scheduler.jobs import work
from app.scheduler.jobs.delivery import run_deliver_outbox
from app.scheduler.models import JobRun, SchedulerLease
from app.scheduler.runner import execute
from app.timeutil import now, set_now
from tests.factories import registration as register
from tests.scheduler.outbox import outbox

T0 = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
START = T0 + timedelta(hours=20)  # the 1-day reminder is due at T0


def _generation() -> int:
    db_row = lease.db.session.get(SchedulerLease, lease.LEASE_NAME, populate_existing=True)
    lease.db.session.rollback()
    return db_row.generation


def test_generation_rises_only_when_another_holder_takes_the_lease(app, db):
    set_now(T0)
    assert lease.acquire("alpha")
    first = _generation()
    set_now(T0 + timedelta(seconds=30))
    assert lease.acquire("alpha")  # a renewal keeps the token
    assert _generation() == first
    set_now(T0 + timedelta(seconds=200))
    assert lease.acquire("alpha")  # expired, nobody took it: still alpha's, same token
    assert _generation() == first
    set_now(T0 + timedelta(seconds=300))
    assert lease.acquire("beta")
    assert _generation() == first + 1
    assert lease.token("beta") == fencing.Token("beta", first + 1)
    assert lease.token("alpha") is None


@pytest.fixture
def crowd(make):
    set_now(T0 - timedelta(days=30))
    event = make.event("Joint investigation workshop", starts_at=START, reminder_days="1")
    people = [make.user(name=f"Participant {i}") for i in range(5)]
    for person in people:
        register(event, person)
    return event, people


def test_a_paused_leader_is_refused_after_a_takeover_and_nothing_goes_out_twice(app, db, crowd, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_BATCH_SIZE", 2)
    set_now(T0)
    assert lease.acquire("alpha")
    alpha = lease.token("alpha")

    def pause_then_takeover(_what):
        # alpha "freezes" after its first batch: its lease expires and beta takes over.
        work.AFTER_BATCH.clear()
        set_now(T0 + timedelta(seconds=lease.lease_seconds() + 1))
        assert lease.acquire("beta")

    monkeypatch.setattr(work, "AFTER_BATCH", [pause_then_takeover])
    with pytest.raises(fencing.LostLease):
        execute("reminders", at=T0, holder="alpha", token=alpha)
    assert len(outbox("reminder")) == 2  # the first batch only: the second was refused

    # alpha's delivery is refused too: it claims nothing and sends nothing.
    with fencing.fenced(alpha), pytest.raises(fencing.LostLease):
        run_deliver_outbox(now())
    assert {m.status for m in outbox()} == {OutboxStatus.PENDING}

    # beta, the leader, finishes the job: each participant is reminded exactly once.
    beta = lease.token("beta")
    assert beta.generation == alpha.generation + 1
    result = execute("reminders", at=T0, holder="beta", token=beta)
    assert result.sent == 3
    reminders = outbox("reminder")
    assert sorted(m.recipient_user_id for m in reminders) == sorted(p.id for p in crowd[1])
    with fencing.fenced(beta):
        assert run_deliver_outbox(now()).sent == 5
    assert {m.status for m in outbox()} == {OutboxStatus.SENT}

    # job_runs names the holder that actually ran the job; alpha's stale run recorded nothing more.
    run = db.session.get(JobRun, "reminders", populate_existing=True)
    assert run.holder == "beta" and run.last_outcome == "ok"


def test_a_stale_leader_records_no_job_run(app, db):
    set_now(T0)
    assert lease.acquire("alpha")
    alpha = lease.token("alpha")
    set_now(T0 + timedelta(seconds=lease.lease_seconds() + 1))
    assert lease.acquire("beta")
    with pytest.raises(fencing.LostLease):
        execute("deliver_outbox", holder="alpha", token=alpha)
    db.session.rollback()
    assert db.session.get(JobRun, "deliver_outbox") is None


def test_a_renewal_that_waited_behind_a_writer_writes_a_future_expiry(app, db):
    """Another connection holds the write lock (SQLite) / the lease row (PostgreSQL) while the
    holder's renewal waits; the clock moves past the old expiry meanwhile. The renewal must base the
    new expiry on the time after it got the lock."""
    set_now(T0)
    assert lease.acquire("alpha")
    db.session.remove()
    waiting, outcome = threading.Event(), {}
    blocker = db.engine.connect()
    transaction = blocker.begin()
    blocker.execute(text("UPDATE scheduler_leases SET heartbeat_at = heartbeat_at WHERE name = 'scheduler'"))

    def renew():
        with app.app_context():
            waiting.set()
            outcome["held"] = lease.acquire("alpha")
            lease.db.session.remove()

    thread = threading.Thread(target=renew)
    thread.start()
    assert waiting.wait(10)
    late = T0 + timedelta(seconds=lease.lease_seconds() * 2)
    set_now(late)  # the writer took long: by the time the renewal gets the lock, the old expiry passed
    transaction.commit()
    blocker.close()
    thread.join(30)
    assert outcome["held"] is True
    row = db.session.get(SchedulerLease, lease.LEASE_NAME, populate_existing=True)
    assert row.expires_at > late
    assert lease.holds("alpha")
