"""Taking a test: who may (confirmed participants of the event — and, for a session with sign-up,
those signed up — inside the test's window, once each), and scoring what they submit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.learning.banks import LearningError
from app.learning.models import CheckAnswer, CheckSubmission, KnowledgeCheck, QuestionKind
from app.learning.scoring import percent, question_points
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now

MAX_TEXT = 2000


def is_participant(check: KnowledgeCheck, user) -> bool:
    """Confirmed as a participant or observer of the event; signed up to the session if it has sign-up."""
    registered = db.session.scalar(select(exists().where(
        Registration.event_id == check.event_id, Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.role.in_(["participant", "observer"]))))
    if not registered:
        return False
    if check.session_id and check.session.has_signup:
        return bool(db.session.scalar(select(exists().where(
            SessionSignup.session_id == check.session_id, SessionSignup.user_id == user.id,
            SessionSignup.status == SessionSignupStatus.CONFIRMED))))
    return True


def own_submission(check: KnowledgeCheck, user) -> CheckSubmission | None:
    return db.session.scalar(select(CheckSubmission).where(CheckSubmission.check_id == check.id,
                                                           CheckSubmission.user_id == user.id))


def take_problem(check: KnowledgeCheck, user, at=None) -> str | None:
    """Why `user` cannot take the test now, or None."""
    at = at or now()
    if not check.questions:
        return _l("This test has no questions yet.")
    if not is_participant(check, user):
        return _l("Only confirmed participants can take this test.")
    if own_submission(check, user) is not None:
        return _l("You have already taken this test. Thank you!")
    if at < check.opens_at:
        return _l("This test is not open yet.")
    if at >= check.closes_at:
        return _l("This test has closed.")
    return None


def read_answers(check: KnowledgeCheck, form) -> tuple[dict[int, tuple[set[int], str | None]], dict[int, str]]:
    """The answers in a submitted form (q<id> fields) and the questions left unanswered."""
    answers, errors = {}, {}
    for question in check.questions:
        key = f"q{question.id}"
        if question.kind == QuestionKind.TEXT:
            text = (form.get(key) or "").strip()[:MAX_TEXT] or None
            answers[question.id] = (set(), text)
            continue
        valid = {option.id for option in question.options}
        chosen = set()
        for value in form.getlist(key):
            if value.isdigit() and int(value) in valid:
                chosen.add(int(value))
        if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            chosen = set()
        if not chosen:
            errors[question.id] = str(_l("Choose an answer."))
        answers[question.id] = (chosen, None)
    return answers, errors


def submit(check: KnowledgeCheck, user, answers: dict[int, tuple[set[int], str | None]]) -> CheckSubmission:
    """Score and keep one submission (raises LearningError when the person may not take the test)."""
    problem = take_problem(check, user)
    if problem:
        raise LearningError(problem)
    submission = CheckSubmission(check_id=check.id, user_id=user.id, submitted_at=now(), points=0, max_points=0)
    total = maximum = 0.0
    for question in check.questions:
        chosen, text = answers.get(question.id, (set(), None))
        correct = {option.id for option in question.options if option.is_correct}
        earned = question_points(question.kind.value, question.points, correct, chosen)
        if question.is_scored:
            total += earned
            maximum += question.points
        submission.answers.append(CheckAnswer(question_id=question.id, points=earned, text=text,
                                              chosen=",".join(str(i) for i in sorted(chosen)) or None))
    submission.points, submission.max_points = round(total, 4), maximum
    submission.percent = percent(total, maximum)
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:  # a second tab submitted first
        db.session.rollback()
        raise LearningError(_l("You have already taken this test. Thank you!")) from None
    audit.record(user, "knowledge_check.submit", submission, {"check_id": check.id})
    db.session.commit()
    return submission
