"""Organisers review: accept, decline with a note, merge, put on the agenda; proposers are told; the
organisers hear once after the deadline how many proposals came in."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.contributions import proposing
from app.contributions.models import Proposal, ProposalStatus, ProposalSupport
from app.events.models import Session
from app.scheduler.jobs.contributions import run_call_closing
from tests import mailbox
from tests.contributions.conftest import DEADLINE


def _proposal(world, who, title="Ransomware at a district hospital", kind="case"):
    return proposing.propose(world.event, who, proposing.ProposalData(kind, "panel", title, "What happened and what we learned."))


def test_accept_then_schedule_puts_the_proposer_on_the_agenda_as_speaker(world, login, db):
    proposal = _proposal(world, world.ana)
    organiser = login(world.organiser)
    response = organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/accept")
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}/schedule")
    accepted = mailbox.last(world.ana.email, "contribution.accepted")
    assert "Ransomware at a district hospital" in accepted.subject

    form = organiser.get(f"/events/{world.event.id}/proposals/{proposal.id}/schedule").get_data(as_text=True)
    assert 'value="Ransomware at a district hospital"' in form and "What happened and what we learned." in form
    assert f'<option selected value="{world.ana.id}"' in form or f'value="{world.ana.id}" selected' in form
    start = (world.event.starts_at + timedelta(hours=2)).astimezone(ZoneInfo("Europe/Chisinau"))
    data = {"title": "Ransomware at a district hospital", "kind": "panel", "description": "What happened.",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "speaker_ids": [str(world.ana.id)]}
    response = organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/schedule", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    session = db.session.query(Session).one()
    assert [s.user_id for s in session.speakers] == [world.ana.id]
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.SCHEDULED
    scheduled = mailbox.last(world.ana.email, "contribution.scheduled")
    assert "Ransomware at a district hospital" in scheduled.text_body
    page = login(world.bogdan).get(f"/events/{world.event.id}").get_data(as_text=True)
    assert "Ransomware at a district hospital" in page and "Ana Rusu" in page


def test_a_session_outside_the_event_is_refused_beside_the_field(world, login, db):
    proposal = _proposal(world, world.ana)
    organiser = login(world.organiser)
    organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/accept")
    response = organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/schedule", data={
        "title": "X", "kind": "panel", "starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T11:00"})
    assert response.status_code == 422 and "The session must start within the event" in response.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.ACCEPTED


def test_decline_needs_a_note_which_the_proposer_reads_in_their_language(world, login, db):
    proposal = _proposal(world, world.invited)
    organiser = login(world.organiser)
    refused = organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/decline", data={"note": ""})
    assert refused.status_code == 422 and "Tell the proposer why" in refused.get_data(as_text=True)
    organiser.post(f"/events/{world.event.id}/proposals/{proposal.id}/decline",
                   data={"note": "Covered by the Europol keynote."})
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.DECLINED
    message = mailbox.last("irakli@example.org", "contribution.declined")
    assert "Covered by the Europol keynote." in message.text_body
    assert message.text_body.startswith("Bună ziua, Irakli Beridze")  # in Romanian, the proposer's language


def test_merging_carries_the_supporters_over(world, login, db, make):
    first = _proposal(world, world.ana, "Phishing of border guards")
    second = _proposal(world, world.bogdan, "Spear-phishing against border police")
    carla = make.user(name="Carla")
    make.registration(world.event, carla)
    proposing.support(second, carla)
    proposing.support(second, world.ana)
    response = login(world.organiser).post(f"/events/{world.event.id}/proposals/{second.id}/merge",
                                           data={"target": first.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, second.id).status == ProposalStatus.MERGED
    supporters = set(db.session.scalars(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == first.id)))
    # Carla's support moves; Bogdan (the merged proposal's proposer) now supports it; Ana is its proposer.
    assert supporters == {carla.id, world.bogdan.id}


def test_merge_into_nothing_is_refused_beside_the_field(world, login):
    proposal = _proposal(world, world.ana)
    response = login(world.organiser).post(f"/events/{world.event.id}/proposals/{proposal.id}/merge",
                                           data={"target": proposal.id})
    assert response.status_code == 422 and "Choose another proposal of this event." in response.get_data(as_text=True)


def test_participants_cannot_review(world, login):
    proposal = _proposal(world, world.ana)
    bogdan = login(world.bogdan)
    assert bogdan.get(f"/events/{world.event.id}/proposals/{proposal.id}").status_code == 403
    assert bogdan.post(f"/events/{world.event.id}/proposals/{proposal.id}/accept").status_code == 403


def test_organisers_are_told_once_after_the_deadline_how_many_came_in(world, db, make):
    _proposal(world, world.ana)
    withdrawn = _proposal(world, world.bogdan, "Withdrawn one")
    proposing.withdraw(withdrawn, world.bogdan)
    _proposal(world, world.bogdan, "Crypto tracing")
    assert run_call_closing(DEADLINE - timedelta(minutes=1)).sent == 0
    assert run_call_closing(DEADLINE).sent == 1
    assert run_call_closing(DEADLINE + timedelta(hours=1)).sent == 0  # idempotent
    message = mailbox.last(world.organiser.email, "contribution.call_closed")
    assert "2 proposals" in message.subject


def test_the_call_form_refuses_a_past_deadline(world, login):
    response = login(world.organiser).post(f"/events/{world.event.id}/call",
                                           data={"deadline_at": "2026-08-01T10:00", "intro": "x"})
    assert response.status_code == 422 and "The deadline must be in the future." in response.get_data(as_text=True)
    assert login(world.ana).get(f"/events/{world.event.id}/call").status_code == 403
