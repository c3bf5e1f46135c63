"""What the knowledge-check pages read: an event's tests for its organisers, the tests a
participant may take now or see the results of (event page, my events), a person's own answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.events import page_facts
from app.events.models import Event, Session, SessionSpeaker, agenda_order
from app.extensions import db
from app.learning.models import (
    CheckKind,
    CheckQuestion,
    CheckSubmission,
    FollowUpAnswer,
    FollowUpSurvey,
    KnowledgeCheck,
)
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.queries import events_with, register_event_fact
from app.timeutil import now


@dataclass
class Scope:
    """The event itself or one of its sessions, with its pre- and post-test (when made)."""

    session: Session | None
    title: str
    pre: KnowledgeCheck | None = None
    post: KnowledgeCheck | None = None


def event_checks(event: Event) -> list[KnowledgeCheck]:
    return list(db.session.scalars(
        select(KnowledgeCheck)
        .options(selectinload(KnowledgeCheck.questions).selectinload(CheckQuestion.options),
                 selectinload(KnowledgeCheck.session))
        .where(KnowledgeCheck.event_id == event.id)
    ))


def organiser_scopes(event: Event) -> tuple[list[Scope], dict[int, int]]:
    """The event and each of its sessions with their tests, and the number of submissions per test."""
    sessions = list(db.session.scalars(select(Session).where(Session.event_id == event.id)
                                       .order_by(*agenda_order())))
    scopes = {None: Scope(None, event.title)}
    for session in sessions:
        scopes[session.id] = Scope(session, session.title)
    checks = event_checks(event)
    for check in checks:
        scope = scopes.get(check.session_id)
        if scope is not None:
            setattr(scope, check.kind.value, check)
    counts = dict(db.session.execute(
        select(CheckSubmission.check_id, func.count(CheckSubmission.id))
        .where(CheckSubmission.check_id.in_([c.id for c in checks])).group_by(CheckSubmission.check_id)).all()
    ) if checks else {}
    return list(scopes.values()), counts


@dataclass
class TestEntry:
    """A test as one participant sees it: open to take, taken, or with results to read."""

    check: KnowledgeCheck
    taken: bool
    can_take: bool
    results_open: bool


def takes_tests(registration) -> bool:
    """Whether a registration (or None) is one whose holder may take the event's tests."""
    return (registration is not None and registration.status == RegistrationStatus.CONFIRMED
            and registration.role.value in ("participant", "observer"))


def participant_tests(user, events: list[Event], confirmed: set[int] | None = None) -> dict[int, list[TestEntry]]:
    """For each of `events` the viewer is a confirmed participant of: the tests they may take now
    and those they took whose results are open ({event id: entries}); two queries at most, one when
    the caller knows which of the events the viewer takes tests of (`confirmed`, see takes_tests)."""
    if not events or not getattr(user, "is_authenticated", False):
        return {}
    event_ids = [event.id for event in events]
    if confirmed is None:
        confirmed = set(db.session.scalars(select(Registration.event_id).where(
            Registration.event_id.in_(event_ids), Registration.user_id == user.id, *_TAKES_TESTS)))
    return _tests_of(user, confirmed, load_events=False)  # the caller's events are in the identity map


# A registration whose holder may take the event's tests (takes_tests, as SQL).
_TAKES_TESTS = (Registration.status == RegistrationStatus.CONFIRMED, Registration.role.in_(["participant", "observer"]))


def _tests_of(user, confirmed: set[int], load_events: bool = True) -> dict[int, list[TestEntry]]:
    """participant_tests for the events `confirmed` (those the viewer may take tests of); their
    events are loaded with them unless the caller has them already (`load_events`)."""
    if not confirmed:
        return {}
    # With each test: whether the viewer took it and signed up for its session (one statement). The
    # tests' events: read from the identity map when the caller loaded them, else one more statement.
    options = [joinedload(KnowledgeCheck.session), *([selectinload(KnowledgeCheck.event)] if load_events else [])]
    taken_it = select(CheckSubmission.id).where(CheckSubmission.check_id == KnowledgeCheck.id,
                                                CheckSubmission.user_id == user.id).exists()
    signed_up_for_it = select(SessionSignup.id).where(
        SessionSignup.session_id == KnowledgeCheck.session_id, SessionSignup.user_id == user.id,
        SessionSignup.status == SessionSignupStatus.CONFIRMED).exists()
    rows = db.session.execute(
        select(KnowledgeCheck, taken_it, signed_up_for_it).options(*options)
        .where(KnowledgeCheck.event_id.in_(confirmed))
        .where(select(CheckQuestion.id).where(CheckQuestion.check_id == KnowledgeCheck.id).exists())
        .where(~select(SessionSpeaker.id).where(SessionSpeaker.session_id == KnowledgeCheck.session_id,
                                                SessionSpeaker.user_id == user.id).exists())  # not their own
        # The pre-test before the post-test (their stored names sort the other way).
        .order_by(KnowledgeCheck.session_id.is_not(None), KnowledgeCheck.session_id,
                  case((KnowledgeCheck.kind == CheckKind.PRE, 0), else_=1))).all()
    if not rows:
        return {}
    checks = [check for check, _, _ in rows]
    taken = {check.id for check, took, _ in rows if took}
    signed_up = {check.session_id for check, _, signed in rows if signed and check.session_id}
    closes = {(c.session_id, c.kind): c.closes_at for c in checks}
    at = now()
    found: dict[int, list[TestEntry]] = {}
    for check in checks:
        if check.session_id and check.session.has_signup and check.session_id not in signed_up:
            continue
        is_taken = check.id in taken
        results_at = closes.get((check.session_id, CheckKind.POST), check.closes_at)
        entry = TestEntry(check, is_taken, not is_taken and check.opens_at <= at < check.closes_at,
                          is_taken and at >= results_at)
        if entry.can_take or entry.results_open:
            found.setdefault(check.event_id, []).append(entry)
    return found


