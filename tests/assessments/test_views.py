"""The pages: an organiser builds, sends and opens an assessment; bad input comes back beside its
field; the respondent saves a draft and submits; the needs appear on the event page, the wrap-up, the
lessons library and in the nav, for the planning staff only."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.assessments import answering, needs
from app.assessments.models import Assessment, AssessmentStatus, Respondent
from app.extensions import db
from app.timeutil import set_now
from tests.assessments import world as sample


def test_an_organiser_builds_sends_and_opens_an_assessment(app, login, make):
    set_now(sample.NOW)
    organiser = make.user(Role.ORGANISER)
    unit = make.organisation("Border Police of Moldova", country="MD")
    ion, natalia = make.user(name="Ion", organisation=unit), make.user(name="Natalia", organisation=unit)
    client = login(organiser)
    assert "Needs assessments" in client.get("/").get_data(as_text=True)
    # Bad input: the scope's country is missing, shown beside the field.
    page = client.post("/assessments/new", data={"title": "Border units 2026", "scope": "country", "country": ""})
    assert page.status_code == 422 and "Choose the country the assessment is for." in page.get_data(as_text=True)
    response = client.post("/assessments/new", data={"title": "Border units 2026", "scope": "country", "country": "MD",
                                                     "closes_on": "2026-04-20"})
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    base = f"/assessments/{assessment.id}"
    page = client.post(f"{base}/questions", data={"kind": "single", "text": "Format?", "options": "Only one"})
    assert page.status_code == 422 and "A choice needs at least two options" in page.get_data(as_text=True)
    client.post(f"{base}/questions", data={"kind": "scale", "text": "How urgent is document fraud training?",
                                           "is_required": "y"})
    client.post(f"{base}/recipients", data={"organisations": [str(unit.id)]})
    assert client.post(f"{base}/open").status_code == 302
    db.session.rollback()
    assert db.session.get(Assessment, assessment.id).status == AssessmentStatus.OPEN
    assert len(db.session.scalars(select(Respondent)).all()) == 2
    page = client.get(base).get_data(as_text=True)
    assert "Ion" in page and "Natalia" in page and "Submitted: 0 · drafts: 0 · invited: 2" in page

    member = login(ion)
    form = member.get(f"{base}/answer").get_data(as_text=True)
    assert "How urgent is document fraud training?" in form
    question_id = assessment.questions[0].id
    refused = member.post(f"{base}/answer", data={"action": "submit"})
    assert refused.status_code == 422 and "Please answer this question." in refused.get_data(as_text=True)
    member.post(f"{base}/answer", data={"action": "save", f"q{question_id}": "4"})
    assert 'value="4" checked' in member.get(f"{base}/answer").get_data(as_text=True)  # the draft is kept
    member.post(f"{base}/answer", data={"action": "submit", f"q{question_id}": "5"})
    done = member.get(f"{base}/answer").get_data(as_text=True)
    assert 'data-testid="submitted"' in done and "Submit answers" not in done
    # Natalia cannot open Ion's questionnaire results, nor the owner's pages.
    other = login(natalia)
    assert other.get(base).status_code == 404
    assert other.get(f"/reports/assessments/{assessment.id}").status_code == 404
    assert login(make.user()).get(f"{base}/answer").status_code == 404


def test_needs_show_on_the_event_page_wrap_up_and_library_for_the_planning_staff(app, login, make):
    w = sample.build()
    event = make.event("Training: crypto tracing", organisers=[w.owner], created_by=w.owner)
    need = needs.record_need(w.owner, w.assessment, needs.NeedData(title="Mixers analysis capability",
                                                                   theme_id=w.cyber.id))
    needs.link_event(w.owner, need, event.id)
    owner = login(w.owner)
    assert "Mixers analysis capability" in owner.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Mixers analysis capability" in owner.get(f"/events/{event.id}/wrap-up").get_data(as_text=True)
    library = owner.get("/lessons/").get_data(as_text=True)
    assert 'data-testid="capability-needs"' in library and "Mixers analysis capability" in library
    assert "Mixers analysis capability" not in owner.get("/lessons/?recommendation_type=policy").get_data(as_text=True)
    page = owner.get(f"/assessments/needs/{need.id}").get_data(as_text=True)
    assert "Training: crypto tracing" in page
    member = login(w.olena)
    assert "Mixers analysis capability" not in member.get("/lessons/").get_data(as_text=True)
    assert "Mixers analysis capability" not in member.get(f"/events/{event.id}").get_data(as_text=True)
    assert member.get(f"/assessments/needs/{need.id}").status_code == 404
    # The respondent sees the questionnaire sent to them on the assessments page.
    assert w.assessment.title in member.get("/assessments/").get_data(as_text=True)
    assert answering.respondent_for(w.assessment, w.olena) is not None


def test_planning_an_event_from_a_need_opens_its_edit_form(app, login):
    w = sample.build()
    need = needs.record_need(w.owner, w.assessment, needs.NeedData(title="OSINT for border checks", country="MD"))
    response = login(w.owner).post(f"/assessments/needs/{need.id}/plan")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")

