"""Answering: only the people an assessment was sent to, each their own questionnaire, while it is
open and before its deadline; a draft is kept until it is submitted, and a submitted one is final."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app import audit
from app.assessments.building import AssessmentError, rolls_back_on_error
from app.assessments.models import Assessment, Question, QuestionKind, Respondent
from app.directory.models import Theme
from app.extensions import db
from app.timeutil import now

MAX_TEXT = 4000


def respondent_for(assessment: Assessment, user) -> Respondent | None:
    if not getattr(user, "id", None):
        return None
    return db.session.scalar(select(Respondent).where(Respondent.assessment_id == assessment.id,
                                                      Respondent.user_id == user.id))


@dataclass
class Cleaned:
    answers: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # question id -> message


def _one(question: Question, values: list[str], theme_ids: set[int]):
    """The answer to one question from the form's values (None: not answered); ValueError: invalid."""
    values = [value.strip() for value in values if value and value.strip()]
    if not values:
        return None
    if question.kind == QuestionKind.SCALE:
        if len(values) != 1 or values[0] not in {"1", "2", "3", "4", "5"}:
            raise ValueError(_l("Choose a value from 1 to 5."))
        return int(values[0])
    if question.kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > MAX_TEXT:
            raise ValueError(_l("At most %(num)d characters.", num=MAX_TEXT))
        return text
    if question.kind == QuestionKind.THEMES:
        try:
            chosen = sorted({int(value) for value in values})
        except ValueError:
            raise ValueError(_l("Choose themes from the list.")) from None
        if not set(chosen) <= theme_ids:
            raise ValueError(_l("Choose themes from the list."))
        return chosen
    if any(value not in question.options for value in values):
        raise ValueError(_l("Choose from the options given."))
    if question.kind == QuestionKind.SINGLE:
        if len(values) != 1:
            raise ValueError(_l("Choose one option."))
        return values[0]
    return [option for option in question.options if option in values]


def clean(assessment: Assessment, form_values: dict[str, list[str]], *, final: bool) -> Cleaned:
    """Check the answers given as {"q<id>": [values]}: each valid; when `final`, required ones given."""
    theme_ids = set(db.session.scalars(select(Theme.id))) if any(
        q.kind == QuestionKind.THEMES for q in assessment.questions) else set()
    result = Cleaned()
    for question in assessment.questions:
        try:
            answer = _one(question, form_values.get(f"q{question.id}", []), theme_ids)
        except ValueError as error:
            result.errors[question.id] = str(error.args[0])
            continue
        if answer is None:
            if final and question.is_required:
                result.errors[question.id] = str(_l("Please answer this question."))
            continue
        result.answers[str(question.id)] = answer
    return result


def check_may_answer(respondent: Respondent | None, assessment: Assessment) -> None:
    if respondent is None:
        raise AssessmentError(_l("This assessment was not sent to you."))
    if respondent.submitted_at is not None:
        raise AssessmentError(_l("You have already submitted your answers."))
    if not assessment.is_accepting(now()):
        raise AssessmentError(_l("The assessment is closed: answers are no longer accepted."))


@rolls_back_on_error
def save_answers(respondent: Respondent | None, assessment: Assessment, form_values: dict[str, list[str]],
                 *, submit: bool) -> Cleaned:
    """Keep the answers as a draft, or submit them (final). Invalid answers change nothing and come
    back in `errors`, question by question."""
    check_may_answer(respondent, assessment)
    cleaned = clean(assessment, form_values, final=submit)
    if cleaned.errors:
        return cleaned
    # The row is locked and read again, so a double submit (two tabs) is answered once.
    db.session.refresh(respondent, with_for_update=True)
    check_may_answer(respondent, assessment)
    at = now()
    respondent.answers, respondent.saved_at = cleaned.answers, at
    if submit:
        user = respondent.user
        respondent.submitted_at = at
        respondent.country = (user.organisation.country if user.organisation else None) or user.country
        respondent.organisation_type = user.organisation.type.value if user.organisation else None
        audit.record(user, "assessment.submit", assessment, summary=assessment.title)
    db.session.commit()
    return cleaned


def forget_unsubmitted(user_id: int) -> None:
    """When an account is deleted: its drafts and unanswered invitations go (no reminder reaches the
    deleted account); submitted questionnaires stay in the results, which name no one."""
    db.session.execute(delete(Respondent).where(Respondent.user_id == user_id, Respondent.submitted_at.is_(None))
                       .execution_options(synchronize_session=False))
