"""An admin puts dead outbox messages back in the queue: the retry and its audit entry, in one
transaction."""

from __future__ import annotations

from app.audit import record as audit_record
from app.extensions import db
from app.notifications.delivery import retry_dead


def retry_dead_messages(actor, ids: list[int] | None) -> int:
    """Queue the given dead messages (all of them when `ids` is None) again, audited; committed.
    Returns how many were queued."""
    count = retry_dead(ids, commit=False)
    audit_record(actor, "outbox.retry_dead", ("OutboxMessage", ids[0] if ids else None),
                 {"message_ids": ids or "all"}, summary=f"{count} dead message(s) queued again")
    db.session.commit()
    return count
