"""Read-side queries of the admin's system page: the lease, each job's last run, the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.notifications import server_state
from app.notifications.delivery import counts_by_status
from app.notifications.models import OutboxMessage, OutboxStatus
from app.scheduler import lease
from app.scheduler.jobs import JOBS
from app.scheduler.models import JobRun


def system_status(dead_limit: int) -> dict:
    """What the system page shows: the lease, each declared job with its recorded run (or None),
    the outbox counts by status, the latest `dead_limit` dead messages, the oldest pending one, and
    the mail servers with failures on record (backed off or not)."""
    runs = {row.job_id: row for row in db.session.scalars(select(JobRun)).all()}
    return {
        "lease": lease.state(),
        "jobs": [(spec, runs.get(spec.id)) for spec in JOBS],
        "counts": counts_by_status(),
        "dead": dead_messages(dead_limit),
        "oldest_pending": oldest_pending_at(),
        "mail_servers": server_state.all_states(),
    }


def dead_messages(limit: int) -> list[OutboxMessage]:
    """The latest `limit` dead outbox messages, newest first."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all())


def oldest_pending_at() -> datetime | None:
    """When the oldest message still waiting for delivery was queued (None: nothing waits)."""
    return db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )


def outbox_message_or_404(message_id: int) -> OutboxMessage:
    return db.get_or_404(OutboxMessage, message_id)
