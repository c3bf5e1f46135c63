"""The outbox job: send what is pending."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.notifications.delivery import deliver_pending
from app.scheduler.fencing import fence
from app.scheduler.jobs.work import JobResult


def run_deliver_outbox(at: datetime) -> JobResult:
    """Send what is pending in the outbox, batch after batch for up to MAIL_RUN_SECONDS (temporary
    failures retry with growing delays; a 5xx reply or MAIL_MAX_ATTEMPTS makes a message dead).
    Every claim first checks the fencing token: a scheduler that lost its lease sends nothing more."""
    limit = int(current_app.config.get("MAIL_BATCH_SIZE", 200))
    report = deliver_pending(limit=limit, at=at, fence=fence)
    result = JobResult(sent=report.sent, skipped=report.skipped, detail=str(report))
    if report.failed or report.dead or report.deferred:
        result.detail += " (failures are retried; see the outbox)"
    return result
