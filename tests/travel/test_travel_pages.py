"""The travel and questions pages in the reader's language, and the arrivals overview in a fixed
number of statements whatever the number of participants."""

from __future__ import annotations

import io
from datetime import date, time

from pypdf import PdfReader

from app.accounts.models import User
from app.extensions import db as _db
from app.registrations.questions import QuestionData, save_question
from app.travel.plans import PlanData, SettingsData, save_plan, save_settings
from tests.querycount import QueryCounter


def test_pages_and_the_letter_speak_the_readers_language(db, make, login, organiser):
    event = make.event("Study visit to Europol", created_by=organiser, organisers=[organiser])
    save_question(event, QuestionData("Nationality", "country", is_required=True), organiser)
    save_settings(event, SettingsData(True, "Лист для {name}.", None, None, None, None), organiser)
    organiser.language = "uk"
    person = make.user(name="Ніна Шевчук", language="uk")
    make.registration(event, person, needs_visa_letter=True)
    db.session.commit()
    client = login(organiser)
    questions = client.get(f"/events/{event.id}/questions").get_data(as_text=True)
    assert "Реєстраційні питання" in questions and "Країна" in questions and "Обовʼязково" in questions
    overview = client.get(f"/events/{event.id}/travel").get_data(as_text=True)
    assert "Прибуття і відʼїзди" in overview and "Експорт CSV" in overview
    letter = login(person).get(f"/events/{event.id}/visa-letter")
    text = " ".join(PdfReader(io.BytesIO(letter.data)).pages[0].extract_text().split())
    assert "Лист візової підтримки" in text
    assert "Лист для Ніна Шевчук." in text and "Організатор, Study visit to Europol" in text


def _statements(client, event_id: int) -> int:
    _db.session.expunge_all()
    with QueryCounter(_db.engine) as counter:
        response = client.get(f"/events/{event_id}/travel")
    assert response.status_code == 200
    return counter.count


def test_the_arrivals_overview_reads_a_fixed_number_of_statements(db, make, login, organiser):
    counts = []
    organiser_id, client = organiser.id, login(organiser)
    for size in (2, 8):
        organiser = _db.session.get(User, organiser_id)
        event = make.event(created_by=organiser, organisers=[organiser])
        for index in range(size):
            registration = make.registration(event, make.user(organisation=make.organisation()))
            save_plan(registration, PlanData(arrival_on=date(2027, 5, 10 + index % 3), arrival_time=time(9, index),
                                             arrival_mode="train", hotel="Hotel Indigo"), organiser)
        counts.append(_statements(client, event.id))
    assert counts[0] == counts[1]
