"""The needs retention job: erase participants' needs NEEDS_RETENTION_DAYS after their event ends."""

from __future__ import annotations

from datetime import datetime

from app.registrations.answer_retention import erase_due_answers
from app.registrations.retention import erase_due_needs
from app.scheduler.fencing import fence
from app.scheduler.jobs.work import JobResult


def run_needs_retention(at: datetime) -> JobResult:
    """Erase the needs (diet, accessibility, visa letter) of registrations whose event ended more than
    NEEDS_RETENTION_DAYS before `at`, event by event in bounded transactions; the registrations and
    their attendance stay. Running it again erases nothing twice (needs_erased_at marks the done)."""
    done = erase_due_needs(at, fence=fence)
    return JobResult(detail=f"needs erased from {sum(done.values())} registration(s) of {len(done)} event(s)")


def run_answers_retention(at: datetime) -> JobResult:
    """Delete the answers to sensitive registration questions (a passport number, a date of birth) once
    the question's retention period after its event has passed. Idempotent: each question is marked."""
    done = erase_due_answers(at, fence=fence)
    return JobResult(detail=f"answers deleted: {sum(done.values())} to {len(done)} question(s)")
