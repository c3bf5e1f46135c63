"""A person's answers and travel details are in their data export, and go with their account."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from app.registrations.question_models import RegistrationAnswer
from app.registrations.questions import QuestionData, save_question, store_answers
from app.travel.models import TravelPlan
from app.travel.plans import PlanData, save_plan


def test_export_holds_my_answers_and_travel_and_deletion_removes_them(app, db, make, login, organiser):
    event = make.event("Study visit to Europol", created_by=organiser)
    passport = save_question(event, QuestionData("Passport number", "document_number", is_sensitive=True), organiser)
    me = make.user(name="Olena Kovalenko")
    registration = make.registration(event, me)
    store_answers(registration, {passport.id: "FK 123456"})
    db.session.commit()
    save_plan(registration, PlanData(arrival_on=date(2027, 5, 10), arrival_mode="train", hotel="Hotel Indigo"), me)
    other = make.registration(event, make.user(name="Somebody Else"))
    store_answers(other, {passport.id: "XX 999999"})
    db.session.commit()
    web = login(me)
    data = json.loads(web.get("/profile/my-data.json").get_data(as_text=True))
    assert data["registration_answers"] == [
        {"event": "Study visit to Europol", "question": "Passport number", "answer": "FK 123456"}]
    assert data["travel_plans"][0]["hotel"] == "Hotel Indigo" and data["travel_plans"][0]["arrival_mode"] == "train"
    assert "XX 999999" not in json.dumps(data)
    page = web.get("/profile/my-data").get_data(as_text=True)
    assert "FK 123456" in page and "Arrival date" in page

    from app.privacy.deletion import delete_account

    delete_account(me, me)
    db.session.commit()
    left = db.session.scalars(select(RegistrationAnswer.value)).all()
    assert left == ["XX 999999"]
    assert db.session.scalar(select(TravelPlan)) is None
