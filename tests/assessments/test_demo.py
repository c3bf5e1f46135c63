"""The demo's needs assessment: the ILECU partner units' answers, its needs, one addressed by a
demo training, and the coordinator's results page."""

from __future__ import annotations

from sqlalchemy import func, select

from app.assessments.models import Assessment, Need, Respondent
from app.demo.assessments import TITLE
from app.demo.data import DEMO_PASSWORD, load_demo
from tests.conftest import AuthActions


def test_demo_assessment_with_answers_needs_and_a_linked_training(db, app):
    load_demo()
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == TITLE))
    submitted = db.session.scalars(select(Respondent.country).where(
        Respondent.assessment_id == assessment.id, Respondent.submitted_at.is_not(None))).all()
    assert sorted(set(submitted)) == ["GE", "MD", "MK", "RS", "UA"] and len(submitted) == 12
    needs = db.session.scalars(select(Need).where(Need.assessment_id == assessment.id)).all()
    assert len(needs) == 4
    assert [e.title for n in needs for e in n.events] == ["Training of trainers: OSINT for border police"]
    client = app.test_client()
    AuthActions(client).login("coordinator@liaison.example", DEMO_PASSWORD)
    db.session.rollback()
    page = client.get(f"/reports/assessments/{assessment.id}")
    assert page.status_code == 200 and 'data-figure="Submitted">12' in page.get_data(as_text=True)
    load_demo()
    assert db.session.scalar(select(func.count(Assessment.id))) == 1


def test_member_finds_the_questionnaire_waiting_for_them_on_the_home_page(db, app):
    """QA: a member sent a questionnaire had no link to it (the navigation shows Needs assessments
    to organisers only); the home page lists it until it is submitted."""
    load_demo()
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == TITLE))
    client = app.test_client()
    AuthActions(client).login("member@liaison.example", DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Questionnaires waiting for your answer" in home
    assert f'href="/assessments/{assessment.id}/answer"' in home

    other = app.test_client()
    AuthActions(other).login("organiser@liaison.example", DEMO_PASSWORD)
    assert "Questionnaires waiting for your answer" not in other.get("/").get_data(as_text=True)
    assert "Questionnaires waiting" not in app.test_client().get("/").get_data(as_text=True)


def test_results_count_the_questionnaires_with_real_plural_forms(db, app):
    """QA: the results said "12 questionnaire(s) submitted", which no translation can say well
    (Ukrainian, Macedonian and Serbian have three plural forms)."""
    load_demo()
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == TITLE))
    client = app.test_client()
    AuthActions(client).login("coordinator@liaison.example", DEMO_PASSWORD)
    page = client.get(f"/reports/assessments/{assessment.id}").get_data(as_text=True)
    assert "12 questionnaires submitted" in page and "(s)" not in page
    page = client.get(f"/reports/assessments/{assessment.id}?lang=uk").get_data(as_text=True)
    assert "12 опитувальників подано" in page
