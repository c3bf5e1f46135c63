"""The API asks an event's registration questions as the pages do, and gives the answers on the
participant resources: sensitive ones only to the event's own organisers."""

from __future__ import annotations

from sqlalchemy import select

from app.registrations.question_models import RegistrationAnswer
from app.registrations.questions import QuestionData, save_question


def _questions(make):
    organiser = make.user(role="organiser", name="Olga Organiser")
    event = make.event("Study visit to Europol", created_by=organiser, organisers=[organiser])
    nationality = save_question(event, QuestionData("Nationality", "country", is_required=True), organiser)
    passport = save_question(event, QuestionData("Passport number", "document_number", is_required=True,
                                                 is_sensitive=True), organiser)
    driving = save_question(event, QuestionData("Do you drive?", "yes_no"), organiser)
    return organiser, event, nationality, passport, driving


def test_api_registration_enforces_required_answers(db, make, api_as):
    _organiser, event, nationality, passport, driving = _questions(make)
    api = api_as(make.user(name="Andrii Melnyk"))
    missing = api.post(f"/api/v1/events/{event.id}/registration", json={"consent": True})
    assert missing.status_code == 422
    problem = missing.get_json()
    assert problem["errors"][0]["field"] == f"answers.{nationality.id}"
    assert "Answer this question." in problem["errors"][0]["message"]
    bad = api.post(f"/api/v1/events/{event.id}/registration", json={
        "consent": True, "answers": {str(nationality.id): "UA", str(passport.id): "!!"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == f"answers.{passport.id}"
    done = api.post(f"/api/v1/events/{event.id}/registration", json={
        "consent": True, "answers": {str(nationality.id): "UA", str(passport.id): "FE123456", str(driving.id): True,
                                     "999999": "an id of no question of the event: ignored"}})
    assert done.status_code == 201, done.get_json()
    stored = dict(db.session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.value)).all())
    assert stored == {nationality.id: "UA", passport.id: "FE123456", driving.id: "yes"}


def test_participant_resources_show_answers_by_who_may_see_them(db, make, api_as):
    organiser, event, nationality, passport, _driving = _questions(make)
    api_as(make.user(name="Andrii Melnyk")).post(f"/api/v1/events/{event.id}/registration", json={
        "consent": True, "answers": {str(nationality.id): "UA", str(passport.id): "FE123456"}})
    own = api_as(organiser).get(f"/api/v1/events/{event.id}/participants").get_json()["items"][0]
    assert [(a["question"], a["answer"], a["value"]) for a in own["answers"]] == [
        ("Nationality", "Ukraine", "UA"), ("Passport number", "FE123456", "FE123456")]
    coordinator = api_as(make.user(role="coordinator"))
    listed = coordinator.get(f"/api/v1/events/{event.id}/participants").get_json()["items"][0]
    assert [a["question"] for a in listed["answers"]] == ["Nationality"]
    one = coordinator.get(f"/api/v1/events/{event.id}/participants/{listed['id']}").get_json()
    assert "FE123456" not in str(one) and one["answers"][0]["answer"] == "Ukraine"
