"""Demo needs assessment: the ILECU partner units (Ukraine, Moldova, Georgia, North Macedonia,
Serbia) asked about their training needs; most answered, the demo member's questionnaire is still a
draft; four needs identified from the results, one addressed by the OSINT training of trainers.
Idempotent (the assessment's title is its key)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.assessments.models import (
    Assessment,
    AssessmentScope,
    AssessmentStatus,
    Need,
    NeedPriority,
    Question,
    QuestionKind,
    Respondent,
)
from app.directory.models import Theme
from app.events.models import Event
from app.extensions import db
from app.timeutil import local_to_utc, to_local

TITLE = "ILECU partner units: training needs 2026"
OWNER = "coordinator@liaison.example"
DRAFT_OWNER = "member@liaison.example"
FORMATS = ["In-person training", "Study visit to an EU agency", "Online course", "Mentoring by an embedded expert"]
GAPS = ["Blockchain analytics tools", "Secure storage of seized crypto-assets", "Forensic imaging of mobile phones",
        "English for international requests", "Templates for mutual legal assistance requests"]
EMPACT = ["Online crime: cyber-attacks, online child sexual exploitation and online fraud",
          "Migrant smuggling and trafficking in human beings", "Firearms and explosives crime",
          "Economic and financial crime"]
QUESTIONS = [
    (QuestionKind.SCALE, "How urgently does your unit need training in cryptocurrency tracing?", True, []),
    (QuestionKind.SCALE, "How well can your unit use open-source intelligence (OSINT) in investigations today?",
     True, []),
    (QuestionKind.SINGLE, "Which format suits your unit best?", False, FORMATS),
    (QuestionKind.MULTIPLE, "Which capabilities is your unit missing?", False, GAPS),
    (QuestionKind.THEMES, "Which EMPACT priorities matter most for your unit's work?", False, []),
    (QuestionKind.TEXT, "What would change in your daily work if these gaps were closed?", False, []),
]
# (email, crypto urgency, OSINT today, format index, gap indexes, EMPACT indexes, free text or None)
ANSWERS = [
    ("olena.kovalenko@npu.example.gov.ua", 5, 3, 0, [0, 1], [0, 3],
     "We could follow ransomware payments ourselves instead of waiting months for foreign exchanges to answer."),
    ("andrii.shevchuk@dpsu.example.gov.ua", 3, 2, 1, [2, 3], [1, 2], None),
    ("iryna.bondarenko@gp.example.gov.ua", 4, 3, 3, [1, 4], [3],
     "Prosecutors would know which evidence from wallets a court accepts before the seizure."),
    ("ion.rusu@politia.example.md", 5, 2, 0, [0, 2], [0, 1],
     "Our cybercrime unit has two analysts; a tool and a trained team would cut our backlog in half."),
    ("natalia.ciobanu@border.example.md", 2, 2, 0, [2, 3], [1], None),
    ("vitalie.popa@procuratura.example.md", 4, 3, 1, [4], [3, 0], None),
    ("giorgi.kapanadze@bpg.example.ge", 2, 3, 2, [2], [1, 2], "Faster checks of travellers' phones at Sarpi."),
    ("tamar.lomidze@pog.example.ge", 5, 4, 1, [0, 1, 4], [0], None),
    ("aleksandar.petrovski@mvr.example.mk", 3, 1, 0, [2, 3], [1],
     "Officers at Tabanovce would spot smugglers' online adverts before the groups reach the border."),
    ("marija.stojanovska@jorm.example.mk", 4, 2, 3, [4], [1, 3], None),
    ("milica.jovanovic@mup.example.rs", 4, 3, 0, [0, 3], [0, 2], None),
    ("nikola.petrovic@tok.example.rs", 3, 3, 1, [4], [2, 3],
     "Requests to EU partners would stop coming back for missing translations and forms."),
]
NOT_ANSWERED = ["bojan.trajkovski@mvr.example.mk", "stefan.markovic@mup.example.rs"]
# (title, description, theme name, country, priority, linked event title or None)
NEEDS = [
    ("OSINT skills for border police units",
     "Ten of twelve units rate their OSINT capability 3 or lower; border police in North Macedonia and Moldova "
     "lowest. Smugglers advertise online before groups reach the border.",
     "Open-source intelligence (OSINT)", "MK", NeedPriority.HIGH, "Training of trainers: OSINT for border police"),
    ("Cryptocurrency tracing for cybercrime units",
     "Average urgency 3.7 of 5; five units lack blockchain analytics tools and trained analysts.",
     "Cryptocurrency investigations", "MD", NeedPriority.HIGH, None),
    ("Secure storage of seized crypto-assets",
     "Prosecutors and police in Ukraine and Georgia have no procedure or wallet custody for seized assets.",
     "Cryptocurrency investigations", "UA", NeedPriority.MEDIUM, None),
    ("Templates for mutual legal assistance requests",
     "Requests to EU partners come back for missing translations and forms (Serbia, North Macedonia).",
     "Joint investigation teams", "RS", NeedPriority.LOW, None),
]


def _answers(questions: list[Question], row: tuple, themes: list[Theme]) -> dict:
    _email, crypto, osint, fmt, gaps, empact, text = row
    answers = {str(questions[0].id): crypto, str(questions[1].id): osint, str(questions[2].id): FORMATS[fmt],
               str(questions[3].id): [GAPS[i] for i in gaps],
               str(questions[4].id): sorted(themes[i].id for i in empact if i < len(themes))}
    if text:
        answers[str(questions[5].id)] = text
    return answers


def _respondents(assessment, questions, users: dict, themes: list[Theme], today: datetime) -> None:
    for number, row in enumerate(ANSWERS):
        user = users[row[0]]
        submitted = today - timedelta(days=12 - number % 9, hours=number)
        db.session.add(Respondent(
            assessment_id=assessment.id, user_id=user.id, invited_at=assessment.opened_at,
            answers=_answers(questions, row, themes), saved_at=submitted, submitted_at=submitted,
            country=(user.organisation.country if user.organisation else None) or user.country,
            organisation_type=user.organisation.type.value if user.organisation else None))
    draft = users[DRAFT_OWNER]
    db.session.add(Respondent(assessment_id=assessment.id, user_id=draft.id, invited_at=assessment.opened_at,
                              answers={str(questions[0].id): 4}, saved_at=today - timedelta(days=2),
                              last_reminder_days=7))
    for email in NOT_ANSWERED:
        db.session.add(Respondent(assessment_id=assessment.id, user_id=users[email].id,
                                  invited_at=assessment.opened_at, answers={}, last_reminder_days=7))


def _deadline(today: datetime) -> datetime:
    """23:59 in Brussels, five days from today."""
    day = to_local(today, "Europe/Brussels").date() + timedelta(days=5)
    return local_to_utc(datetime.combine(day, time(23, 59)), "Europe/Brussels")


def load_assessments(users: dict, projects: dict, today: datetime) -> int:
    """Add the demo assessment and its needs (nothing when it exists); returns how many assessments."""
    if db.session.scalar(select(Assessment.id).where(Assessment.title == TITLE)) is not None:
        return 0
    owner = users[OWNER]
    assessment = Assessment(
        title=TITLE, scope=AssessmentScope.PROJECT, project_id=projects["CROSSLINK"].id, status=AssessmentStatus.OPEN,
        description="Before the 2026 trainings and study visits are planned, each partner unit tells us where "
                    "its gaps are. Ten minutes; your answers are read by the network coordinators only.",
        opened_at=today - timedelta(days=16), closes_at=_deadline(today), created_by_id=owner.id)
    db.session.add(assessment)
    for position, (kind, text, required, options) in enumerate(QUESTIONS, start=1):
        assessment.questions.append(Question(kind=kind, text=text, is_required=required, options=list(options),
                                             position=position))
    db.session.flush()
    themes = [db.session.scalar(select(Theme).where(Theme.name == name, Theme.empact_cycle == "2026-2029"))
              for name in EMPACT]
    _respondents(assessment, list(assessment.questions), users, [t for t in themes if t], today)
    for title, description, theme_name, country, priority, event_title in NEEDS:
        need = Need(assessment_id=assessment.id, title=title, description=description, country=country,
                    priority=priority, created_by_id=owner.id,
                    theme_id=db.session.scalar(select(Theme.id).where(Theme.name == theme_name)))
        if event_title:
            event = db.session.scalar(select(Event).where(Event.title == event_title))
            need.events = [event] if event else []
        db.session.add(need)
    db.session.flush()
    return 1