# Whether the event has a test with questions / a follow-up survey, read with the event by its page
# (app.events.page_facts): the event page's knowledge-check box asks nothing more without one.
# "My events" reads it with each registration (app.registrations.queries.register_event_fact): its
# tests box asks nothing when none of the viewer's recent events has one.
HAS_CHECKS = "learning.has_checks"


def _has_checks(event_id):
    return exists().where(KnowledgeCheck.event_id == event_id,
                          select(CheckQuestion.id).where(CheckQuestion.check_id == KnowledgeCheck.id).exists())


page_facts.register(HAS_CHECKS, _has_checks)
register_event_fact(HAS_CHECKS, _has_checks)
HAS_SURVEY = "learning.has_survey"
page_facts.register(HAS_SURVEY, lambda event_id: exists().where(FollowUpSurvey.event_id == event_id))


# The viewer's recent events, where "my events" looks for tests: from 60 days ago to 2 days ahead.
RECENT_BEFORE, RECENT_AHEAD = timedelta(days=60), timedelta(days=2)


def recent_tests(user, registrations=None) -> list[TestEntry]:
    """The viewer's tests open now or with results to read, over the events they are a confirmed
    participant (or observer) of that run from 60 days ago to 2 days ahead, in the events'
    order: the events' ids and the viewer's part in them in one query, or none when the caller has
    read every registration of the viewer already (`registrations`: rows with the registration's
    event_id, status and role and the event's starts_at and ends_at, as "my events" reads them; with
    them, "my events" read which events have a test: HAS_CHECKS, and the others are not asked about)."""
    at = now()
    if registrations is not None:
        with_checks = events_with(HAS_CHECKS)
        event_ids = [r.event_id for r in sorted(registrations, key=lambda r: (r.starts_at, r.event_id))
                     if takes_tests(r) and r.starts_at <= at + RECENT_AHEAD and r.ends_at >= at - RECENT_BEFORE
                     and (with_checks is None or r.event_id in with_checks)]
    else:
        event_ids = list(db.session.scalars(
            select(Event.id).join(Registration, Registration.event_id == Event.id)
            .where(Registration.user_id == user.id, *_TAKES_TESTS,
                   Event.starts_at <= at + RECENT_AHEAD, Event.ends_at >= at - RECENT_BEFORE)
            .order_by(Event.starts_at, Event.id)))
    found = _tests_of(user, set(event_ids))
    return [entry for event_id in event_ids for entry in found.get(event_id, [])]


def own_answers(check: KnowledgeCheck, user) -> CheckSubmission | None:
    return db.session.scalar(
        select(CheckSubmission).options(selectinload(CheckSubmission.answers))
        .where(CheckSubmission.check_id == check.id, CheckSubmission.user_id == user.id))


def check_of_event(event: Event, check_id: int) -> KnowledgeCheck | None:
    check = db.session.get(KnowledgeCheck, check_id)
    return check if check is not None and check.event_id == event.id else None


def question_of_event(event: Event, question_id: int) -> CheckQuestion | None:
    question = db.session.get(CheckQuestion, question_id)
    return question if question is not None and question.check.event_id == event.id else None



def tests_for_export(user_id: int) -> list[dict]:
    """A person's test submissions, for their data export (app.privacy)."""
    rows = db.session.execute(
        select(KnowledgeCheck.event_id, KnowledgeCheck.session_id, KnowledgeCheck.kind, CheckSubmission.submitted_at,
               CheckSubmission.percent)
        .join(KnowledgeCheck, KnowledgeCheck.id == CheckSubmission.check_id)
        .where(CheckSubmission.user_id == user_id).order_by(CheckSubmission.submitted_at)
    ).all()
    return [{"event_id": event_id, "session_id": session_id, "kind": kind.value, "submitted_at": at.isoformat(),
             "percent": score} for event_id, session_id, kind, at, score in rows]


def follow_up_for_export(user_id: int) -> list[dict]:
    """A person's follow-up survey answers, for their data export (app.privacy)."""
    rows = db.session.execute(
        select(FollowUpSurvey.event_id, FollowUpAnswer.applied, FollowUpAnswer.how, FollowUpAnswer.answered_at)
        .join(FollowUpSurvey, FollowUpSurvey.id == FollowUpAnswer.survey_id)
        .where(FollowUpAnswer.user_id == user_id).order_by(FollowUpAnswer.answered_at)
    ).all()
    return [{"event_id": event_id, "applied": applied, "how": how, "answered_at": at.isoformat()}
            for event_id, applied, how, at in rows]
