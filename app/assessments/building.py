"""Building and running an assessment: its scope and deadline, its questions (new or reused from an
earlier assessment), the people it is sent to, and draft → open → closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.accounts.models import User
from app.assessments import notices
from app.assessments.access import is_owner
from app.assessments.models import (
    Assessment,
    AssessmentScope,
    AssessmentStatus,
    Question,
    QuestionKind,
    Respondent,
)
from app.directory.models import Organisation, Project
from app.errors import RuleError, rolls_back_on
from app.events.models import Event
from app.extensions import db
from app.timeutil import now

MAX_OPTIONS = 20
MAX_QUESTIONS = 60
# The deadline leaves respondents at least this long once the assessment opens.
MIN_ANSWER_TIME = timedelta(hours=24)


class AssessmentError(RuleError):
    pass


rolls_back_on_error = rolls_back_on(AssessmentError)


@dataclass
class AssessmentData:
    title: str
    scope: AssessmentScope
    description: str | None = None
    project_id: int | None = None
    country: str | None = None
    event_id: int | None = None
    closes_at: datetime | None = None


def _check(data: AssessmentData) -> dict:
    values = {"title": data.title, "description": data.description, "scope": data.scope,
              "project_id": None, "country": None, "event_id": None, "closes_at": data.closes_at}
    if data.scope == AssessmentScope.PROJECT:
        if not data.project_id or db.session.get(Project, data.project_id) is None:
            raise AssessmentError(_l("Choose the project the assessment is for."), "project_id")
        values["project_id"] = data.project_id
    elif data.scope == AssessmentScope.COUNTRY:
        if not data.country:
            raise AssessmentError(_l("Choose the country the assessment is for."), "country")
        values["country"] = data.country
    else:
        if not data.event_id or db.session.get(Event, data.event_id) is None:
            raise AssessmentError(_l("Choose the event the assessment is for."), "event_id")
        values["event_id"] = data.event_id
    return values


def _own(actor, assessment: Assessment) -> None:
    if not is_owner(actor, assessment):
        raise AssessmentError(_l("Only the assessment's owners may change it."))


@rolls_back_on_error
def create_assessment(actor, data: AssessmentData) -> Assessment:
    assessment = Assessment(**_check(data), created_by_id=actor.id, status=AssessmentStatus.DRAFT)
    db.session.add(assessment)
    db.session.flush()
    audit.record(actor, "assessment.create", assessment, summary=assessment.title)
    db.session.commit()
    return assessment


@rolls_back_on_error
def update_assessment(actor, assessment: Assessment, data: AssessmentData) -> Assessment:
    _own(actor, assessment)
    values = _check(data)
    if assessment.status == AssessmentStatus.CLOSED:
        raise AssessmentError(_l("A closed assessment cannot be changed."))
    if assessment.status == AssessmentStatus.OPEN:
        _check_deadline(values["closes_at"], now())
    changes = audit.diff(assessment, values)
    for name, value in values.items():
        setattr(assessment, name, value)
    audit.record(actor, "assessment.update", assessment, changes, summary=assessment.title)
    db.session.commit()
    return assessment


def parse_options(text: str | None) -> list[str]:
    """One option a line; blank lines and repeats dropped, order kept."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        option = line.strip()[:200]
        if option and option not in seen:
            seen.append(option)
    return seen


