"""Demo data for co-preparation and own email texts (issues 22 and 23): a call for contributions on
the Skopje meeting on migrant smuggling routes, with proposals from participants in North Macedonia,
Serbia, Moldova and Romania (one already on the agenda), and the OSINT training's own paragraph in
its confirmation email. Idempotent: an event that has its call (or paragraph) is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.contributions.models import (
    ContributionCall,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ProposalSupport,
)
from app.events.models import Event, Session, SessionKind, SessionSpeaker
from app.extensions import db
from app.registrations.email_texts import EventEmailText
from app.timeutil import local_to_utc, to_local

CALL_EVENT = "Cross-regional meeting on migrant smuggling routes"
CALL_INTRO = ("We keep the afternoon of day 2 open for what you bring: recent cases, questions for the "
              "other delegations, techniques that worked at your border.")
# (proposer email, kind, session kind, title, description, supporters, status, decision note)
PROPOSALS = [
    ("milica.jovanovic@mup.example.rs", ProposalKind.CASE, SessionKind.PANEL,
     "Drivers recruited on Telegram: a Serbian smuggling case",
     "How one network recruited lorry and van drivers through Telegram channels, paid them in crypto, and how "
     "we linked 14 transports to it with our Hungarian and North Macedonian colleagues.",
     ["aleksandar.petrovski@mvr.example.mk", "natalia.ciobanu@border.example.md", "mihai.ionescu@politiadefrontiera.example.ro"],
     ProposalStatus.SCHEDULED, None),
    ("natalia.ciobanu@border.example.md", ProposalKind.QUESTION, SessionKind.WORKSHOP,
     "Passenger information from non-Schengen neighbours: who gets what, and how fast?",
     "Moldova receives API data on some routes only. How do the others exchange passenger information with "
     "neighbours outside Schengen, and what legal basis do you use?",
     ["mihai.ionescu@politiadefrontiera.example.ro"], ProposalStatus.SUBMITTED, None),
    ("mihai.ionescu@politiadefrontiera.example.ro", ProposalKind.TOPIC, SessionKind.WORKSHOP,
     "Thermal cameras and drones at the green border: what works at night",
     "Romanian Border Police experience with mobile thermal vans and drones along the Ukrainian and Serbian "
     "borders: detection rates, weather, and what we would buy again.",
     ["bojan.trajkovski@mvr.example.mk"], ProposalStatus.ACCEPTED, None),
    ("bojan.trajkovski@mvr.example.mk", ProposalKind.TOPIC, SessionKind.WORKSHOP,
     "Checking documents on long-distance buses",
     "A short exchange on document checks on international bus lines through Tabanovce.",
     [], ProposalStatus.DECLINED, "Covered by the hands-on document fraud workshop on day 2 — please bring your cases there."),
]
PARAGRAPH_EVENT = "Training of trainers: OSINT for border police"
CONFIRMATION_PARAGRAPH = (
    "Please bring a **laptop on which you may install software** (the exercises use a browser and a VPN "
    "client), and your service ID for the entrance of the training centre.\n\n"
    "The hotel shuttle leaves at **08:15** each morning. Questions: write to Natalia Ciobanu, who coordinates "
    "the training team.")


def load_contributions(users: dict[str, User], today: datetime) -> int:
    """Add what is missing; returns how many rows were added."""
    added = 0
    event = db.session.scalar(select(Event).where(Event.title == CALL_EVENT))
    if event is not None and db.session.scalar(
            select(ContributionCall.id).where(ContributionCall.event_id == event.id)) is None:
        added += _call(event, users, today)
    training = db.session.scalar(select(Event).where(Event.title == PARAGRAPH_EVENT))
    if training is not None and db.session.scalar(
            select(EventEmailText.id).where(EventEmailText.event_id == training.id)) is None:
        db.session.add(EventEmailText(event_id=training.id, kind="confirmation", body=CONFIRMATION_PARAGRAPH,
                                      is_markdown=True, updated_at=today, updated_by_id=training.created_by_id))
        added += 1
    db.session.flush()
    return added


def _call(event: Event, users: dict[str, User], today: datetime) -> int:
    local_day = to_local(today, event.timezone).date() + timedelta(days=10)
    deadline = local_to_utc(datetime.combine(local_day, time(17, 0)), event.timezone)
    db.session.add(ContributionCall(event_id=event.id, deadline_at=deadline, intro=CALL_INTRO,
                                    opened_by_id=event.created_by_id))
    added = 1
    for index, (email, kind, session_kind, title, text, supporters, status, note) in enumerate(PROPOSALS):
        proposal = Proposal(event_id=event.id, proposer_id=users[email].id, kind=kind, session_kind=session_kind,
                            title=title, description=text, status=status, decision_note=note,
                            created_at=today - timedelta(days=6 - index))
        if status != ProposalStatus.SUBMITTED:
            proposal.decided_at, proposal.decided_by_id = today - timedelta(days=1), event.created_by_id
        if status == ProposalStatus.SCHEDULED:
            proposal.session = _session(event, users[email], title, text)
        db.session.add(proposal)
        db.session.flush()
        for offset, supporter in enumerate(supporters):
            db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=users[supporter].id,
                                           supported_at=today - timedelta(days=4, hours=offset)))
        added += 1 + len(supporters)
    return added


def _session(event: Event, speaker: User, title: str, text: str) -> Session:
    day_two = to_local(event.starts_at, event.timezone).date() + timedelta(days=1)
    session = Session(event_id=event.id, title=title, description=text, kind=SessionKind.PANEL,
                      room="Hall Vardar", position=0,
                      starts_at=local_to_utc(datetime.combine(day_two, time(15, 30)), event.timezone),
                      ends_at=local_to_utc(datetime.combine(day_two, time(16, 30)), event.timezone))
    session.speakers.append(SessionSpeaker(user=speaker, role="speaker", position=0))
    db.session.add(session)
    return session
