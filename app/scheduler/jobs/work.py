"""What every job shares: its result, and the steps of a unit of work (claim a marker with a
conditional UPDATE, queue a message, record a failure without stopping the other units)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.notifications.delivery import begin_write
from app.notifications.services import notify


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


def send(user: User, template: str, *, kind: str, dedupe_key: str, attachments=(), **context) -> bool:
    return notify(user, template, kind=kind, dedupe_key=dedupe_key, attachments=attachments, **context) is not None




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
    db.session.rollback()
    current_app.logger.exception("scheduler: %s failed", what)
    result.errors.append(f"{what}: {type(error).__name__}: {error}"[:300])


def for_each_claimed_event(event_ids: list[int], marker: str, at: datetime, result: JobResult, what: str,
                           step: Callable[[Event], None]) -> None:
    """For each event, one unit of work (a write transaction, BEGIN IMMEDIATE on SQLite, committed
    here): claim its `marker` column (still unset) by setting it to `at`, then run `step` on it. An
    event another run claimed first is skipped; a failing one is recorded as "`what` <id>" and
    does not stop the others."""
    for event_id in event_ids:
        try:
            begin_write()
            if not claim(Event, event_id, getattr(Event, marker).is_(None), **{marker: at}):
                db.session.rollback()
                result.skipped += 1
                continue
            step(db.session.get(Event, event_id, populate_existing=True))
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            fail(result, f"{what} {event_id}", error)
