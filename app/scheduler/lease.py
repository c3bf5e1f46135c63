"""The scheduler lease: one row in scheduler_leases says which process may run the jobs.

A process acquires the lease under the row's lock (free, expired, or already mine), or with an
INSERT when the row does not exist yet (a concurrent INSERT loses on the primary key). Each change of
holder raises the row's generation: the fencing token every job's writes check (fencing.py). The holder
renews it on every heartbeat; a standby keeps trying and takes over once the holder stopped renewing
for SCHEDULER_LEASE_SECONDS. Times come from app.timeutil.now(), so scheduler hosts need a
synchronised clock (NTP), as any lease does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.notifications.delivery import begin_write
from app.scheduler.fencing import Token
from app.scheduler.models import SchedulerLease
from app.timeutil import now

LEASE_NAME = "scheduler"


def lease_seconds() -> int:
    return int(current_app.config.get("SCHEDULER_LEASE_SECONDS", 60))


def acquire(holder: str, at: datetime | None = None, name: str = LEASE_NAME,
            seconds: int | None = None) -> bool:
    """Take or renew the lease for `holder`. True if `holder` holds it afterwards. Commits.

    The time is read after the lock is obtained (BEGIN IMMEDIATE on SQLite may wait behind a writer;
    SELECT ... FOR UPDATE on PostgreSQL behind a batch fencing on the row), so a renewal that waited
    never writes an expiry already in the past. Taking the lease from another holder raises its
    generation (the fencing token, app.scheduler.fencing)."""
    begin_write()
    row = db.session.scalar(
        select(SchedulerLease).where(SchedulerLease.name == name).with_for_update()
        .execution_options(populate_existing=True)
    )
    instant = at or now()
    expires = instant + timedelta(seconds=seconds or lease_seconds())
    if row is None:
        return _insert(holder, name, instant, expires)
    free = row.holder is None or row.expires_at is None or row.expires_at < instant
    if row.holder != holder and not free:
        db.session.rollback()
        return False
    if row.holder != holder:
        row.generation = (row.generation or 0) + 1
        row.holder, row.acquired_at = holder, instant
    row.heartbeat_at, row.expires_at = instant, expires
    db.session.commit()
    return True


def _insert(holder: str, name: str, instant: datetime, expires: datetime) -> bool:
    try:
        db.session.add(SchedulerLease(name=name, holder=holder, acquired_at=instant, heartbeat_at=instant,
                                      expires_at=expires, generation=1))
        db.session.commit()
        return True
    except IntegrityError:  # another process inserted it first
        db.session.rollback()
        return False


def token(holder: str, at: datetime | None = None, name: str = LEASE_NAME) -> Token | None:
    """The fencing token `holder` holds now (None when it does not hold the lease)."""
    instant = at or now()
    generation = db.session.scalar(
        select(SchedulerLease.generation).where(
            SchedulerLease.name == name, SchedulerLease.holder == holder, SchedulerLease.expires_at > instant,
        )
    )
    return None if generation is None else Token(holder, generation, name)


def release(holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up (on a clean shutdown), so a standby takes over at once."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def holds(holder: str, at: datetime | None = None, name: str = LEASE_NAME) -> bool:
    instant = at or now()
    row = db.session.scalar(
        select(SchedulerLease.name).where(
            SchedulerLease.name == name,
            SchedulerLease.holder == holder,
            SchedulerLease.expires_at > instant,
        )
    )
    return row is not None


@dataclass
class LeaseState:
    holder: str | None
    acquired_at: datetime | None
    heartbeat_at: datetime | None
    expires_at: datetime | None
    is_alive: bool


def state(at: datetime | None = None, name: str = LEASE_NAME) -> LeaseState | None:
    row = db.session.get(SchedulerLease, name)
    if row is None:
        return None
    instant = at or now()
    return LeaseState(
        holder=row.holder,
        acquired_at=row.acquired_at,
        heartbeat_at=row.heartbeat_at,
        expires_at=row.expires_at,
        is_alive=bool(row.holder and row.expires_at and row.expires_at > instant),
    )
