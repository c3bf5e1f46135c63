"""Proposals by participants, and support for them: propose, edit or withdraw one's own before the
deadline; support another's (one support per person) and withdraw that support."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app import audit
from app.contributions.access import ContributionError, may_propose, rolls_back_on_error
from app.contributions.calls import call_of
from app.contributions.models import (
    ContributionCall,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ProposalSupport,
)
from app.events.models import Event, SessionKind
from app.extensions import db
from app.timeutil import now

MAX_OPEN_PROPOSALS = 10  # per person and event: a call is not a mailing list


@dataclass
class ProposalData:
    kind: str
    session_kind: str
    title: str
    description: str


def open_call(event: Event, user) -> ContributionCall:
    """The event's open call, if `user` may propose to it; else a ContributionError saying why."""
    call = call_of(event)
    if call is None:
        raise ContributionError(_l("This event has no call for contributions."))
    if not call.is_open(now()):
        raise ContributionError(_l("The call for contributions is closed."))
    if not may_propose(user, event):
        raise ContributionError(_l("Only confirmed or invited participants may take part in the call."))
    return call


def _values(data: ProposalData) -> dict:
    title, description = (data.title or "").strip(), (data.description or "").strip()
    if not title:
        raise ContributionError(_l("Give your proposal a title."), "title")
    if not description:
        raise ContributionError(_l("Describe your proposal in a few sentences."), "description")
    try:
        kind, session_kind = ProposalKind(data.kind), SessionKind(data.session_kind)
    except ValueError:
        raise ContributionError(_l("Choose from the list."), "kind") from None
    if session_kind == SessionKind.BREAK:
        raise ContributionError(_l("Choose the kind of session your proposal needs."), "session_kind")
    return {"kind": kind, "session_kind": session_kind, "title": title[:200], "description": description[:2000]}


@rolls_back_on_error
def propose(event: Event, user, data: ProposalData) -> Proposal:
    open_call(event, user)
    values = _values(data)
    mine = db.session.scalars(select(Proposal.id).where(
        Proposal.event_id == event.id, Proposal.proposer_id == user.id,
        Proposal.status == ProposalStatus.SUBMITTED)).all()
    if len(mine) >= MAX_OPEN_PROPOSALS:
        raise ContributionError(_l("You have %(num)d proposals waiting already.", num=len(mine)))
    proposal = Proposal(event_id=event.id, proposer_id=user.id, **values)
    db.session.add(proposal)
    db.session.flush()
    audit.record(user, "proposal.create", proposal, {"title": proposal.title}, summary=event.title)
    db.session.commit()
    return proposal


def _own_waiting(proposal: Proposal, user) -> None:
    if proposal.proposer_id != user.id:
        raise ContributionError(_l("Only its proposer may change a proposal."))
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ContributionError(_l("This proposal is %(status)s: it can no longer change.",
                                   status=proposal.status.label.lower()))
    open_call(proposal.event, user)


@rolls_back_on_error
def edit(proposal: Proposal, user, data: ProposalData) -> dict:
    _own_waiting(proposal, user)
    values = _values(data)
    changes = audit.diff(proposal, values)
    for name, value in values.items():
        setattr(proposal, name, value)
    if changes:
        audit.record(user, "proposal.edit", proposal, changes, summary=proposal.title)
    db.session.commit()
    return changes


@rolls_back_on_error
def withdraw(proposal: Proposal, user) -> None:
    _own_waiting(proposal, user)
    proposal.status = ProposalStatus.WITHDRAWN
    audit.record(user, "proposal.withdraw", proposal, {"status": ["submitted", "withdrawn"]}, summary=proposal.title)
    db.session.commit()


@rolls_back_on_error
def support(proposal: Proposal, user) -> bool:
    """Add the user's support. False when they supported it already (nothing changes)."""
    open_call(proposal.event, user)
    if proposal.proposer_id == user.id:
        raise ContributionError(_l("You cannot support your own proposal."))
    if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED):
        raise ContributionError(_l("This proposal is %(status)s.", status=proposal.status.label.lower()))
    exists = db.session.scalar(select(ProposalSupport.id).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id))
    if exists is not None:
        return False
    db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id, supported_at=now()))
    db.session.commit()
    return True


@rolls_back_on_error
def withdraw_support(proposal: Proposal, user) -> bool:
    """Remove the user's support (while the call is open). False when there was none."""
    open_call(proposal.event, user)
    result = db.session.execute(delete(ProposalSupport).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id))
    db.session.commit()
    return bool(result.rowcount)
