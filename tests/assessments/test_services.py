"""Needs assessments' rules: who it is sent to, once-per-person answers with drafts, the deadline,
who may answer and who may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.assessments import answering, building, needs
from app.assessments.access import is_owner, may_read_needs
from app.assessments.building import AssessmentError
from app.assessments.models import AssessmentStatus, NeedPriority, QuestionKind, Respondent
from app.events.models import EventKind, EventStatus
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.timeutil import set_now
from tests.assessments import world as sample


@pytest.fixture
def w(app):
    return sample.build()


def _answer(w, user, *, submit, **values):
    assessment = w.assessment
    respondent = answering.respondent_for(assessment, user)
    return answering.save_answers(respondent, assessment, values, submit=submit)


def test_sent_to_people_and_approved_members_of_organisations_each_once(w):
    names = sorted(db.session.scalars(select(Respondent.user_id).where(Respondent.assessment_id == w.assessment.id)))
    assert names == sorted([w.olena.id, w.andrii.id, w.ion.id])
    again = building.add_recipients(w.owner, w.assessment, user_ids=[w.olena.id], organisation_ids=[w.ua_police.id])
    assert again == 0
    invitations = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "assessment.invitation")).all()
    assert sorted(m.recipient_user_id for m in invitations) == sorted([w.olena.id, w.andrii.id, w.ion.id])
    olena = next(m for m in invitations if m.recipient_user_id == w.olena.id)
    assert f"/assessments/{w.assessment.id}/answer" in olena.text_body


def test_a_draft_is_kept_and_a_submission_is_final(w):
    cleaned = _answer(w, w.olena, submit=False, **{f"q{w.single.id}": ["Online"]})
    assert not cleaned.errors
    respondent = answering.respondent_for(w.assessment, w.olena)
    assert respondent.answers == {str(w.single.id): "Online"} and respondent.submitted_at is None
    # Submitting without the required scale answer is refused, question by question.
    refused = _answer(w, w.olena, submit=True, **{f"q{w.single.id}": ["Online"]})
    assert refused.errors == {w.scale.id: "Please answer this question."}
    _answer(w, w.olena, submit=True, **{f"q{w.scale.id}": ["5"], f"q{w.single.id}": ["Online"]})
    respondent = answering.respondent_for(w.assessment, w.olena)
    assert respondent.submitted_at is not None and respondent.country == "UA"
    assert respondent.organisation_type == "law_enforcement"
    with pytest.raises(AssessmentError, match="already submitted"):
        _answer(w, w.olena, submit=True, **{f"q{w.scale.id}": ["1"]})
    assert answering.respondent_for(w.assessment, w.olena).answers[str(w.scale.id)] == 5


def test_invalid_answers_are_refused_beside_their_question(w):
    cleaned = _answer(w, w.ion, submit=False, **{
        f"q{w.scale.id}": ["9"], f"q{w.single.id}": ["Carrier pigeon"], f"q{w.themes.id}": ["999999"]})
    assert set(cleaned.errors) == {w.scale.id, w.single.id, w.themes.id}
    assert answering.respondent_for(w.assessment, w.ion).saved_at is None


def test_nobody_else_can_answer(w):
    assert answering.respondent_for(w.assessment, w.outsider) is None
    with pytest.raises(AssessmentError, match="not sent to you"):
        answering.save_answers(None, w.assessment, {}, submit=True)


def test_no_answers_after_the_deadline_or_once_closed(w):
    set_now(sample.DEADLINE + timedelta(minutes=1))
    assert w.assessment.shown_status(sample.DEADLINE + timedelta(minutes=1)) == AssessmentStatus.CLOSED
    with pytest.raises(AssessmentError, match="closed"):
        _answer(w, w.ion, submit=False, **{f"q{w.scale.id}": ["3"]})
    set_now(sample.NOW)
    building.close_assessment(w.owner, w.assessment)
    with pytest.raises(AssessmentError, match="closed"):
        _answer(w, w.ion, submit=False, **{f"q{w.scale.id}": ["3"]})


def test_who_owns_and_who_reads_needs(w, make):
    coordinator = make.user("coordinator")
    assert is_owner(w.owner, w.assessment) and is_owner(coordinator, w.assessment)
    assert not is_owner(w.organiser, w.assessment) and not is_owner(w.olena, w.assessment)
    assert may_read_needs(w.organiser) and not may_read_needs(w.olena)
    with pytest.raises(AssessmentError):
        building.add_recipients(w.organiser, w.assessment, user_ids=[w.outsider.id])


def test_opening_needs_questions_recipients_and_a_deadline_a_day_ahead(app, make):
    set_now(sample.NOW)
    owner = make.user("organiser")
    member = make.user()
    assessment = building.create_assessment(owner, building.AssessmentData(
        title="Draft", scope=building.AssessmentScope.COUNTRY, country="MD", closes_at=sample.NOW + timedelta(hours=3)))
    with pytest.raises(AssessmentError, match="at least one question"):
        building.open_assessment(owner, assessment)
    building.add_question(owner, assessment, QuestionKind.TEXT, "Anything?")
    with pytest.raises(AssessmentError, match="Choose who"):
        building.open_assessment(owner, assessment)
    building.add_recipients(owner, assessment, user_ids=[member.id])
    with pytest.raises(AssessmentError, match="at least a day"):
        building.open_assessment(owner, assessment)
    with pytest.raises(AssessmentError, match="two options"):
        building.add_question(owner, assessment, QuestionKind.SINGLE, "Pick", options_text="Only one")


def test_questions_are_reused_from_an_earlier_assessment(w):
    later = building.create_assessment(w.owner, building.AssessmentData(
        title="Follow-up 2027", scope=building.AssessmentScope.COUNTRY, country="MD"))
    assert building.copy_questions(w.owner, later, w.assessment.id) == 5
    assert [q.text for q in later.questions] == [q.text for q in w.assessment.questions]
    assert later.questions[1].options == ["In person", "Online", "Hybrid"]
    with pytest.raises(AssessmentError, match="questions can only be changed|Questions can only"):
        building.add_question(w.owner, w.assessment, QuestionKind.TEXT, "Too late")


def test_a_need_becomes_a_planned_draft_event_and_links_to_events(w, make):
    need = needs.record_need(w.owner, w.assessment, needs.NeedData(
        title="Cryptocurrency tracing", description="No unit can trace mixers.", theme_id=w.cyber.id,
        country="UA", priority=NeedPriority.HIGH))
    event = needs.plan_event(w.owner, need)
    assert event.status == EventStatus.DRAFT and event.kind == EventKind.TRAINING
    assert event.title == "Training: Cryptocurrency tracing" and event.country == "UA"
    assert [t.name for t in event.themes] == ["Cybercrime"]
    assert "No unit can trace mixers." in event.description
    assert need.events == [event]
    other = make.event("Existing OSINT workshop")
    needs.link_event(w.owner, need, other.id)
    assert {e.id for e in need.events} == {event.id, other.id}
    needs.unlink_event(w.owner, need, other.id)
    assert need.events == [event]
    with pytest.raises(AssessmentError):
        needs.record_need(w.organiser, w.assessment, needs.NeedData(title="Not mine"))
