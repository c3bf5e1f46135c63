"""Organisers review proposals: accept, decline with a note, merge into another (its supporters, and
the merged proposal's proposer, carry over), and turn an accepted one into an agenda session with
its proposer as speaker. Proposers are told by email (app/contributions/notices.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.contributions.access import ContributionError, rolls_back_on_error
from app.contributions.models import Proposal, ProposalStatus, ProposalSupport
from app.contributions.notices import tell_proposer
from app.events import agenda
from app.events.models import Session
from app.extensions import db
from app.timeutil import now

REVIEWABLE = (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)


def _decide(proposal: Proposal, actor, status: ProposalStatus, note: str | None = None) -> None:
    before = proposal.status
    proposal.status, proposal.decided_at, proposal.decided_by_id = status, now(), actor.id
    proposal.decision_note = note
    audit.record(actor, f"proposal.{status.value}", proposal, {"status": [before.value, status.value]},
                 summary=proposal.title)


def _reviewable(proposal: Proposal) -> None:
    if proposal.event.is_cancelled:
        raise ContributionError(_l("This event is cancelled."))
    if proposal.status not in REVIEWABLE:
        raise ContributionError(_l("This proposal is %(status)s.", status=proposal.status.label.lower()))


@rolls_back_on_error
def accept(proposal: Proposal, actor) -> None:
    _reviewable(proposal)
    if proposal.status == ProposalStatus.ACCEPTED:
        return
    _decide(proposal, actor, ProposalStatus.ACCEPTED)
    tell_proposer(proposal, "accepted")
    db.session.commit()


@rolls_back_on_error
def decline(proposal: Proposal, actor, note: str | None) -> None:
    _reviewable(proposal)
    note = (note or "").strip()
    if not note:
        raise ContributionError(_l("Tell the proposer why, in a sentence or two."), "note")
    if proposal.status == ProposalStatus.DECLINED:
        raise ContributionError(_l("This proposal is declined already."))
    _decide(proposal, actor, ProposalStatus.DECLINED, note[:2000])
    tell_proposer(proposal, "declined")
    db.session.commit()


@rolls_back_on_error
def merge(proposal: Proposal, target: Proposal | None, actor) -> None:
    """Merge `proposal` into `target` (another live proposal of the same event): the supporters of
    `proposal`, and its proposer, now support `target` (each once; never its own proposer)."""
    _reviewable(proposal)
    if target is None or target.event_id != proposal.event_id or target.id == proposal.id:
        raise ContributionError(_l("Choose another proposal of this event."), "target")
    if target.status not in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.SCHEDULED):
        raise ContributionError(_l("Merge into a proposal that is still in play."), "target")
    supporters = set(db.session.scalars(
        select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == proposal.id)))
    supporters.add(proposal.proposer_id)
    already = set(db.session.scalars(
        select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == target.id)))
    for user_id in sorted(supporters - already - {target.proposer_id}):
        db.session.add(ProposalSupport(proposal_id=target.id, user_id=user_id, supported_at=now()))
    _decide(proposal, actor, ProposalStatus.MERGED)
    proposal.merged_into_id = target.id
    audit.record(actor, "proposal.merge", proposal, {"merged_into": target.id}, summary=target.title)
    db.session.commit()


def session_values(proposal: Proposal) -> dict:
    """What the session form starts with: the proposal's title, description and session kind."""
    return {"title": proposal.title, "description": proposal.description, "kind": proposal.session_kind.value}


def schedule(proposal: Proposal, actor, values: dict, speaker_ids, external_speakers: str | None) -> Session:
    """Add the session to the agenda (events.agenda.add_session: its rules, its audit entry) and
    mark the proposal scheduled; its proposer is told. The form starts with the proposer as speaker."""
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ContributionError(_l("Accept the proposal first."))
    item = agenda.add_session(actor, proposal.event, values, speaker_ids, external_speakers)
    proposal.status, proposal.session_id, proposal.decided_at = ProposalStatus.SCHEDULED, item.id, now()
    audit.record(actor, "proposal.schedule", proposal, {"session_id": item.id}, summary=item.title)
    tell_proposer(proposal, "scheduled")
    db.session.commit()
    return item
