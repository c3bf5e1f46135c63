"""The assessment's emails: the invitation with the person's own link, and the reminders before the
deadline. Each goes through the outbox in the recipient's language, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from app.assessments.models import Assessment, Respondent
from app.notifications.services import PreparedEmail, notify, prepare
from app.urls import absolute_url


def answer_url(assessment: Assessment) -> str:
    """The respondent's personal link: it opens their own questionnaire once they are signed in."""
    return absolute_url(f"/assessments/{assessment.id}/answer")


def invite(respondent: Respondent, at: datetime) -> None:
    """Send the invitation (once: the dedupe key is the respondent's) and note when."""
    assessment, user = respondent.assessment, respondent.user
    notify(user, "assessments/invitation", kind="assessment.invitation",
           dedupe_key=f"assessment:{respondent.id}:invitation",
           assessment=assessment, answer_url=answer_url(assessment), owner=assessment.created_by)
    respondent.invited_at = at


def reminder(respondent: Respondent, days: int) -> PreparedEmail | None:
    """The reminder `days` before the deadline, rendered (queued by the scheduler's batch)."""
    assessment = respondent.assessment
    return prepare(respondent.user, "assessments/reminder", kind="assessment.reminder",
                   dedupe_key=f"assessment:{respondent.id}:reminder:{days}",
                   assessment=assessment, days=days, answer_url=answer_url(assessment),
                   has_draft=bool(respondent.saved_at))
