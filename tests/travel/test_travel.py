"""Study-visit logistics and visa support letters: participants give their travel details when the
organisers turn logistics on, organisers see who arrives when (grouped by day) and export it, the
letter template's placeholders are checked, and letters are downloaded by whom they concern."""

from __future__ import annotations

import csv
import io
from datetime import date, time

from pypdf import PdfReader
from sqlalchemy import select

from app.registrations.models import Registration
from app.registrations.questions import QuestionData, save_question
from app.travel.letters import fill, template_problem, unknown_placeholders
from app.travel.models import TravelMode, TravelPlan, TravelSettings
from app.travel.plans import PlanData, SettingsData, save_plan, save_settings

TEMPLATE = ("We confirm that {name}, a national of {nationality}, holder of passport {document_number}, "
            "born on {date_of_birth}, is invited to {event_title} ({event_dates}) at {venue}.")


def _visit(make, organiser, **settings):
    host = make.organisation("Europol", country="NL")
    event = make.event("Study visit to Europol", kind="study_visit", created_by=organiser, organisers=[organiser],
                       host_organisation_id=host.id, city="The Hague", venue="Europol headquarters", country="NL")
    nationality = save_question(event, QuestionData("Nationality", "country", is_required=True), organiser)
    passport = save_question(event, QuestionData("Passport number", "document_number", is_sensitive=True),
                             organiser)
    born = save_question(event, QuestionData("Date of birth", "date", is_sensitive=True), organiser)
    save_settings(event, SettingsData(settings.get("logistics", True), settings.get("template", TEMPLATE), None,
                                      nationality.id, passport.id, born.id), organiser)
    return event, (nationality, passport, born)


def test_placeholders_are_checked_and_filled():
    assert unknown_placeholders("Dear {name}, {passport} and {name} {x.y}") == ["passport", "x.y"]
    assert "Unknown placeholders: {passport}" in template_problem("Dear {name}, {passport}")
    assert "brace" in template_problem("Dear {name")
    assert template_problem(TEMPLATE) is None
    assert fill("{name} ({document_number})", {"name": "Іван Петренко"}) == "Іван Петренко (—)"


def test_unknown_placeholder_is_refused_beside_the_template(db, make, login, organiser):
    event, _questions = _visit(make, organiser)
    client = login(organiser)
    page = client.get(f"/events/{event.id}/travel/settings").get_data(as_text=True)
    assert "Question giving the document number" in page and "Passport number" in page
    refused = client.post(f"/events/{event.id}/travel/settings", data={
        "logistics_enabled": "y", "letter_template": "Dear {name}, your {visa_type} visa"})
    assert refused.status_code == 422
    assert "Unknown placeholders: {visa_type}" in refused.get_data(as_text=True)
    assert db.session.get(TravelSettings, event.id).letter_template == TEMPLATE


def test_participant_fills_travel_details_only_when_logistics_are_on(db, make, login, organiser):
    event, _questions = _visit(make, organiser, logistics=False)
    person = make.user(name="Ion Rusu")
    registration = make.registration(event, person)
    client = login(person)
    assert client.get(f"/events/{event.id}/travel/mine").status_code == 404
    save_settings(event, SettingsData(True, TEMPLATE, None, None, None, None), organiser)
    assert 'data-testid="my-travel"' in client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    refused = client.post(f"/events/{event.id}/travel/mine", data={
        "arrival_on": "2027-05-10", "departure_on": "2027-05-08"})
    assert refused.status_code == 422 and "The departure cannot be before the arrival" in refused.get_data(as_text=True)
    done = client.post(f"/events/{event.id}/travel/mine", data={
        "arrival_on": "2027-05-10", "arrival_time": "14:35", "arrival_mode": "flight", "arrival_number": "RO 361",
        "departure_on": "2027-05-13", "departure_mode": "train", "hotel": "Hotel Indigo",
        "check_in_on": "2027-05-10", "check_out_on": "2027-05-13"})
    assert done.status_code == 302
    plan = db.session.scalars(select(TravelPlan)).one()
    assert (plan.registration_id, plan.arrival_mode, plan.arrival_time, plan.nights) == (
        registration.id, TravelMode.FLIGHT, time(14, 35), 3)
    assert login(make.user()).get(f"/events/{event.id}/travel/mine").status_code == 404  # not registered


