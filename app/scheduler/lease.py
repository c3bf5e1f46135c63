"""The scheduler lease: one row in scheduler_leases says which process may run the jobs.

A process acquires the lease with a conditional UPDATE (free, expired, or already mine), or an
INSERT when the row does not exist yet (a concurrent INSERT loses on the primary key). The holder
renews it on every heartbeat; a standby keeps trying and takes over once the holder stopped renewing
for SCHEDULER_LEASE_SECONDS. Times come from app.timeutil.now(), so scheduler hosts need a
synchronised clock (NTP), as any lease does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.notifications.delivery import begin_write
from app.scheduler.models import SchedulerLease
from app.timeutil import now

LEASE_NAME = "scheduler"


def lease_seconds() -> int:
    return int(current_app.config.get("SCHEDULER_LEASE_SECONDS", 60))


def acquire(holder: str, at: datetime | None = None, name: str = LEASE_NAME,
            seconds: int | None = None) -> bool:
    """Take or renew the lease for `holder`. True if `holder` holds it afterwards. Commits."""
    instant = at or now()
    expires = instant + timedelta(seconds=seconds or lease_seconds())
    db.session.commit()  # start from a fresh transaction: the UPDATE below is its first statement
    renewed = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(heartbeat_at=instant, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount == 1:
        db.session.commit()
        return True
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name)
        .where(
            or_(
                SchedulerLease.holder.is_(None),
                SchedulerLease.expires_at.is_(None),
                SchedulerLease.expires_at < instant,
            )
        )
        .values(holder=holder, acquired_at=instant, heartbeat_at=instant, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    begin_write()
    exists = db.session.scalar(select(SchedulerLease.name).where(SchedulerLease.name == name))
    if exists:
        db.session.rollback()
        return False
    try:
        db.session.add(
            SchedulerLease(name=name, holder=holder, acquired_at=instant, heartbeat_at=instant, expires_at=expires)
        )
        db.session.commit()
        return True
    except IntegrityError:  # another process inserted it first
        db.session.rollback()
        return False


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
