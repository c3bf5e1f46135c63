"""Feedback: who may give it (people who attended, once, after the end), giving it, and the
organisers' summary (averages, distributions, comments; names only of non-anonymous answers)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from app import audit
from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.registrations.attendance import attended
from app.registrations.models import Feedback, Registration
from app.registrations.rules import RegistrationError
from app.timeutil import now


def feedback_problem(event: Event, registration: Registration | None) -> str | None:
    """Why this person cannot give feedback now, or None."""
    if event.ends_at > now():
        return _("Feedback opens when the event has ended.")
    if not attended(registration):
        return _("Only people who attended the event can give feedback.")
    if db.session.scalar(select(Feedback.id).where(Feedback.registration_id == registration.id)):
        return _("You have already given feedback for this event. Thank you!")
    return None


def give_feedback(event: Event, registration: Registration | None, *, overall: int, relevance: int,
                  organisation: int, what_worked: str | None, what_to_improve: str | None,
                  is_anonymous: bool) -> Feedback:
    problem = feedback_problem(event, registration)
    if problem:
        raise RegistrationError(problem)
    for value in (overall, relevance, organisation):
        if value not in (1, 2, 3, 4, 5):
            raise RegistrationError(_l("Give each rating from 1 to 5."))
    feedback = Feedback(event_id=event.id, registration_id=registration.id, is_anonymous=bool(is_anonymous),
                        overall=overall, relevance=relevance, organisation=organisation,
                        what_worked=(what_worked or "").strip() or None,
                        what_to_improve=(what_to_improve or "").strip() or None)
    db.session.add(feedback)
    db.session.flush()
    audit.record(None if is_anonymous else registration.user, "feedback.give", feedback, {"event_id": event.id})
    db.session.commit()
    return feedback


@dataclass
class FeedbackSummary:
    count: int
    overall: float | None
    relevance: float | None
    organisation: float | None
    distribution: dict[str, dict[int, int]]
    comments: list[dict]


def feedback_summary(event: Event) -> FeedbackSummary:
    """Aggregates and comments. The author's name comes from SQL only for non-anonymous answers."""
    row = db.session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.overall), func.avg(Feedback.relevance),
               func.avg(Feedback.organisation)).where(Feedback.event_id == event.id)
    ).one()
    distribution: dict[str, dict[int, int]] = {}
    for column_name in ("overall", "relevance", "organisation"):
        column = getattr(Feedback, column_name)
        distribution[column_name] = {score: 0 for score in range(1, 6)}
        for score, count in db.session.execute(
            select(column, func.count(Feedback.id)).where(Feedback.event_id == event.id).group_by(column)
        ):
            distribution[column_name][score] = count
    author = case((Feedback.is_anonymous.is_(True), None), else_=User.name)
    comments = [
        {"author": r.author, "what_worked": r.what_worked, "what_to_improve": r.what_to_improve,
         "overall": r.overall}
        for r in db.session.execute(
            select(author.label("author"), Feedback.what_worked, Feedback.what_to_improve, Feedback.overall)
            .select_from(Feedback)
            .join(Registration, Registration.id == Feedback.registration_id)
            .join(User, User.id == Registration.user_id)
            .where(Feedback.event_id == event.id,
                   or_(Feedback.what_worked.is_not(None), Feedback.what_to_improve.is_not(None)))
            .order_by(Feedback.id)
        )
    ]

    def rounded(value):
        return round(float(value), 2) if value is not None else None

    return FeedbackSummary(count=row[0] or 0, overall=rounded(row[1]), relevance=rounded(row[2]),
                           organisation=rounded(row[3]), distribution=distribution, comments=comments)
