"""How long sensitive answers (a passport number, a date of birth) are kept: each sensitive question
says how many days after its event ends; the scheduler's answers_retention job then deletes its
answers (the registration stays). Idempotent: a question whose answers are gone is marked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app import audit
from app.db import begin_write
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Registration
from app.registrations.question_models import RegistrationAnswer, RegistrationQuestion


def answers_erased_after(question: RegistrationQuestion, event: Event) -> datetime | None:
    """When a sensitive question's answers are deleted (None: kept with the registration)."""
    if not question.is_sensitive:
        return None
    return event.ends_at + timedelta(days=question.retention_days or 0)


def _due(at: datetime) -> list[tuple[int, int]]:
    """(question id, event id) of sensitive questions whose event ended long enough ago."""
    rows = db.session.execute(
        select(RegistrationQuestion.id, RegistrationQuestion.event_id, RegistrationQuestion.retention_days,
               Event.ends_at)
        .join(Event, Event.id == RegistrationQuestion.event_id)
        .where(RegistrationQuestion.is_sensitive.is_(True), RegistrationQuestion.answers_erased_at.is_(None),
               Event.ends_at <= at)
        .order_by(RegistrationQuestion.id)
    ).all()
    return [(qid, event_id) for qid, event_id, days, ends_at in rows if ends_at + timedelta(days=days or 0) <= at]


def erase_due_answers(at: datetime, fence: Callable[[], None] | None = None) -> dict[int, int]:
    """Delete the answers of every sensitive question past its retention, one question a transaction.
    Returns {question id: answers deleted}."""
    done = {}
    for question_id, event_id in _due(at):
        begin_write(db.session)
        if fence is not None:
            fence()
        result = db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.question_id == question_id))
        question = db.session.get(RegistrationQuestion, question_id)
        question.answers_erased_at = at
        done[question_id] = result.rowcount or 0
        audit.record(None, "registration.answers_erased", ("Event", event_id),
                     {"question_id": question_id, "count": done[question_id]})
        db.session.commit()
    return done


def erase_answers_of_user(user_id: int) -> int:
    """Every answer a person gave on any registration (account deletion). No commit."""
    mine = select(Registration.id).where(Registration.user_id == user_id)
    result = db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.registration_id.in_(mine)))
    return result.rowcount or 0
