"""Reading registrations' answers as the pages, exports and the API show them: in the questions'
order, in the reader's language, sensitive answers only for the event's own organisers
(rules.may_see_needs decides `sensitive`). Emails never include them. Read-side only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.countries import country_name
from app.extensions import db
from app.registrations.question_models import QuestionKind, RegistrationAnswer, RegistrationQuestion


@dataclass(frozen=True)
class ShownAnswer:
    question_id: int
    label: str
    text: str
    value: str
    is_sensitive: bool


def shown_value(kind: QuestionKind, value: str) -> str:
    """An answer as people read it: a country's name, Yes/No, a date in the reader's language."""
    if kind == QuestionKind.COUNTRY:
        return country_name(value) or value
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if kind == QuestionKind.DATE:
        try:
            return format_date(date.fromisoformat(value), "medium")
        except ValueError:
            return value
    return value


def answers_for(registration_ids: Iterable[int], sensitive: bool) -> dict[int, list[ShownAnswer]]:
    """{registration id: its answers} in one statement; sensitive ones only when `sensitive`."""
    ids = list(registration_ids)
    if not ids:
        return {}
    query = (select(RegistrationAnswer.registration_id, RegistrationAnswer.value, RegistrationQuestion)
             .join(RegistrationQuestion, RegistrationQuestion.id == RegistrationAnswer.question_id)
             .where(RegistrationAnswer.registration_id.in_(ids))
             .order_by(RegistrationQuestion.position, RegistrationQuestion.id))
    if not sensitive:
        query = query.where(RegistrationQuestion.is_sensitive.is_(False))
    found: dict[int, list[ShownAnswer]] = {}
    for registration_id, value, question in db.session.execute(query):
        found.setdefault(registration_id, []).append(ShownAnswer(
            question.id, question.label, shown_value(question.kind, value), value, question.is_sensitive))
    return found


def answers_of(registration_ids: Iterable[int], questions: Sequence, sensitive: bool) -> dict[int, list[ShownAnswer]]:
    """`answers_for` when the event's questions are at hand (questions.event_questions, in their
    order): nothing asked when no question is shown, else only the answers' values are read."""
    shown = {question.id: (position, question) for position, question in enumerate(questions)
             if sensitive or not question.is_sensitive}
    ids = list(registration_ids)
    if not shown or not ids:
        return {}
    found: dict[int, list[tuple[int, ShownAnswer]]] = {}
    for registration_id, question_id, value in db.session.execute(
        select(RegistrationAnswer.registration_id, RegistrationAnswer.question_id, RegistrationAnswer.value)
        .where(RegistrationAnswer.registration_id.in_(ids), RegistrationAnswer.question_id.in_(list(shown)))
    ):
        position, question = shown[question_id]
        found.setdefault(registration_id, []).append((position, ShownAnswer(
            question_id, question.label, shown_value(QuestionKind(question.kind), value), value, question.is_sensitive)))
    return {registration_id: [answer for _position, answer in sorted(answers, key=lambda pair: pair[0])]
            for registration_id, answers in found.items()}


def own_answers(registration_id: int) -> dict[int, str]:
    """{question id: stored value} of one registration (the person's own form)."""
    return dict(db.session.execute(
        select(RegistrationAnswer.question_id, RegistrationAnswer.value)
        .where(RegistrationAnswer.registration_id == registration_id)
    ).all())


def answer_columns(questions, sensitive: bool) -> dict[str, str]:
    """The export's answer columns ("answer_<id>": the question), sensitive ones only when allowed."""
    return {f"answer_{q.id}": q.label for q in questions if sensitive or not q.is_sensitive}
