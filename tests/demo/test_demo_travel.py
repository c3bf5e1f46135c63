"""The demo study visit of issue 23: questions, answers from partner countries, travel plans, a
letter template — and the demo member downloads their visa letter."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.views import DEMO_PASSWORD
from app.demo.data import load_demo
from app.demo.travel import TITLE
from app.events.models import Event
from app.registrations.question_models import RegistrationAnswer, RegistrationQuestion
from app.travel.models import TravelPlan, TravelSettings


def test_demo_study_visit_has_questions_travel_and_a_letter(app, db):
    load_demo()
    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    labels = db.session.scalars(select(RegistrationQuestion.label).where(RegistrationQuestion.event_id == event.id)
                                .order_by(RegistrationQuestion.position)).all()
    assert labels[:3] == ["Nationality", "Passport number", "Date of birth"]
    assert db.session.scalar(select(func.count(RegistrationAnswer.id))) >= 18
    assert db.session.scalar(select(func.count(TravelPlan.id))) == 6
    assert db.session.get(TravelSettings, event.id).logistics_enabled
    load_demo()  # again: nothing twice
    assert db.session.scalar(select(func.count(TravelPlan.id))) == 6
    client = app.test_client()
    assert client.post("/login", data={"email": "member@liaison.example", "password": DEMO_PASSWORD}).status_code == 302
    letter = client.get(f"/events/{event.id}/visa-letter")
    assert letter.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(letter.data)).pages[0].extract_text().split())
    assert "Mariam Tsiklauri" in text and "13AB45678" in text and "Georgia" in text
