"""The emails of the call for contributions, each through the outbox in its recipient's language:
proposers hear when their proposal is accepted, declined or scheduled; organisers hear once, after
the deadline, how many proposals came in (app/scheduler/jobs/contributions.py)."""

from __future__ import annotations

from app.contributions.models import ContributionCall, Proposal
from app.events.access import own_organisers
from app.notifications.services import PreparedEmail, notify, prepare
from app.urls import absolute_url


def proposals_link(event_id: int) -> str:
    return absolute_url(f"/events/{event_id}/proposals")


def tell_proposer(proposal: Proposal, what: str) -> None:
    """`what`: accepted, declined or scheduled. Written in the caller's transaction."""
    notify(proposal.proposer, f"contributions/{what}", kind=f"contribution.{what}",
           dedupe_key=f"proposal:{proposal.id}:{what}:{proposal.decided_at.isoformat() if proposal.decided_at else ''}",
           proposal=proposal, event=proposal.event, session=proposal.session, note=proposal.decision_note,
           proposals_link=proposals_link(proposal.event_id),
           event_link=absolute_url(f"/events/{proposal.event_id}"))


def call_closed_emails(call: ContributionCall, counts: dict) -> list[PreparedEmail]:
    """The message to each of the event's own organisers once the deadline passed."""
    emails = [
        prepare(user, "contributions/call_closed", kind="contribution.call_closed",
                dedupe_key=f"contribution-call-closed:{call.id}:{user.id}",
                event=call.event, call=call, total=counts.get("total", 0), supports=counts.get("supports", 0),
                proposals_link=proposals_link(call.event_id))
        for user in own_organisers(call.event)
    ]
    return [email for email in emails if email is not None]
