"""Follow-up surveys (issue 22, Kirkpatrick level 3): when an event's survey falls due, email its
confirmed participants a link asking whether they applied what they learned. The survey's sent_at
marker is claimed with the emails in one transaction (each with a dedupe key), so a second run, or
a second scheduler, sends nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.events.urls import event_url
from app.extensions import db
from app.learning.followup import due_survey_ids, recipient_ids
from app.learning.models import FollowUpSurvey
from app.notifications.services import prepare
from app.scheduler.jobs.work import JobResult, Unit, claim, commit_batch, fail
from app.urls import absolute_url


def _emails(survey: FollowUpSurvey) -> list:
    event = survey.event
    context = {"event": event, "event_url": event_url(event),
               "survey_url": absolute_url(f"/events/{event.id}/follow-up")}
    users = db.session.scalars(select(User).where(User.id.in_(recipient_ids(survey))).order_by(User.id)).all()
    emails = [prepare(user, "learning/follow_up", kind="follow_up_survey",
                      dedupe_key=f"follow-up:{survey.id}:{user.id}", **context) for user in users]
    return [email for email in emails if email is not None]


def run_follow_up_surveys(at: datetime) -> JobResult:
    """Send each due follow-up survey to its event's confirmed participants, once."""
    result = JobResult()
    survey_ids = due_survey_ids(at)
    for survey_id in survey_ids:
        try:
            survey = db.session.get(FollowUpSurvey, survey_id, populate_existing=True)
            unit = Unit(lambda survey_id=survey_id: claim(FollowUpSurvey, survey_id,
                                                          FollowUpSurvey.sent_at.is_(None), sent_at=at),
                        _emails(survey))
            commit_batch([unit], result, "follow_up_surveys")
        except Exception as error:  # noqa: BLE001 - one survey's failure must not stop the others
            fail(result, f"follow-up survey {survey_id}", error)
    result.detail = f"{len(survey_ids)} follow-up survey(s) due, {result.sent} message(s) queued"
    return result
