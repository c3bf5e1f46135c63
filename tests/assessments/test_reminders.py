"""Reminders before an assessment's deadline: 7 and 2 days before, once each, to those who have not
submitted; safe to run twice; nothing after the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.assessments import answering, building
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.scheduler.jobs.assessment_reminders import due_days, run_assessment_reminders
from app.timeutil import set_now
from tests.assessments import world as sample


@pytest.fixture
def w(app):
    return sample.build()


def _reminded() -> list[tuple[int, str]]:
    db.session.rollback()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "assessment.reminder")
                              .order_by(OutboxMessage.id))
    return [(m.recipient_user_id, m.subject) for m in rows]


def test_due_days_follow_the_deadline():
    deadline = sample.DEADLINE
    assert due_days(deadline, deadline - timedelta(days=8)) is None
    assert due_days(deadline, deadline - timedelta(days=7)) == 7
    assert due_days(deadline, deadline - timedelta(days=3)) == 7
    assert due_days(deadline, deadline - timedelta(days=1)) == 2
    assert due_days(deadline, deadline) is None


def test_seven_and_two_days_before_once_each_to_those_who_have_not_submitted(w):
    respondent = answering.respondent_for(w.assessment, w.ion)
    answering.save_answers(respondent, w.assessment, {f"q{w.scale.id}": ["4"]}, submit=True)
    assert run_assessment_reminders(sample.DEADLINE - timedelta(days=8)).sent == 0
    seven = sample.DEADLINE - timedelta(days=7, minutes=-5)
    set_now(seven)
    assert run_assessment_reminders(seven).sent == 2
    assert run_assessment_reminders(seven).sent == 0  # twice-run safe
    assert run_assessment_reminders(seven + timedelta(days=3)).sent == 0
    reminded = _reminded()
    assert sorted(user for user, _s in reminded) == sorted([w.olena.id, w.andrii.id])
    andrii = next(subject for user, subject in reminded if user == w.andrii.id)
    assert andrii == "Reminder: ILECU training needs 2026 closes in 7 days"
    two = sample.DEADLINE - timedelta(days=2)
    assert run_assessment_reminders(two).sent == 2
    assert run_assessment_reminders(two + timedelta(hours=1)).sent == 0
    assert len(_reminded()) == 4
    assert run_assessment_reminders(sample.DEADLINE + timedelta(minutes=1)).sent == 0


def test_a_late_scheduler_sends_only_the_latest_reminder(w):
    one_day = sample.DEADLINE - timedelta(days=1)
    assert run_assessment_reminders(one_day).sent == 3
    assert {subject for _u, subject in _reminded() if "closes in" in subject} == {
        "Reminder: ILECU training needs 2026 closes in 2 days"}
    assert run_assessment_reminders(one_day).sent == 0


def test_no_reminders_for_closed_assessments(w):
    building.close_assessment(w.owner, w.assessment)
    assert run_assessment_reminders(sample.DEADLINE - timedelta(days=1)).sent == 0
