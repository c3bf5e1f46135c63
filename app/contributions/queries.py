"""What the call's pages read: the proposals of an event with their support counts, the viewer's
supports, the event page's panel. Each in a bounded number of queries, whatever the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.contributions.access import may_propose_clause
from app.contributions.models import ContributionCall, Proposal, ProposalStatus, ProposalSupport
from app.events.models import Event
from app.extensions import db

IN_PLAY = (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.SCHEDULED)


@dataclass
class ProposalList:
    call: ContributionCall | None
    proposals: list[Proposal] = field(default_factory=list)
    supports: dict[int, int] = field(default_factory=dict)  # proposal id -> number of supporters
    mine: set[int] = field(default_factory=set)  # ids of the proposals the viewer supports


def proposal_of(event: Event, proposal_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id, Proposal.event_id == event.id)
        .options(joinedload(Proposal.proposer).joinedload(User.organisation))
    )


def proposal_list(event: Event, call: ContributionCall | None, viewer, *, organiser: bool) -> ProposalList:
    """Organisers see every proposal; participants those in play and their own (with its note)."""
    query = (select(Proposal).where(Proposal.event_id == event.id)
             .options(joinedload(Proposal.proposer).joinedload(User.organisation), joinedload(Proposal.session),
                      joinedload(Proposal.merged_into)))
    if not organiser:
        query = query.where(Proposal.status.in_(IN_PLAY) | (Proposal.proposer_id == viewer.id))
    proposals = list(db.session.scalars(query))
    ids = [p.id for p in proposals]
    supports: dict[int, int] = {}
    mine: set[int] = set()
    if ids:
        supports = dict(db.session.execute(
            select(ProposalSupport.proposal_id, func.count()).where(ProposalSupport.proposal_id.in_(ids))
            .group_by(ProposalSupport.proposal_id)).all())
        mine = set(db.session.scalars(select(ProposalSupport.proposal_id).where(
            ProposalSupport.proposal_id.in_(ids), ProposalSupport.user_id == viewer.id)))
    order = {status: rank for rank, status in enumerate(
        (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.SCHEDULED, ProposalStatus.DECLINED,
         ProposalStatus.MERGED, ProposalStatus.WITHDRAWN))}
    proposals.sort(key=lambda p: (order[p.status], -supports.get(p.id, 0), p.created_at, p.id))
    return ProposalList(call, proposals, supports, mine)


def merge_targets(proposal: Proposal) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.event_id == proposal.event_id, Proposal.id != proposal.id,
                               Proposal.status.in_(IN_PLAY)).order_by(Proposal.title, Proposal.id)))


def _total(event_id):
    return select(func.count()).select_from(Proposal).where(
        Proposal.event_id == event_id, Proposal.status.in_(IN_PLAY)).scalar_subquery()


def _supports(event_id):
    return (select(func.count()).select_from(ProposalSupport).join(Proposal, Proposal.id == ProposalSupport.proposal_id)
            .where(Proposal.event_id == event_id, Proposal.status.in_(IN_PLAY)).scalar_subquery())


def counts(event_id: int) -> dict:
    """Proposals in play and their supports (the panel and the organisers' closing message)."""
    total, supports = db.session.execute(select(_total(event_id), _supports(event_id))).one()
    return {"total": total or 0, "supports": supports or 0}


@dataclass
class Panel:
    call: ContributionCall | None
    counts: dict
    may_propose: bool


def panel_of(event: Event, user) -> Panel:
    """The event page's panel in one statement: the call, its counts and whether `user` (signed in)
    may propose (app.contributions.access.may_propose_clause). No call: nothing counted."""
    row = db.session.execute(
        select(ContributionCall, _total(event.id), _supports(event.id), may_propose_clause(user, event))
        .where(ContributionCall.event_id == event.id)
    ).first()
    if row is None:
        return Panel(None, {"total": 0}, False)
    call, total, supports, proposer = row
    return Panel(call, {"total": total or 0, "supports": supports or 0}, bool(proposer))
