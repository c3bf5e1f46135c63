"""Reminders before a needs assessment's deadline (REMINDER_DAYS: 7 and 2 days before),
once each, to the people it was sent to who have not submitted. Derived from the data: the open
assessments whose deadline is ahead; the marker Respondent.last_reminder_days (the smallest
days-before sent) is claimed with a conditional UPDATE in the transaction that queues the email,
so running the job twice, or two at once, sends nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.assessments import notices
from app.assessments.models import Assessment, AssessmentStatus, Respondent
from app.extensions import db
from app.scheduler.jobs.work import JobResult, Unit, batch_size, chunks, claim, commit_batch, fail

REMINDER_DAYS = (7, 2)


def due_days(closes_at: datetime, at: datetime) -> int | None:
    """The latest reminder due at `at` (the smallest days-before whose moment has passed), or None."""
    if closes_at <= at:
        return None
    due = [days for days in REMINDER_DAYS if closes_at - timedelta(days=days) <= at]
    return min(due) if due else None


def _unit(respondent: Respondent, days: int) -> Unit | None:
    if respondent.last_reminder_days is not None and respondent.last_reminder_days <= days:
        return None
    email = notices.reminder(respondent, days)
    respondent_id = respondent.id
    return Unit(lambda: claim(
        Respondent, respondent_id, Respondent.submitted_at.is_(None),
        or_(Respondent.last_reminder_days.is_(None), Respondent.last_reminder_days > days),
        last_reminder_days=days,
    ), [email] if email is not None else [])


def remind_assessment(assessment_id: int, at: datetime, result: JobResult) -> None:
    assessment = db.session.get(Assessment, assessment_id, populate_existing=True)
    if assessment is None or not assessment.is_accepting(at):
        return
    days = due_days(assessment.closes_at, at)
    if days is None:
        return
    ids = db.session.scalars(select(Respondent.id).where(
        Respondent.assessment_id == assessment_id, Respondent.submitted_at.is_(None),
        or_(Respondent.last_reminder_days.is_(None), Respondent.last_reminder_days > days),
    ).order_by(Respondent.id)).all()
    for batch in chunks(list(ids), batch_size()):
        respondents = db.session.scalars(select(Respondent).options(joinedload(Respondent.user))
                                         .where(Respondent.id.in_(batch)).order_by(Respondent.id)).all()
        units = [unit for respondent in respondents if (unit := _unit(respondent, days))]
        if units:
            commit_batch(units, result, "assessment_reminders")


def run_assessment_reminders(at: datetime) -> JobResult:
    """Remind those who have not submitted an open assessment, 7 and 2 days before its deadline
    (only the latest due reminder: a scheduler down for a week sends the 2-day one, not both)."""
    result = JobResult()
    open_ids = db.session.scalars(select(Assessment.id).where(
        Assessment.status == AssessmentStatus.OPEN, Assessment.closes_at > at,
        Assessment.closes_at <= at + timedelta(days=max(REMINDER_DAYS)))).all()
    db.session.commit()
    for assessment_id in open_ids:
        try:
            remind_assessment(assessment_id, at, result)
        except Exception as error:  # noqa: BLE001 - one assessment's failure must not stop the others
            fail(result, f"assessment reminders {assessment_id}", error)
    result.detail = f"{result.sent} reminder(s) queued for {len(open_ids)} assessment(s)"
    return result