def test_overview_sorts_by_arrival_groups_by_day_and_exports(db, make, login, organiser):
    event, _questions = _visit(make, organiser)
    people = {}
    for name, arrival, at in (("Zoran Stojanović", date(2027, 5, 10), time(9, 5)),
                              ("Ana Popescu", date(2027, 5, 10), time(18, 40)),
                              ("Dmytro Shevchenko", date(2027, 5, 9), time(21, 0)),
                              ("Mariam Kapanadze", None, None)):
        registration = make.registration(event, make.user(name=name))
        people[name] = registration
        if arrival:
            save_plan(registration, PlanData(arrival_on=arrival, arrival_time=at, arrival_mode="flight"), organiser)
    client = login(organiser)
    page = client.get(f"/events/{event.id}/travel").get_data(as_text=True)
    order = [name for name in ("Dmytro Shevchenko", "Zoran Stojanović", "Ana Popescu", "Mariam Kapanadze")]
    positions = [page.index(name) for name in order]
    assert positions == sorted(positions)
    assert page.count('data-testid="arrival-day"') == 3 and "Arrival not given yet" in page
    exported = client.get(f"/events/{event.id}/travel/export?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Arrival date", "Arrival time", "Arrival by", "Arrival number", "Name"]
    assert [row[4] for row in rows[1:]] == order
    assert rows[1][:3] == ["2027-05-09", "21:00", "Flight"]
    xlsx = client.get(f"/events/{event.id}/travel/export?format=xlsx")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(xlsx.data)).active["E2"].value == "Dmytro Shevchenko"
    edit = client.post(f"/events/{event.id}/travel/{people['Mariam Kapanadze'].id}", data={
        "arrival_on": "2027-05-08", "arrival_mode": "bus"})
    assert edit.status_code == 302
    coordinator = login(make.user(role="coordinator"))
    assert coordinator.get(f"/events/{event.id}/travel").status_code == 200
    assert login(make.user()).get(f"/events/{event.id}/travel").status_code == 403


def _letter_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_visa_letter_for_the_participant_and_the_events_own_organisers(db, make, login, organiser):
    event, (nationality, passport, born) = _visit(make, organiser)
    person = make.user(name="Ніна Шевчук")
    client = login(person)
    assert client.post(f"/events/{event.id}/register", data={
        "role": "participant", "consent": "y", "needs_visa_letter": "y", f"q{nationality.id}": "UA",
        f"q{passport.id}": "FK 998877", f"q{born.id}": "1987-04-03"}).status_code == 302
    assert 'data-testid="visa-letter"' in client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    response = client.get(f"/events/{event.id}/visa-letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _letter_text(response.data)
    for expected in ("Europol", "Ніна Шевчук", "Ukraine", "FK 998877", "Study visit to Europol",
                     "Olga Organiser", "The Hague", "Europol headquarters"):
        assert expected in text, expected
    registration = db.session.scalars(select(Registration).where(Registration.user_id == person.id)).one()
    own = login(organiser).get(f"/events/{event.id}/visa-letters/{registration.id}")
    assert own.status_code == 200 and "FK 998877" in _letter_text(own.data)
    coordinator = login(make.user(role="coordinator"))
    assert coordinator.get(f"/events/{event.id}/visa-letters/{registration.id}").status_code == 403
    other = login(make.user())
    assert other.get(f"/events/{event.id}/visa-letter").status_code == 404
    assert other.get(f"/events/{event.id}/visa-letters/{registration.id}").status_code == 403
    # Without the visa need there is no letter.
    assert client.post(f"/events/{event.id}/registration/needs", data={
        f"q{nationality.id}": "UA", f"q{passport.id}": "FK 998877"}).status_code == 302
    assert client.get(f"/events/{event.id}/visa-letter").status_code == 404
