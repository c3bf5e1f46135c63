"""Demo data of issue 23: an upcoming study visit to Europol whose organisers ask registration
questions (nationality, a sensitive passport number, a sensitive date of birth), with participants
from partner countries who answered them and gave their travel details, and a visa letter template.
Idempotent: what exists is left alone."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from app.events.models import Event, EventFormat, EventKind, RegistrationMode, SessionKind
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.question_models import QuestionKind, RegistrationAnswer, RegistrationQuestion
from app.travel.models import TravelMode, TravelPlan, TravelSettings

TITLE = "Study visit to Europol: EMPACT firearms and cyber-enabled crime"
C = RegistrationStatus.CONFIRMED
# (email, nationality, passport number, date of birth, asks for a visa letter,
#  (arrival day offset, time, mode, number), (departure day offset, time, mode, number), hotel)
PEOPLE = [
    ("member@liaison.example", "GE", "13AB45678", "1989-03-21", True,
     (-1, "21:40", TravelMode.FLIGHT, "W6 2303"), (2, "12:15", TravelMode.FLIGHT, "W6 2304"), "Hotel Indigo The Hague"),
    ("olena.kovalenko@npu.example.gov.ua", "UA", "FK 992145", "1986-07-02", True,
     (-1, "18:05", TravelMode.FLIGHT, "LO 269"), (2, "15:30", TravelMode.FLIGHT, "LO 270"), "Hotel Indigo The Hague"),
    ("ion.rusu@politia.example.md", "MD", "AB1234567", "1979-11-14", True,
     (0, "07:55", TravelMode.FLIGHT, "RO 361"), (1, "19:20", TravelMode.FLIGHT, "RO 362"), "Mercure Den Haag Central"),
    ("bojan.trajkovski@mvr.example.mk", "MK", "M1234567", "1991-01-09", True,
     (-1, "16:20", TravelMode.FLIGHT, "W6 4301"), (2, "10:05", TravelMode.FLIGHT, "W6 4302"), "Mercure Den Haag Central"),
    ("stefan.markovic@mup.example.rs", "RS", "012345678", "1984-05-30", True,
     (-1, "22:10", TravelMode.FLIGHT, "JU 360"), (2, "13:45", TravelMode.FLIGHT, "JU 361"), "Hotel Indigo The Hague"),
    ("zsofia.nagy@nni.example.hu", "HU", "BE5566778", "1988-09-12", False,
     (0, "08:10", TravelMode.TRAIN, "ICE 122"), (1, "18:02", TravelMode.TRAIN, "ICE 127"), None),
    ("andreea.popescu@politiaromana.example.ro", "RO", "055123456", "1990-12-04", False, None, None, None),
]

TRAVEL_EVENTS = [
    dict(
        title=TITLE, kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, day=24, days=2,
        tz="Europe/Amsterdam", city="The Hague", country="NL", venue="Europol headquarters",
        address="Eisenhowerlaan 73, The Hague", host="Europol", capacity=12,
        registration_mode=RegistrationMode.APPROVAL, projects=["FIRE-TRACE"],
        themes=[("Firearms and explosives crime", "2026-2029")],
        summary="Two days with Europol's firearms and cybercrime analysts: operational support, SIENA and "
                "the EMPACT operational actions partners can join.",
        sessions=[
            (0, "09:30", "10:30", "Welcome, security briefing and badges", SessionKind.PLENARY, "Visitor centre",
             [("pieter.devries@europol.example.eu", None)]),
            (0, "11:00", "13:00", "Firearms trafficking on the dark web: joint cases", SessionKind.PLENARY,
             "Room 2.14", [("pieter.devries@europol.example.eu", None)]),
            (1, "09:30", "11:30", "European Cybercrime Centre: how partners request support", SessionKind.SITE_VISIT,
             "EC3", [("ext:Joost Bakker", "European Cybercrime Centre")]),
        ],
        registrations=[(email, C) for email, *_rest in PEOPLE],
    ),
]

LETTER = (
    "To the Embassy of the Kingdom of the Netherlands\n\n"
    "Europol confirms that {name} ({organisation}), a national of {nationality}, born on {date_of_birth}, "
    "holder of passport number {document_number}, is invited to take part in the {event_title}, "
    "held at {venue} on {event_dates}.\n\n"
    "The costs of travel and accommodation are covered by the FIRE-TRACE project. We kindly ask you to issue "
    "a short-stay visa for the duration of the visit.\n\n"
    "For any question, please contact the organiser, {organiser_name}."
)


def _questions(event: Event) -> list[RegistrationQuestion]:
    existing = list(db.session.scalars(select(RegistrationQuestion).where(RegistrationQuestion.event_id == event.id)
                                       .order_by(RegistrationQuestion.position)))
    if existing:
        return existing
    questions = [
        RegistrationQuestion(event_id=event.id, position=1, label="Nationality", kind=QuestionKind.COUNTRY,
                             is_required=True),
        RegistrationQuestion(event_id=event.id, position=2, label="Passport number",
                             kind=QuestionKind.DOCUMENT_NUMBER, is_required=True, is_sensitive=True, retention_days=30,
                             help_text="As printed in the passport you travel with: the visa letter quotes it."),
        RegistrationQuestion(event_id=event.id, position=3, label="Date of birth", kind=QuestionKind.DATE,
                             is_required=True, is_sensitive=True, retention_days=30),
        RegistrationQuestion(event_id=event.id, position=4, label="Do you need an interpreter?",
                             kind=QuestionKind.YES_NO),
    ]
    db.session.add_all(questions)
    db.session.flush()
    return questions


def _plan(registration: Registration, start: date, arrival, departure, hotel) -> TravelPlan:
    plan = TravelPlan(registration_id=registration.id, hotel=hotel)
    if arrival:
        offset, clock, mode, number = arrival
        plan.arrival_on, plan.arrival_time = start + timedelta(days=offset), time.fromisoformat(clock)
        plan.arrival_mode, plan.arrival_number = mode, number
    if departure:
        offset, clock, mode, number = departure
        plan.departure_on, plan.departure_time = start + timedelta(days=offset), time.fromisoformat(clock)
        plan.departure_mode, plan.departure_number = mode, number
    if hotel and arrival and departure:
        plan.check_in_on, plan.check_out_on = plan.arrival_on, plan.departure_on
    return plan


def load_travel(users: dict, start_on) -> int:
    """Questions, answers, travel plans and the letter template of the demo study visit; returns how
    many travel plans were added. `start_on(event)`: the event's first day, local."""
    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    if event is None or db.session.get(TravelSettings, event.id) is not None:
        return 0
    nationality, passport, born, _interpreter = _questions(event)
    db.session.add(TravelSettings(event_id=event.id, logistics_enabled=True, letter_template=LETTER,
                                  signatory_name="Pieter de Vries, Europol", nationality_question_id=nationality.id,
                                  document_question_id=passport.id, birth_date_question_id=born.id))
    registrations = {r.user_id: r for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event.id))}
    added = 0
    for email, country, document, birthday, visa, arrival, departure, hotel in PEOPLE:
        registration = registrations.get(users[email].id)
        if registration is None:
            continue
        registration.needs_visa_letter = visa
        for question, value in ((nationality, country), (passport, document), (born, birthday)):
            db.session.add(RegistrationAnswer(registration_id=registration.id, question_id=question.id, value=value))
        if arrival or departure:
            db.session.add(_plan(registration, start_on(event), arrival, departure, hotel))
            added += 1
    return added
