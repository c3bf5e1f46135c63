"""Registration questions: organisers add, change, remove and copy them from another event they
organise; the registration forms read them (remembered until a question changes) and the answers are
stored with the registration, in its transaction. No request here."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select

from app import audit
from app.cache import fragments
from app.events import page_facts
from app.events.access import organised_clause
from app.events.models import Event
from app.extensions import db
from app.registrations.question_models import QuestionKind, RegistrationAnswer, RegistrationQuestion
from app.registrations.rules import RegistrationError

DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class QuestionSpec:
    """What a registration form needs of a question (kept in the cache: plain values)."""

    id: int
    label: str
    kind: str
    help_text: str | None
    choices: tuple[str, ...]
    is_required: bool
    is_sensitive: bool


@dataclass
class QuestionData:
    label: str
    kind: str
    help_text: str | None = None
    choices: str | None = None
    is_required: bool = False
    is_sensitive: bool = False
    retention_days: int | None = None
    position: int | None = None


def _spec(question: RegistrationQuestion) -> QuestionSpec:
    return QuestionSpec(question.id, question.label, question.kind.value, question.help_text,
                        tuple(question.choice_list), question.is_required, question.is_sensitive)


def questions_of(event_id: int) -> list[RegistrationQuestion]:
    """The event's questions in their order (the organiser's page)."""
    return list(db.session.scalars(
        select(RegistrationQuestion).where(RegistrationQuestion.event_id == event_id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    ))


def event_questions(event_id: int) -> tuple[QuestionSpec, ...]:
    """The questions the registration forms ask, remembered until a question changes anywhere (none,
    without a query, when the event page read that the event has none)."""
    if page_facts.absent(event_id, HAS_QUESTIONS):
        return ()
    return fragments.remember("registrations.questions", (event_id,), ("registration_questions",),
                              lambda: tuple(_spec(q) for q in questions_of(event_id)))


def has_questions(event_id):
    """Whether the event asks questions (an EXISTS of the event's id, an SQL column or value)."""
    return exists().where(RegistrationQuestion.event_id == event_id)


HAS_QUESTIONS = "registrations.has_questions"
page_facts.register(HAS_QUESTIONS, has_questions)


def get_question(event_id: int, question_id: int) -> RegistrationQuestion | None:
    return db.session.scalar(select(RegistrationQuestion).where(
        RegistrationQuestion.id == question_id, RegistrationQuestion.event_id == event_id))


def _checked(data: QuestionData) -> QuestionData:
    kind = QuestionKind(data.kind)
    options = [line.strip() for line in (data.choices or "").splitlines() if line.strip()]
    if kind == QuestionKind.CHOICE and len(options) < 2:
        raise RegistrationError(_l("Give at least two options, one a line."), "choices")
    if len(set(options)) != len(options):
        raise RegistrationError(_l("Each option must be different."), "choices")
    data.choices = "\n".join(options) if kind == QuestionKind.CHOICE else None
    if data.is_sensitive and data.retention_days is None:
        data.retention_days = DEFAULT_RETENTION_DAYS
    if not data.is_sensitive:
        data.retention_days = None
    return data


def save_question(event: Event, data: QuestionData, actor, question: RegistrationQuestion | None = None):
    """Add a question to the event (at the end unless a position is given) or change one. Commits."""
    data = _checked(data)
    if question is None:
        if data.position is None:
            data.position = (db.session.scalar(select(func.max(RegistrationQuestion.position))
                                               .where(RegistrationQuestion.event_id == event.id)) or 0) + 1
        question = RegistrationQuestion(event_id=event.id)
        db.session.add(question)
    for name in ("label", "help_text", "choices", "is_required", "is_sensitive", "retention_days"):
        setattr(question, name, getattr(data, name))
    question.kind = QuestionKind(data.kind)
    if data.position is not None:
        question.position = data.position
    db.session.flush()
    audit.record(actor, "registration.question_saved", ("Event", event.id),
                 {"question_id": question.id, "kind": question.kind.value, "sensitive": question.is_sensitive})
    db.session.commit()
    return question


def delete_question(question: RegistrationQuestion, actor) -> None:
    """Remove a question and every answer to it. Commits."""
    event_id = question.event_id
    db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.question_id == question.id))
    db.session.delete(question)
    audit.record(actor, "registration.question_deleted", ("Event", event_id), {"question_id": question.id})
    db.session.commit()


def copy_sources(event: Event, user) -> list[tuple[int, str]]:
    """Other events the user organises that have questions: (id, title), latest first."""
    has_questions = exists().where(RegistrationQuestion.event_id == Event.id)
    return [tuple(row) for row in db.session.execute(
        select(Event.id, Event.title).where(organised_clause(user.id), Event.id != event.id, has_questions)
        .order_by(Event.starts_at.desc()).limit(50)
    )]


def copy_questions(event: Event, source_event_id: int, actor) -> int:
    """Append the questions of another event the actor organises (not its answers). Commits."""
    if source_event_id not in {event_id for event_id, _title in copy_sources(event, actor)}:
        raise RegistrationError(_l("Choose one of your events that has questions."), "source")
    position = db.session.scalar(select(func.max(RegistrationQuestion.position))
                                 .where(RegistrationQuestion.event_id == event.id)) or 0
    copied = questions_of(source_event_id)
    for number, source in enumerate(copied, start=1):
        db.session.add(RegistrationQuestion(
            event_id=event.id, position=position + number, label=source.label, kind=source.kind,
            help_text=source.help_text, choices=source.choices, is_required=source.is_required,
            is_sensitive=source.is_sensitive, retention_days=source.retention_days))
    audit.record(actor, "registration.questions_copied", ("Event", event.id),
                 {"from_event_id": source_event_id, "count": len(copied)})
    db.session.commit()
    return len(copied)


def store_answers(registration, answers: dict[int, str] | None) -> None:
    """Put the registration's answers in the current transaction: a blank answer removes the earlier
    one. None: leave them as they are (an organiser's import asks nothing). No commit."""
    if not answers:
        return  # None, or no question asked: nothing to change (and no read of the earlier answers)
    current = {answer.question_id: answer for answer in registration.answers}
    for question_id, value in answers.items():
        if value:
            if question_id in current:
                current[question_id].value = value
            else:
                registration.answers.append(RegistrationAnswer(question_id=question_id, value=value))
        elif question_id in current:
            registration.answers.remove(current[question_id])
