"""What knowledge checks show: a person's post-test score (the certificates' rule reads it), a
participant's own results once the post-test has closed, and the organisers' learning results of an
event — learning gain per question and overall, paired per person, and the score distribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.events.models import Event
from app.extensions import db
from app.learning.models import (
    CheckAnswer,
    CheckKind,
    CheckQuestion,
    CheckSubmission,
    KnowledgeCheck,
)
from app.learning.scoring import Gain, band_counts, gain, mean
from app.registrations.models import Feedback
from app.timeutil import now


def post_test_score(event_id: int, user_id: int, session_id: int | None = None) -> float | None:
    """The person's post-test score in percent (0–100) for the event's post-test (session_id None) or the
    session's post-test; None when there is no such post-test or the person has not submitted it."""
    session_clause = (KnowledgeCheck.session_id.is_(None) if session_id is None
                      else KnowledgeCheck.session_id == session_id)
    score = db.session.scalar(
        select(CheckSubmission.percent)
        .join(KnowledgeCheck, KnowledgeCheck.id == CheckSubmission.check_id)
        .where(KnowledgeCheck.event_id == event_id, session_clause, KnowledgeCheck.kind == CheckKind.POST,
               CheckSubmission.user_id == user_id)
    )
    return float(score) if score is not None else None


def partner_check(check: KnowledgeCheck, kind: CheckKind) -> KnowledgeCheck | None:
    """The test of the other kind for the same event or session."""
    session_clause = (KnowledgeCheck.session_id.is_(None) if check.session_id is None
                      else KnowledgeCheck.session_id == check.session_id)
    return db.session.scalar(select(KnowledgeCheck).where(
        KnowledgeCheck.event_id == check.event_id, session_clause, KnowledgeCheck.kind == kind))


def results_open_at(check: KnowledgeCheck) -> datetime:
    """Participants see their answers once the post-test of the same event or session has closed
    (the test's own close when there is no post-test), so nobody passes the answers on."""
    post = check if check.kind == CheckKind.POST else partner_check(check, CheckKind.POST)
    return (post or check).closes_at


def may_see_own_results(check: KnowledgeCheck, at: datetime | None = None) -> bool:
    return (at or now()) >= results_open_at(check)


@dataclass
class QuestionGain:
    text: str
    kind: str
    n_paired: int
    pre: float | None  # mean percent of the points, paired people only
    post: float | None

    @property
    def gain(self) -> float | None:
        return round(self.post - self.pre, 1) if self.pre is not None and self.post is not None else None


@dataclass
class ScopeResults:
    """The pre- and post-test of the event or of one session, and what they show."""

    title: str
    session_id: int | None
    pre: KnowledgeCheck | None
    post: KnowledgeCheck | None
    overall: Gain
    questions: list[QuestionGain] = field(default_factory=list)
    distribution: dict[str, list[int]] = field(default_factory=dict)


def _key(question: CheckQuestion) -> tuple[str, str]:
    return question.kind.value, " ".join(question.text.lower().split())


def _per_question(pre: KnowledgeCheck | None, post: KnowledgeCheck | None, fractions: dict) -> list[QuestionGain]:
    """Each scored question of the post-test (or of the pre-test alone) with its pre-test twin (same
    kind and wording, as a copied bank has): mean share of its points among the people who answered
    both."""
    pre_by_key = {_key(q): q for q in (pre.questions if pre else []) if q.is_scored}
    rows = []
    for question in [q for q in ((post or pre).questions) if q.is_scored]:
        if post is None:
            twin, later = question, None
        else:
            twin, later = pre_by_key.get(_key(question)), question
        before = fractions.get(twin.id, {}) if twin else {}
        after = fractions.get(later.id, {}) if later else {}
        both = sorted(set(before) & set(after)) if later else []
        rows.append(QuestionGain(
            text=question.text, kind=question.kind.label, n_paired=len(both),
            pre=mean(before[p] for p in both) if later else mean(before.values()),
            post=mean(after[p] for p in both) if later else None,
        ))
    return rows


