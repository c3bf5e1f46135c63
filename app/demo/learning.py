"""Demo knowledge checks (issue 22): a finished two-day training in Chișinău on tracing
crypto-assets, with a pre-test and a post-test answered by its participants (the gain is visible on
its Learning results page, its wrap-up and the participation report), their feedback, and a
follow-up survey already sent with a few answers. Idempotent: nothing is added twice."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Session,
    SessionKind,
    SessionSpeaker,
)
from app.extensions import db
from app.learning.models import (
    CheckAnswer,
    CheckKind,
    CheckOption,
    CheckQuestion,
    CheckSubmission,
    FollowUpAnswer,
    FollowUpSurvey,
    KnowledgeCheck,
    QuestionKind,
)
from app.learning.scoring import percent, question_points
from app.registrations.models import Feedback, Registration, RegistrationStatus
from app.timeutil import local_to_utc, to_local

TITLE = "Tracing crypto-assets in criminal investigations — hands-on training"
TZ = "Europe/Chisinau"
S, M, T = QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TEXT
QUESTIONS = [
    (S, "Which identifier lets you follow funds on a public blockchain?",
     ["*A wallet address or a transaction hash", "The suspect's phone number", "The exchange's VAT number"]),
    (M, "Which sources can tie a wallet to a person?",
     ["*Customer records of a regulated exchange, by legal request", "*Seized devices holding wallet software or a seed phrase",
      "The block height of a transaction", "*Open-source posts that publish the address"]),
    (S, "What is a mixer used for?",
     ["*Breaking the link between incoming and outgoing funds", "Turning crypto-assets into cash at an ATM",
      "Speeding up confirmations"]),
    (S, "Before seizing crypto-assets, what must be ready?",
     ["*A wallet controlled by your authority to receive them", "A press release", "The suspect's written consent"]),
    (M, "Which are signs of a money-mule wallet?",
     ["*Many small transfers in from unrelated senders", "*Funds moved on within minutes", "One purchase from a known merchant"]),
    (T, "On which case of your unit would you use these techniques first?", []),
]
# (email, right answers before, right answers after: one flag per scored question, in order)
PARTICIPANTS = [
    ("ion.rusu@politia.example.md", "10000", "11111"),
    ("vitalie.popa@procuratura.example.md", "10100", "11101"),
    ("olena.kovalenko@npu.example.gov.ua", "11100", "11111"),
    ("tamar.lomidze@pog.example.ge", "10010", "11011"),
    ("aleksandar.petrovski@mvr.example.mk", "00000", "10110"),
    ("milica.jovanovic@mup.example.rs", "10001", "11111"),
    ("andreea.popescu@politiaromana.example.ro", "11010", "11110"),
    ("zsofia.nagy@nni.example.hu", "10000", "10101"),
    ("member@liaison.example", "01000", "11101"),
]
CASES = ["A ransomware case paid in bitcoin", "Online fraud against pensioners", "", "Drug sales on a darknet market"]
FEEDBACK = [(5, 5, 4, "The live exercise on a real transaction graph."), (4, 5, 4, None), (5, 4, 5, None),
            (4, 4, 3, "More time on seizure procedures."), (5, 5, 5, None), (4, 5, 4, None)]
# The agenda (QA: a two-day training showed "The agenda is not published yet"): (day, start, end, kind,
# title, room, trainer, trainer's unit). Workshops, not training sessions: the certificate is for the
# event as a whole, earned by checking in, as the participants were.
TRAINER_MD, TRAINER_RO = ("Sergiu Cebotari", "Cybercrime Centre, General Police Inspectorate of Moldova"), \
    ("Raluca Stanciu", "Cybercrime Service, Romanian Police")
AGENDA = [
    (0, time(9), time(10, 30), SessionKind.PLENARY, "Public blockchains for investigators: addresses, transactions, explorers",
     "Aula Magna", TRAINER_MD),
    (0, time(11), time(13), SessionKind.WORKSHOP, "Attribution: exchanges, seized devices and open sources", "Computer lab 2",
     TRAINER_RO),
    (0, time(14), time(17, 30), SessionKind.WORKSHOP, "Live exercise: following a ransom payment to an exchange",
     "Computer lab 2", TRAINER_MD),
    (1, time(9), time(12, 30), SessionKind.WORKSHOP, "Mixers, bridges and money-mule wallets", "Computer lab 2", TRAINER_RO),
    (1, time(13, 30), time(17, 30), SessionKind.WORKSHOP, "From trace to seizure: requests, custody wallets and evidence",
     "Aula Magna", TRAINER_MD),
]
FOLLOW_UP = [("ion.rusu@politia.example.md", 5, "Traced ransom payments to an exchange and froze them with a request."),
             ("olena.kovalenko@npu.example.gov.ua", 4, "Used the explorer on two fraud cases; waiting for the licence."),
             ("aleksandar.petrovski@mvr.example.mk", 2, "No crypto case since the training; shared the notes with colleagues.")]


def _at(today: datetime, day: int, clock: time) -> datetime:
    local_today = to_local(today, TZ).date()
    return local_to_utc(datetime.combine(local_today + timedelta(days=day), clock), TZ)


def load_learning(users: dict[str, User], organiser: User, today: datetime) -> int:
    """Add the demo training with its tests; returns the number of submissions added."""
    if db.session.scalar(select(Event.id).where(Event.title == TITLE)) is not None:
        return 0
    starts_at, ends_at = _at(today, -30, time(9)), _at(today, -29, time(17, 30))
    event = Event(kind=EventKind.TRAINING, format=EventFormat.IN_PERSON, status=EventStatus.PUBLISHED, title=TITLE,
                  summary="Two days at the police academy on following, attributing and seizing crypto-assets.",
                  description="Exercises on public blockchain explorers, attribution sources and seizure procedures, "
                              "with trainers from the Moldovan and Romanian cybercrime units.",
                  starts_at=starts_at, ends_at=ends_at, timezone=TZ, venue="Ștefan cel Mare Police Academy",
                  city="Chișinău", country="MD", capacity=20, created_by_id=organiser.id,
                  published_at=starts_at - timedelta(days=40))
    event.organisers = [organiser]
    db.session.add(event)
    db.session.flush()
    _agenda(event, today)
    people = [users[email] for email, _pre, _post in PARTICIPANTS]
    registrations = []
    for person in people:
        registration = Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                    registered_at=starts_at - timedelta(days=20), confirmed_at=starts_at - timedelta(days=19),
                                    consented_at=starts_at - timedelta(days=20), checked_in_at=starts_at + timedelta(minutes=10))
        db.session.add(registration)
        registrations.append(registration)
    db.session.flush()
    checks = {kind: _check(event, kind) for kind in CheckKind}
    added = 0
    for index, (person, (_email, pre, post)) in enumerate(zip(people, PARTICIPANTS, strict=True)):
        added += _submit(checks[CheckKind.PRE], person, pre, starts_at - timedelta(minutes=20), "")
        added += _submit(checks[CheckKind.POST], person, post, ends_at + timedelta(hours=2), CASES[index % len(CASES)])
    for registration, (overall, relevance, organisation, worked) in zip(registrations, FEEDBACK, strict=False):
        db.session.add(Feedback(event_id=event.id, registration_id=registration.id, overall=overall,
                                relevance=relevance, organisation=organisation, what_worked=worked))
    survey = FollowUpSurvey(event_id=event.id, weeks_after=3, sent_at=ends_at + timedelta(weeks=3))
    db.session.add(survey)
    db.session.flush()
    for email, applied, how in FOLLOW_UP:
        db.session.add(FollowUpAnswer(survey_id=survey.id, user_id=users[email].id, applied=applied, how=how,
                                      answered_at=survey.sent_at + timedelta(days=1)))
    db.session.flush()
    return added


def _agenda(event: Event, today: datetime) -> None:
    for position, (day, start, end, kind, title, room, (name, unit)) in enumerate(AGENDA):
        session = Session(event_id=event.id, kind=kind, title=title, room=room, position=position,
                          starts_at=_at(today, -30 + day, start), ends_at=_at(today, -30 + day, end))
        session.speakers.append(SessionSpeaker(external_name=name, external_organisation=unit, role="trainer"))
        db.session.add(session)


def _check(event: Event, kind: CheckKind) -> KnowledgeCheck:
    check = KnowledgeCheck(event_id=event.id, kind=kind, window_minutes=24 * 60 if kind == CheckKind.PRE else 72 * 60)
    for position, (question_kind, text, options) in enumerate(QUESTIONS, start=1):
        question = CheckQuestion(kind=question_kind, text=text, position=position,
                                 points=0 if question_kind == T else 1)
        question.options = [CheckOption(position=n, text=label.lstrip("*"), is_correct=label.startswith("*"))
                            for n, label in enumerate(options, start=1)]
        check.questions.append(question)
    db.session.add(check)
    db.session.flush()
    return check


def _submit(check: KnowledgeCheck, person: User, flags: str, at: datetime, case: str) -> int:
    submission = CheckSubmission(check_id=check.id, user_id=person.id, submitted_at=at, points=0, max_points=0)
    scored = [q for q in check.questions if q.is_scored]
    total = 0.0
    for question in check.questions:
        if not question.is_scored:
            submission.answers.append(CheckAnswer(question_id=question.id, text=case or None, points=0))
            continue
        right = flags[scored.index(question)] == "1"
        correct = {o.id for o in question.options if o.is_correct}
        chosen = correct if right else {next(o.id for o in question.options if not o.is_correct)}
        earned = question_points(question.kind.value, question.points, correct, chosen)
        total += earned
        submission.answers.append(CheckAnswer(question_id=question.id, points=earned,
                                              chosen=",".join(str(i) for i in sorted(chosen))))
    maximum = float(sum(q.points for q in scored))
    submission.points, submission.max_points, submission.percent = total, maximum, percent(total, maximum)
    db.session.add(submission)
    return 1
