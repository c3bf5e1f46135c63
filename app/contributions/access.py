"""Who may propose, who may see an event's proposals, and the error every service raises.

Proposing rests on facts the system established: a confirmed registration to the event, or an
invitation to it, tied to the person's confirmed account, not yet answered (an accepted
invitation counts through the registration it made). Proposals are
seen by the event's organisers (app.events.access.is_organiser_of) and by those who may propose;
nobody else learns them."""

from __future__ import annotations

from sqlalchemy import exists, select

from app.errors import RuleError, rolls_back_on
from app.events.access import is_organiser_of
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Invitation, InvitationStatus, Registration, RegistrationStatus
from app.roles import is_signed_in


class ContributionError(RuleError):
    """A broken rule of the call for contributions, with the form field it concerns."""


rolls_back_on_error = rolls_back_on(ContributionError)


def may_propose(user, event: Event) -> bool:
    """A confirmed participant of the event, or someone whose confirmed account holds an open invitation."""
    if not is_signed_in(user) or event.is_cancelled or event.is_draft:
        return False
    return bool(db.session.scalar(select(may_propose_clause(user, event))))


def may_propose_clause(user, event: Event):
    """may_propose's facts as an SQL condition, for a signed-in user of a published event (the
    event page reads it with the call: app.contributions.queries.panel_of)."""
    registered = exists().where(Registration.event_id == event.id, Registration.user_id == user.id,
                                Registration.status == RegistrationStatus.CONFIRMED)
    invited = exists().where(Invitation.event_id == event.id, Invitation.user_id == user.id,
                             Invitation.status == InvitationStatus.SENT)
    return registered | invited


def may_see_proposals(user, event: Event) -> bool:
    return is_organiser_of(user, event) or may_propose(user, event)