def _editable(actor, assessment: Assessment) -> None:
    _own(actor, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentError(_l("Questions can only be changed while the assessment is a draft."))


@rolls_back_on_error
def add_question(actor, assessment: Assessment, kind: QuestionKind, text: str, *, options_text: str | None = None,
                 help_text: str | None = None, is_required: bool = False) -> Question:
    _editable(actor, assessment)
    options = parse_options(options_text) if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise AssessmentError(_l("A choice needs at least two options, one a line."), "options")
    if len(options) > MAX_OPTIONS:
        raise AssessmentError(_l("At most %(num)d options.", num=MAX_OPTIONS), "options")
    if len(assessment.questions) >= MAX_QUESTIONS:
        raise AssessmentError(_l("At most %(num)d questions.", num=MAX_QUESTIONS), "text")
    question = Question(kind=kind, text=text, help_text=help_text, options=options, is_required=is_required,
                        position=len(assessment.questions) + 1)
    assessment.questions.append(question)
    db.session.flush()
    audit.record(actor, "assessment.question_add", assessment, summary=text)
    db.session.commit()
    return question


@rolls_back_on_error
def delete_question(actor, assessment: Assessment, question_id: int) -> None:
    _editable(actor, assessment)
    question = next((q for q in assessment.questions if q.id == question_id), None)
    if question is None:
        raise AssessmentError(_l("That question is not in this assessment."))
    assessment.questions.remove(question)
    for position, remaining in enumerate(assessment.questions, start=1):
        remaining.position = position
    audit.record(actor, "assessment.question_delete", assessment, summary=question.text)
    db.session.commit()


@rolls_back_on_error
def copy_questions(actor, assessment: Assessment, source_id: int | None) -> int:
    """Append the questions of an earlier assessment the actor owns (reused as they were)."""
    _editable(actor, assessment)
    source = db.session.get(Assessment, source_id) if source_id else None
    if source is None or source.id == assessment.id or not is_owner(actor, source):
        raise AssessmentError(_l("Choose one of your earlier assessments."), "source")
    if len(assessment.questions) + len(source.questions) > MAX_QUESTIONS:
        raise AssessmentError(_l("At most %(num)d questions.", num=MAX_QUESTIONS), "source")
    for question in source.questions:
        assessment.questions.append(Question(
            kind=question.kind, text=question.text, help_text=question.help_text, options=list(question.options),
            is_required=question.is_required, position=len(assessment.questions) + 1))
    audit.record(actor, "assessment.questions_copy", assessment, summary=source.title)
    db.session.commit()
    return len(source.questions)


def reachable_people(user_ids, organisation_ids) -> list[User]:
    """The people chosen, and every approved member of the organisations chosen (User.organisation_id
    mirrors the one approved membership), with an active, confirmed account."""
    user_ids = {int(i) for i in user_ids or ()}
    organisation_ids = {int(i) for i in organisation_ids or ()}
    if not user_ids and not organisation_ids:
        return []
    chosen = User.id.in_(user_ids) | User.organisation_id.in_(organisation_ids)
    return list(db.session.scalars(select(User).where(
        chosen, User.is_active_account.is_(True), User.email_confirmed_at.is_not(None),
        User.deleted_at.is_(None)).order_by(User.name)))


@rolls_back_on_error
def add_recipients(actor, assessment: Assessment, user_ids=(), organisation_ids=()) -> int:
    """Send the assessment to more people (each once); while it is open they are invited at once."""
    _own(actor, assessment)
    if assessment.shown_status(now()) == AssessmentStatus.CLOSED:
        raise AssessmentError(_l("The assessment is closed."), "people")
    known_organisations = db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.id.in_([int(i) for i in organisation_ids or ()])))
    if known_organisations != len(set(organisation_ids or ())):
        raise AssessmentError(_l("Choose organisations from the list."), "organisations")
    people = reachable_people(user_ids, organisation_ids)
    if not people:
        raise AssessmentError(_l("Choose at least one person, or an organisation with approved members."), "people")
    already = set(db.session.scalars(select(Respondent.user_id).where(Respondent.assessment_id == assessment.id)))
    added = [Respondent(assessment_id=assessment.id, user_id=person.id, answers={}) for person in people
             if person.id not in already]
    db.session.add_all(added)
    db.session.flush()
    if assessment.status == AssessmentStatus.OPEN:
        for respondent in added:
            notices.invite(respondent, now())
    audit.record(actor, "assessment.recipients_add", assessment, summary=assessment.title)
    db.session.commit()
    return len(added)


def _check_deadline(closes_at: datetime | None, at: datetime) -> None:
    if closes_at is None:
        raise AssessmentError(_l("Set the deadline for answers."), "closes_at")
    if closes_at < at + MIN_ANSWER_TIME:
        raise AssessmentError(_l("The deadline must be at least a day from now."), "closes_at")


@rolls_back_on_error
def open_assessment(actor, assessment: Assessment) -> int:
    """Draft → open: every recipient is sent their personal link (in the same transaction)."""
    _own(actor, assessment)
    at = now()
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentError(_l("Only a draft can be opened."))
    if not assessment.questions:
        raise AssessmentError(_l("Add at least one question first."))
    respondents = list(db.session.scalars(select(Respondent).where(Respondent.assessment_id == assessment.id)))
    if not respondents:
        raise AssessmentError(_l("Choose who the assessment is sent to first."))
    _check_deadline(assessment.closes_at, at)
    assessment.status, assessment.opened_at = AssessmentStatus.OPEN, at
    for respondent in respondents:
        notices.invite(respondent, at)
    audit.record(actor, "assessment.open", assessment, summary=assessment.title)
    db.session.commit()
    return len(respondents)


@rolls_back_on_error
def close_assessment(actor, assessment: Assessment) -> None:
    _own(actor, assessment)
    if assessment.status != AssessmentStatus.OPEN:
        raise AssessmentError(_l("Only an open assessment can be closed."))
    assessment.status, assessment.closed_at = AssessmentStatus.CLOSED, now()
    audit.record(actor, "assessment.close", assessment, summary=assessment.title)
    db.session.commit()
