"""The level-3 follow-up survey: due `weeks_after` weeks after the event's end, emailed once to the
confirmed participants (by the scheduler), answered once each: did you apply what you learned at
work (1–5) and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.events.models import Event, EventStatus
from app.extensions import db
from app.learning.banks import LearningError
from app.learning.models import FollowUpAnswer, FollowUpSurvey
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now

# Answers are taken for this long after the survey is due.
ANSWER_WEEKS = 8
_ONE_WEEK = timedelta(weeks=1)


def survey_of(event: Event) -> FollowUpSurvey | None:
    return db.session.scalar(select(FollowUpSurvey).where(FollowUpSurvey.event_id == event.id))


def is_confirmed_participant(event: Event, user) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Registration.event_id == event.id, Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED, Registration.role.in_(["participant", "observer"])))))


def answer_problem(survey: FollowUpSurvey | None, user, at: datetime | None = None) -> str | None:
    at = at or now()
    if survey is None:
        return _l("There is no follow-up survey for this event.")
    if not is_confirmed_participant(survey.event, user):
        return _l("Only the event's confirmed participants answer its follow-up survey.")
    if db.session.scalar(select(exists().where(FollowUpAnswer.survey_id == survey.id,
                                               FollowUpAnswer.user_id == user.id))):
        return _l("You have already answered the follow-up survey. Thank you!")
    if at < survey.due_at:
        return _l("The follow-up survey opens %(weeks)s weeks after the event.", weeks=survey.weeks_after)
    if at >= survey.due_at + ANSWER_WEEKS * _ONE_WEEK:
        return _l("The follow-up survey has closed.")
    return None


def answer(survey: FollowUpSurvey, user, applied: int, how: str | None) -> FollowUpAnswer:
    problem = answer_problem(survey, user)
    if problem:
        raise LearningError(problem)
    if applied not in (1, 2, 3, 4, 5):
        raise LearningError(_l("Choose 1 to 5."), "applied")
    item = FollowUpAnswer(survey_id=survey.id, user_id=user.id, applied=applied,
                          how=(how or "").strip()[:5000] or None, answered_at=now())
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise LearningError(_l("You have already answered the follow-up survey. Thank you!")) from None
    audit.record(user, "follow_up.answer", item, {"survey_id": survey.id})
    db.session.commit()
    return item


@dataclass
class FollowUpSummary:
    survey: FollowUpSurvey
    answers: int
    applied: float | None
    distribution: dict[int, int]
    comments: list[str]


def summary(survey: FollowUpSurvey | None) -> FollowUpSummary | None:
    """Answers, the average "applied at work" score, its distribution and the comments (without
    names: the organisers read what changed, not who said it)."""
    if survey is None:
        return None
    rows = db.session.execute(select(FollowUpAnswer.applied, FollowUpAnswer.how)
                              .where(FollowUpAnswer.survey_id == survey.id).order_by(FollowUpAnswer.id)).all()
    distribution = {score: 0 for score in range(1, 6)}
    for applied, _how in rows:
        distribution[applied] += 1
    average = round(sum(r[0] for r in rows) / len(rows), 2) if rows else None
    return FollowUpSummary(survey=survey, answers=len(rows), applied=average, distribution=distribution,
                           comments=[r[1] for r in rows if r[1]])


def due_survey_ids(at: datetime) -> list[int]:
    """Surveys not yet sent whose published event ended `weeks_after` weeks ago or more (and not
    more than ANSWER_WEEKS weeks beyond: a scheduler installed late does not write about old events)."""
    rows = db.session.execute(
        select(FollowUpSurvey.id, FollowUpSurvey.weeks_after, Event.ends_at)
        .join(Event, Event.id == FollowUpSurvey.event_id)
        .where(FollowUpSurvey.sent_at.is_(None), Event.status == EventStatus.PUBLISHED, Event.ends_at <= at)
        .order_by(Event.ends_at, FollowUpSurvey.id)
    ).all()
    return [survey_id for survey_id, weeks, ends_at in rows
            if ends_at + weeks * _ONE_WEEK <= at < ends_at + (weeks + ANSWER_WEEKS) * _ONE_WEEK]


def recipient_ids(survey: FollowUpSurvey) -> list[int]:
    """The event's confirmed participants and observers (user ids)."""
    return list(db.session.scalars(
        select(Registration.user_id).where(
            Registration.event_id == survey.event_id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.role.in_(["participant", "observer"])).order_by(Registration.id)))
