"""After a call for contributions closes (its deadline passed): its event's organisers are told,
once, how many proposals came in. The call itself needs no closing: it is open until its deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.contributions.models import ContributionCall
from app.contributions.notices import call_closed_emails
from app.contributions.queries import counts
from app.events.models import Event, EventStatus
from app.extensions import db
from app.scheduler.jobs.work import JobResult, Unit, claim, commit_batch, fail


def run_call_closing(at: datetime) -> JobResult:
    """Each call past its deadline and not yet reported, on a published event: claim its marker
    (ContributionCall.closed_notified_at) and queue the organisers' messages in one transaction."""
    result = JobResult()
    call_ids = db.session.scalars(
        select(ContributionCall.id).join(Event, Event.id == ContributionCall.event_id).where(
            ContributionCall.deadline_at <= at,
            ContributionCall.closed_notified_at.is_(None),
            Event.status == EventStatus.PUBLISHED,
        ).order_by(ContributionCall.deadline_at, ContributionCall.id)
    ).all()
    for call_id in call_ids:
        try:
            call = db.session.get(ContributionCall, call_id, populate_existing=True)
            emails = call_closed_emails(call, counts(call.event_id))
            unit = Unit(lambda call_id=call_id: claim(ContributionCall, call_id,
                                                      ContributionCall.closed_notified_at.is_(None),
                                                      closed_notified_at=at), emails)
            commit_batch([unit], result, "contribution call closing")
        except Exception as error:  # noqa: BLE001 - one call's failure must not stop the others
            fail(result, f"contribution call {call_id}", error)
    result.detail = f"{len(call_ids)} call(s) closed, {result.sent} message(s) queued"
    return result
