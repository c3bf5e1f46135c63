"""How long a participant's needs (diet, accessibility, visa letter) are kept: until
NEEDS_RETENTION_DAYS after the event ends, then erased (the registration and its attendance stay).
The scheduler's needs_retention job and account deletion erase through here; organiser pages ask
here when the needs are, or were, deleted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app import audit
from app.db import begin_write
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Registration
from app.timeutil import now

# What an erased registration holds in its needs columns (rules.NEEDS_COLUMNS).
ERASED_NEEDS = {"dietary_needs": None, "accessibility_needs": None, "needs_visa_letter": False}
BATCH_SIZE = 500


def retention_days() -> int:
    return max(0, int(current_app.config.get("NEEDS_RETENTION_DAYS", 30)))


def needs_erased_after(event: Event) -> datetime:
    """The instant from which the event's needs are erased (the job runs daily: within a day of it)."""
    return event.ends_at + timedelta(days=retention_days())


def holds_needs():
    return or_(Registration.dietary_needs.is_not(None), Registration.accessibility_needs.is_not(None),
               Registration.needs_visa_letter.is_(True))


@dataclass(frozen=True)
class NeedsNotice:
    """What organisers read: "Needs are deleted on <on>" or "Needs were deleted on <on>"."""

    on: datetime
    erased: bool

    @property
    def text(self) -> str:
        if self.erased:
            return _("Participants' needs were deleted on")
        return _("Participants' needs are deleted on")


def needs_notice(event: Event) -> NeedsNotice:
    """When the event's needs are (or were) deleted. One query, only once the deadline has passed."""
    due = needs_erased_after(event)
    if due > now():
        return NeedsNotice(due, False)
    erased_at = db.session.scalar(
        select(func.max(Registration.needs_erased_at)).where(Registration.event_id == event.id)
    )
    return NeedsNotice(erased_at or due, erased_at is not None)


def _due_event_ids(cutoff: datetime) -> list[int]:
    return list(db.session.scalars(
        select(Registration.event_id).join(Event, Event.id == Registration.event_id)
        .where(Event.ends_at <= cutoff, Registration.needs_erased_at.is_(None))
        .group_by(Registration.event_id).order_by(Registration.event_id)
    ))


def _erase_batch(event_id: int, at: datetime, batch_size: int) -> int:
    ids = list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event_id, Registration.needs_erased_at.is_(None))
        .order_by(Registration.id).limit(batch_size)
    ))
    if not ids:
        return 0
    db.session.execute(
        update(Registration).where(Registration.id.in_(ids), Registration.needs_erased_at.is_(None))
        .values(**ERASED_NEEDS, needs_erased_at=at).execution_options(synchronize_session=False)
    )
    return len(ids)


def erase_event_needs(event_id: int, at: datetime, batch_size: int = BATCH_SIZE,
                      fence: Callable[[], None] | None = None) -> int:
    """Erase one event's needs in transactions of at most `batch_size` registrations (each committed);
    the last one records the audit entry with the count. Returns how many registrations it erased.
    `fence` (the scheduler's lease check) runs first in each transaction and raises to refuse it."""
    total = 0
    while True:
        begin_write(db.session)
        if fence is not None:
            fence()
        count = _erase_batch(event_id, at, batch_size)
        total += count
        if count < batch_size:
            if total:
                audit.record(None, "registration.needs_erased", ("Event", event_id),
                             {"count": total, "retention_days": retention_days()})
            db.session.commit()
            return total
        db.session.commit()


def erase_due_needs(at: datetime, batch_size: int = BATCH_SIZE,
                    fence: Callable[[], None] | None = None) -> dict[int, int]:
    """Erase the needs of every registration whose event ended more than NEEDS_RETENTION_DAYS before
    `at`. Idempotent: an erased registration is marked (needs_erased_at) and never read again.
    Returns {event_id: registrations erased}."""
    cutoff = at - timedelta(days=retention_days())
    done = {}
    for event_id in _due_event_ids(cutoff):
        done[event_id] = erase_event_needs(event_id, at, batch_size, fence)
    return done


def erase_needs_of_user(user_id: int, at: datetime | None = None) -> int:
    """A person's needs erased from all their registrations (account deletion). No commit."""
    result = db.session.execute(
        update(Registration).where(Registration.user_id == user_id, holds_needs())
        .values(**ERASED_NEEDS, needs_erased_at=at or now()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