def _load(event: Event) -> tuple[list[KnowledgeCheck], dict, dict]:
    """The event's tests with their questions, every score {check: {person: percent}} and every
    answer's share of its question's points {question: {person: percent}}: three queries."""
    checks = list(db.session.scalars(
        select(KnowledgeCheck).options(selectinload(KnowledgeCheck.questions), selectinload(KnowledgeCheck.session))
        .where(KnowledgeCheck.event_id == event.id).order_by(KnowledgeCheck.session_id.is_not(None),
                                                             KnowledgeCheck.session_id, KnowledgeCheck.kind)
    ))
    scores: dict[int, dict[int, float]] = {check.id: {} for check in checks}
    fractions: dict[int, dict[int, float]] = {}
    if not checks:
        return checks, scores, fractions
    ids = [check.id for check in checks]
    for check_id, user_id, score in db.session.execute(
        select(CheckSubmission.check_id, CheckSubmission.user_id, CheckSubmission.percent)
        .where(CheckSubmission.check_id.in_(ids))
    ):
        if score is not None:
            scores[check_id][user_id] = float(score)
    for question_id, user_id, points, possible in db.session.execute(
        select(CheckAnswer.question_id, CheckSubmission.user_id, CheckAnswer.points, CheckQuestion.points)
        .join(CheckSubmission, CheckSubmission.id == CheckAnswer.submission_id)
        .join(CheckQuestion, CheckQuestion.id == CheckAnswer.question_id)
        .where(CheckSubmission.check_id.in_(ids), CheckQuestion.points > 0)
    ):
        fractions.setdefault(question_id, {})[user_id] = 100.0 * float(points) / possible
    return checks, scores, fractions


def event_results(event: Event) -> list[ScopeResults]:
    """The learning results of every tested part of the event: the event itself first, then its
    sessions in order (a bounded number of queries, whatever the number of tests or people)."""
    checks, scores, fractions = _load(event)
    scopes: dict[int | None, dict] = {}
    for check in checks:
        scopes.setdefault(check.session_id, {})[check.kind] = check
    results = []
    for session_id, pair in scopes.items():
        pre, post = pair.get(CheckKind.PRE), pair.get(CheckKind.POST)
        pre_scores = scores[pre.id] if pre else {}
        post_scores = scores[post.id] if post else {}
        subject = (pre or post).subject
        results.append(ScopeResults(
            title=subject.title, session_id=session_id, pre=pre, post=post, overall=gain(pre_scores, post_scores),
            questions=_per_question(pre, post, fractions),
            distribution={"pre": band_counts(pre_scores.values()), "post": band_counts(post_scores.values())},
        ))
    return results


@dataclass
class EventLearning:
    """One event's line in the reports: people tested, mean pre, mean post, paired gain, satisfaction."""

    event_id: int
    title: str
    tested: int
    overall: Gain
    satisfaction: float | None
    feedback_answers: int


def learning_by_event(event_ids) -> list[EventLearning]:
    """For the events among `event_ids` (a list or a subquery) that have a test: each person's mean
    pre-test and post-test score over the event's tests, the paired gain and the average overall
    feedback (two queries, whatever the number of events)."""
    rows = db.session.execute(
        select(KnowledgeCheck.event_id, Event.title, Event.starts_at, KnowledgeCheck.kind, CheckSubmission.user_id,
               CheckSubmission.percent)
        .join(Event, Event.id == KnowledgeCheck.event_id)
        .join(CheckSubmission, CheckSubmission.check_id == KnowledgeCheck.id)
        .where(KnowledgeCheck.event_id.in_(event_ids), CheckSubmission.percent.is_not(None))
        .order_by(Event.starts_at, Event.id)
    ).all()
    per_event: dict[int, dict] = {}
    for event_id, title, _starts, kind, user_id, score in rows:
        entry = per_event.setdefault(event_id, {"title": title, CheckKind.PRE: {}, CheckKind.POST: {}})
        entry[kind].setdefault(user_id, []).append(float(score))
    if not per_event:
        return []
    feedback = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(Feedback.event_id, func.count(Feedback.id), func.avg(Feedback.overall))
        .where(Feedback.event_id.in_(list(per_event))).group_by(Feedback.event_id))}
    lines = []
    for event_id, entry in per_event.items():
        pre = {person: sum(v) / len(v) for person, v in entry[CheckKind.PRE].items()}
        post = {person: sum(v) / len(v) for person, v in entry[CheckKind.POST].items()}
        answers, average = feedback.get(event_id, (0, None))
        lines.append(EventLearning(
            event_id=event_id, title=entry["title"], tested=len(set(pre) | set(post)), overall=gain(pre, post),
            satisfaction=round(float(average), 2) if average is not None else None, feedback_answers=answers or 0))
    return lines
