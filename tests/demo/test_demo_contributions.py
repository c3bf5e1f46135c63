"""The demo shows co-preparation and an own email paragraph (issues 22 and 23)."""

from __future__ import annotations

from sqlalchemy import select

from app.contributions.models import ContributionCall, Proposal, ProposalStatus
from app.demo.contributions import CALL_EVENT
from app.demo.data import load_demo
from app.events.models import Event
from app.registrations.email_texts import EventEmailText


def test_the_demo_has_a_call_with_proposals_one_on_the_agenda_and_a_confirmation_paragraph(db):
    load_demo()
    event = db.session.scalar(select(Event).where(Event.title == CALL_EVENT))
    assert db.session.scalar(select(ContributionCall).where(ContributionCall.event_id == event.id)) is not None
    proposals = db.session.scalars(select(Proposal).where(Proposal.event_id == event.id)).all()
    assert len(proposals) == 4
    scheduled = [p for p in proposals if p.status == ProposalStatus.SCHEDULED]
    assert len(scheduled) == 1 and [s.user_id for s in scheduled[0].session.speakers] == [scheduled[0].proposer_id]
    assert db.session.scalar(select(EventEmailText).where(EventEmailText.kind == "confirmation")) is not None
    load_demo()  # again: nothing twice
    assert len(db.session.scalars(select(Proposal).where(Proposal.event_id == event.id)).all()) == 4


def test_the_demo_member_can_propose_a_topic_for_the_skopje_meeting(db, app):
    """QA: the demo member's registration for the meeting with the call was pending, so the member
    login never saw the call for contributions."""
    from tests.conftest import AuthActions

    load_demo()
    event = db.session.scalar(select(Event).where(Event.title == CALL_EVENT))
    client = app.test_client()
    AuthActions(client).login("member@liaison.example", "liaison-demo-2026")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Propose a topic" in page and f'href="/events/{event.id}/proposals/new"' in page
