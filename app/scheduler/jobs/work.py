"""What every job shares: its result, and the steps of a unit of work (claim a marker with a
conditional UPDATE, queue a message, record a failure without stopping the other units)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from app.events.models import Event
from app.extensions import db
from app.notifications.delivery import begin_write
from app.notifications.services import PreparedEmail
from app.scheduler.fencing import LostLease, fence


@dataclass
class JobResult:
    sent: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = self.detail or f"{self.sent} message(s) queued"
        if self.errors:
            text += f"; {len(self.errors)} error(s): " + " | ".join(self.errors[:5])
        return text


# Called with the job's name after each committed batch (tests hook in here to simulate a crash or
# a paused leader between two batches).
AFTER_BATCH: list[Callable[[str], None]] = []


def batch_size() -> int:
    """How many units (e.g. registrations) one write transaction of a job handles."""
    return max(1, int(current_app.config.get("SCHEDULER_BATCH_SIZE", 200)))


@dataclass
class Unit:
    """One idempotent unit of a batch: `claim` marks it done (a conditional UPDATE, False when
    another run did it), and its emails (rendered beforehand) are queued in the same transaction."""

    claim: Callable[[], bool]
    emails: list[PreparedEmail] = field(default_factory=list)


def commit_batch(units: list[Unit], result: JobResult, what: str) -> None:
    """One short write transaction (BEGIN IMMEDIATE on SQLite): check the fencing token, claim each
    unit and queue its emails, commit. A crash before the commit leaves the whole batch to the next
    run; after it, nothing of it is done again."""
    begin_write()
    fence()
    for unit in units:
        if not unit.claim():
            result.skipped += 1
            continue
        for email in unit.emails:
            result.sent += int(email.enqueue() is not None)
    db.session.commit()
    for hook in AFTER_BATCH:
        hook(what)


def claim(model, row_id: int, *conditions, **values) -> bool:
    """Conditional UPDATE of one row: True if this transaction won it (the marker was still unset)."""
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fail(result: JobResult, what: str, error: Exception) -> None:
    """Record one unit's failure (the job goes on with the others); a lost lease stops the job."""
    db.session.rollback()
    if isinstance(error, LostLease):
        raise error
    current_app.logger.exception("scheduler: %s failed", what)
    result.errors.append(f"{what}: {type(error).__name__}: {error}"[:300])


def for_each_claimed_event(event_ids: list[int], marker: str, at: datetime, result: JobResult, what: str,
                           prepare: Callable[[Event], list[PreparedEmail]]) -> None:
    """For each event, one unit of work: `prepare` renders its emails (read-only, before the write
    lock), then one write transaction claims its `marker` column (still unset) by setting it to
    `at` and queues them. An event another run claimed first is skipped; a failing one is recorded
    as "`what` <id>" and does not stop the others."""
    for event_id in event_ids:
        try:
            event = db.session.get(Event, event_id, populate_existing=True)
            emails = prepare(event)
            unit = Unit(lambda event_id=event_id: claim(Event, event_id, getattr(Event, marker).is_(None),
                                                        **{marker: at}), emails)
            commit_batch([unit], result, what)
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            fail(result, f"{what} {event_id}", error)
