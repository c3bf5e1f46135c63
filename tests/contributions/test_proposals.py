"""Participants propose, support and withdraw; who may see and do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.contributions import proposing
from app.contributions.access import ContributionError
from app.contributions.models import Proposal, ProposalStatus
from app.timeutil import set_now
from tests.contributions.conftest import DEADLINE

PROPOSAL = {"kind": "case", "title": "Ransomware at a district hospital", "session_kind": "panel",
            "description": "How the Moldovan police and CERT-GOV-MD handled it in 48 hours."}


def _propose(client, event, **data):
    return client.post(f"/events/{event.id}/proposals/new", data={**PROPOSAL, **data})


def test_a_confirmed_participant_proposes_and_others_see_it_with_its_support(world, login, db):
    ana, bogdan = login(world.ana), login(world.bogdan)
    response = _propose(ana, world.event)
    assert response.status_code == 302
    proposal = db.session.query(Proposal).one()
    assert proposal.proposer_id == world.ana.id and proposal.status == ProposalStatus.SUBMITTED

    assert bogdan.post(f"/events/{world.event.id}/proposals/{proposal.id}/support").status_code == 302
    # One support per person: a second click changes nothing.
    bogdan.post(f"/events/{world.event.id}/proposals/{proposal.id}/support")
    page = bogdan.get(f"/events/{world.event.id}/proposals").get_data(as_text=True)
    assert "Ransomware at a district hospital" in page and "1 supporter" in page
    assert "Withdraw my support" in page

    bogdan.post(f"/events/{world.event.id}/proposals/{proposal.id}/unsupport")
    page = ana.get(f"/events/{world.event.id}/proposals").get_data(as_text=True)
    assert "0 supporters" in page


def test_an_invited_person_may_propose_but_not_the_waitlisted_nor_outsiders(world, login):
    assert _propose(login(world.invited), world.event).status_code == 302
    for person in (world.waitlisted, world.outsider):
        client = login(person)
        assert _propose(client, world.event).status_code == 403
        assert client.get(f"/events/{world.event.id}/proposals").status_code == 403
        page = client.get(f"/events/{world.event.id}").get_data(as_text=True)
        assert "Propose a topic" not in page and "Ransomware" not in page


def test_the_event_page_shows_the_call_with_its_deadline_to_participants(world, login):
    page = login(world.ana).get(f"/events/{world.event.id}").get_data(as_text=True)
    assert 'data-testid="call-panel"' in page and "Propose a topic" in page
    assert "11 Sept 2026, 12:00 EEST" in page  # the deadline in the event's zone (Chisinau)


def test_bad_input_is_shown_beside_the_field(world, login):
    response = _propose(login(world.ana), world.event, title="", description="", kind="nonsense")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Give your proposal a title." in body and "Describe your proposal in a few sentences." in body


def test_the_proposer_edits_or_withdraws_before_the_deadline_only(world, login, db):
    ana = login(world.ana)
    _propose(ana, world.event)
    proposal = db.session.query(Proposal).one()
    edited = ana.post(f"/events/{world.event.id}/proposals/{proposal.id}/edit",
                      data={**PROPOSAL, "title": "Ransomware at two district hospitals"})
    assert edited.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Ransomware at two district hospitals"
    # Someone else may not edit it.
    assert login(world.bogdan).get(f"/events/{world.event.id}/proposals/{proposal.id}/edit").status_code == 403

    set_now(DEADLINE + timedelta(minutes=1))
    late = ana.post(f"/events/{world.event.id}/proposals/{proposal.id}/edit", data=PROPOSAL)
    assert late.status_code == 422 and "The call for contributions is closed." in late.get_data(as_text=True)
    ana.post(f"/events/{world.event.id}/proposals/{proposal.id}/withdraw")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED  # too late to withdraw


def test_the_call_closes_by_itself_at_the_deadline(world, login):
    set_now(DEADLINE)
    ana = login(world.ana)
    assert _propose(ana, world.event).status_code == 422
    page = ana.get(f"/events/{world.event.id}").get_data(as_text=True)
    assert "The call for contributions closed on" in page and "Propose a topic" not in page


def test_withdrawing_removes_it_for_the_others(world, login, db):
    ana = login(world.ana)
    _propose(ana, world.event)
    proposal = db.session.query(Proposal).one()
    ana.post(f"/events/{world.event.id}/proposals/{proposal.id}/withdraw")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert "Ransomware" not in login(world.bogdan).get(f"/events/{world.event.id}/proposals").get_data(as_text=True)


def test_one_cannot_support_ones_own_proposal(world):
    proposal = proposing.propose(world.event, world.ana, proposing.ProposalData(**{
        k: PROPOSAL[k] for k in ("kind", "session_kind", "title", "description")}))
    with pytest.raises(ContributionError):
        proposing.support(proposal, world.ana)


def test_the_proposals_page_reads_a_bounded_number_of_queries(world, login, db, make, app):
    from app.extensions import db as _db
    from tests.querycount import QueryCounter

    ana = login(world.ana)
    people = [make.user() for _ in range(6)]
    for person in people:
        make.registration(world.event, person)
        proposing.propose(world.event, person, proposing.ProposalData("topic", "workshop", "A topic", "Text"))
    for person in people:
        for proposal in db.session.query(Proposal).filter(Proposal.proposer_id != person.id).all():
            proposing.support(proposal, person)
    with QueryCounter(_db.engine) as few:
        ana.get(f"/events/{world.event.id}/proposals")
    make.registration(world.event, extra := make.user())
    for _ in range(5):
        proposing.propose(world.event, extra, proposing.ProposalData("topic", "workshop", "More", "Text"))
    with QueryCounter(_db.engine) as more:
        ana.get(f"/events/{world.event.id}/proposals")
    assert more.count <= few.count  # not one more query for more proposals and supports
