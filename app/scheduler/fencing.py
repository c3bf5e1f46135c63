"""Fencing: work from a scheduler that lost its lease is refused by the database.

A scheduler can be paused (SIGSTOP, a long GC pause, a frozen VM) past its lease and wake up in the
middle of a job while another process already took over. Each time a different holder takes the lease,
its generation number goes up (app.scheduler.lease.acquire). The runner hands the job the token it
holds (holder + generation) and every write transaction of a job starts with `fence()`: a conditional
UPDATE of the lease row that matches only while this holder, with this generation, still holds an
unexpired lease. When it matches nothing, the transaction is rolled back and `LostLease` raised, so
the stale leader writes nothing more and sends nothing (the delivery job passes `fence` to
app.notifications.delivery, which checks it before each claim). The UPDATE also orders the batch and
a takeover: on PostgreSQL it holds the lease row until the batch commits, on SQLite the batch holds
the write lock; either way a takeover comes entirely before or after a batch.

Code run without a token (tests calling a job directly, `flask scheduler run-once`) is not fenced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import update

from app.extensions import db
from app.scheduler.models import SchedulerLease
from app.timeutil import now


class LostLease(Exception):
    """This process no longer holds the scheduler lease it ran the job under."""


@dataclass(frozen=True)
class Token:
    holder: str
    generation: int
    name: str = "scheduler"


_current: ContextVar[Token | None] = ContextVar("scheduler_fencing_token", default=None)


@contextmanager
def fenced(token: Token | None) -> Iterator[None]:
    """Run the block's jobs under `token` (None: unfenced)."""
    reset = _current.set(token)
    try:
        yield
    finally:
        _current.reset(reset)


def current_token() -> Token | None:
    return _current.get()


def still_leader(token: Token | None = None) -> bool:
    """In the current (write) transaction: does the token still hold an unexpired lease? Locks the
    lease row until the transaction ends (PostgreSQL). True when there is no token."""
    token = token or _current.get()
    if token is None:
        return True
    result = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == token.name,
            SchedulerLease.holder == token.holder,
            SchedulerLease.generation == token.generation,
            SchedulerLease.expires_at > now(),
        )
        .values(generation=SchedulerLease.generation)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fence(token: Token | None = None) -> None:
    """Call first in each write transaction of a job: raises LostLease (after a rollback) when this
    process's lease was taken over or expired."""
    if not still_leader(token):
        db.session.rollback()
        held = token or _current.get()
        raise LostLease(f"{held.holder} no longer holds lease generation {held.generation}")
