"""The organisers' side of knowledge checks: creating a pre- or post-test for an event or one of
its sessions, its window, its question bank (added, removed, copied from the pre-test to the
post-test) and the follow-up survey. Each function owns its transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app import audit
from app.errors import RuleError
from app.events.models import Event, Session
from app.extensions import db
from app.learning.models import (
    DEFAULT_POST_HOURS,
    DEFAULT_PRE_MINUTES,
    CheckKind,
    CheckOption,
    CheckQuestion,
    CheckSubmission,
    FollowUpSurvey,
    KnowledgeCheck,
    QuestionKind,
)

MAX_QUESTIONS = 40
MAX_OPTIONS = 10


class LearningError(RuleError):
    """A knowledge-check rule was broken; the message is fit to show."""


def default_window(kind: CheckKind) -> int:
    return DEFAULT_PRE_MINUTES if kind == CheckKind.PRE else DEFAULT_POST_HOURS * 60


def find_check(event: Event, session_id: int | None, kind: CheckKind) -> KnowledgeCheck | None:
    session_clause = (KnowledgeCheck.session_id.is_(None) if session_id is None
                      else KnowledgeCheck.session_id == session_id)
    return db.session.scalar(select(KnowledgeCheck).where(
        KnowledgeCheck.event_id == event.id, session_clause, KnowledgeCheck.kind == kind))


def create_check(event: Event, session_id: int | None, kind: CheckKind, actor) -> KnowledgeCheck:
    """A new, empty test of the event (session_id None) or of one of its sessions; the one that
    exists already when there is one."""
    if session_id is not None:
        session = db.session.get(Session, session_id)
        if session is None or session.event_id != event.id:
            raise LearningError(_l("Choose a session of this event."), "session_id")
    existing = find_check(event, session_id, kind)
    if existing is not None:
        return existing
    check = KnowledgeCheck(event_id=event.id, session_id=session_id, kind=kind, window_minutes=default_window(kind))
    db.session.add(check)
    db.session.flush()
    changes = {"event_id": event.id, "kind": kind.value}
    if session_id is not None:
        changes["session_id"] = session_id
    audit.record(actor, "knowledge_check.create", check, changes)
    db.session.commit()
    return check


def has_submissions(check: KnowledgeCheck) -> bool:
    return bool(db.session.scalar(select(exists().where(CheckSubmission.check_id == check.id))))


def _unchanged_bank(check: KnowledgeCheck) -> None:
    if has_submissions(check):
        raise LearningError(_l("People have already taken this test: its questions can no longer change."))


def set_window(check: KnowledgeCheck, minutes: int, actor) -> None:
    if not 1 <= minutes <= 60 * 24 * 60:
        raise LearningError(_l("Choose a window between 1 minute and 60 days."), "window")
    check.window_minutes = minutes
    audit.record(actor, "knowledge_check.window", check, {"window_minutes": minutes})
    db.session.commit()


def parse_options(text: str) -> list[tuple[str, bool]]:
    """One option a line; a line starting with * is a correct answer."""
    options = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        label = line.lstrip("*").strip()
        if label:
            options.append((label[:500], correct))
    return options


def _check_options(kind: QuestionKind, options: list[tuple[str, bool]]) -> None:
    if kind == QuestionKind.TEXT:
        return
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise LearningError(_l("Give between 2 and 10 options, one a line."), "options")
    correct = sum(1 for _label, is_correct in options if is_correct)
    if kind == QuestionKind.SINGLE and correct != 1:
        raise LearningError(_l("Mark exactly one correct option with * for a single-choice question."), "options")
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise LearningError(_l("Mark at least one correct option with *."), "options")


def add_question(check: KnowledgeCheck, kind: QuestionKind, text: str, points: int, options_text: str,
                 actor) -> CheckQuestion:
    _unchanged_bank(check)
    if len(check.questions) >= MAX_QUESTIONS:
        raise LearningError(_l("A test holds at most 40 questions."))
    options = parse_options(options_text)
    _check_options(kind, options)
    question = CheckQuestion(check_id=check.id, kind=kind, text=text.strip(), position=len(check.questions) + 1,
                             points=0 if kind == QuestionKind.TEXT else points)
    question.options = [] if kind == QuestionKind.TEXT else [
        CheckOption(position=index, text=label, is_correct=correct)
        for index, (label, correct) in enumerate(options, start=1)]
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "knowledge_check.add_question", check, {"question_id": question.id})
    db.session.commit()
    return question


def delete_question(question: CheckQuestion, actor) -> None:
    check = question.check
    _unchanged_bank(check)
    audit.record(actor, "knowledge_check.delete_question", check, {"question_id": question.id})
    db.session.delete(question)
    db.session.commit()


def delete_check(check: KnowledgeCheck, actor) -> None:
    _unchanged_bank(check)
    audit.record(actor, "knowledge_check.delete", check, {"event_id": check.event_id})
    db.session.delete(check)
    db.session.commit()


def copy_to_post(pre: KnowledgeCheck, actor) -> KnowledgeCheck:
    """The pre-test's questions appended to the post-test of the same event or session (created
    when missing), so the two measure the same things."""
    if pre.kind != CheckKind.PRE:
        raise LearningError(_l("Only a pre-test's questions are copied to the post-test."))
    if not pre.questions:
        raise LearningError(_l("The pre-test has no questions to copy yet."))
    post = create_check(pre.event, pre.session_id, CheckKind.POST, actor)
    _unchanged_bank(post)
    start = len(post.questions)
    for offset, question in enumerate(pre.questions, start=1):
        copy = CheckQuestion(check_id=post.id, kind=question.kind, text=question.text, points=question.points,
                             position=start + offset)
        copy.options = [CheckOption(position=o.position, text=o.text, is_correct=o.is_correct)
                        for o in question.options]
        db.session.add(copy)
    audit.record(actor, "knowledge_check.copy", post, {"from_check_id": pre.id, "questions": len(pre.questions)})
    db.session.commit()
    return post


def schedule_follow_up(event: Event, weeks_after: int, actor) -> FollowUpSurvey:
    """Ask the confirmed participants `weeks_after` weeks after the end whether they applied what
    they learned (changing the delay is possible until the survey has gone out)."""
    if not 1 <= weeks_after <= 52:
        raise LearningError(_l("Choose between 1 and 52 weeks."), "weeks_after")
    survey = db.session.scalar(select(FollowUpSurvey).where(FollowUpSurvey.event_id == event.id))
    if survey is not None and survey.sent_at is not None:
        raise LearningError(_l("The follow-up survey has already been sent."))
    if survey is None:
        survey = FollowUpSurvey(event_id=event.id, weeks_after=weeks_after)
        db.session.add(survey)
    survey.weeks_after = weeks_after
    db.session.flush()
    audit.record(actor, "follow_up.schedule", survey, {"event_id": event.id, "weeks_after": weeks_after})
    db.session.commit()
    return survey
