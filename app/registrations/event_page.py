"""The registration facts an event page shows: seats taken, the viewer's registration, whether the
viewer sees the online link, and the registration state. The event page (events.detail) gets them
through the `event_page_context` signal (app/events/signals.py); see `page_context`."""

from __future__ import annotations

import functools

from flask_babel import ngettext
from sqlalchemy import and_, bindparam, exists, func, select, true

from app.cache import fragments, raw
from app.events import page_facts
from app.events.access import is_organiser_of
from app.events.models import Event
from app.extensions import db
from app.i18n import gettext as _
from app.registrations.box import (
    note_viewer_signups,
    open_invitation_clause,
    status_tally,
    tally_values,
    viewer_signups_column,
)
from app.registrations.models import Invitation, Registration, RegistrationStatus
from app.registrations.retention import needs_notice
from app.registrations.rules import may_see_needs
from app.registrations.waitlist import EVENTS, seats_taken
from app.roles import is_signed_in
from app.templating import format_local
from app.timeutil import now

_UNSET = object()  # "argument not given" where None is a meaningful value

# The seats taken, read with the event by the event page (events.page_facts); the rule's one home is
# the events' waiting list (app.registrations.waitlist.EVENTS).
SEATS_TAKEN = "registrations.seats_taken"
page_facts.register(SEATS_TAKEN, lambda event_id: select(func.count(EVENTS.model.id)).where(
    EVENTS.parent == event_id, EVENTS.model.status == EVENTS.confirmed, *EVENTS.seat_conditions
).scalar_subquery())


def page_context(event: Event, *, user, **_kwargs) -> dict:
    """Receiver of events.signals.event_page_context: the event page's registration context."""
    # Counted and loaded once here, handed to the registration box and the online-link rule.
    taken = page_facts.known(event.id, SEATS_TAKEN)
    if taken is page_facts.UNKNOWN:
        taken = fragments.remember("events.seats_taken", (event.id,), ("registrations",),
                                   lambda: seats_taken(event.id), scope=event.id)
    mine, invitation_id, tally = _viewer_facts(user, event)
    return {
        "registration": registration_facts(event, taken),
        "seats_taken": taken,
        "viewer_registration": mine,
        "viewer_invitation_id": invitation_id,
        "organiser_tally": tally,
        "show_online_link": bool(event.online_url) and can_see_online_link(user, event, mine),
        # Its own organisers read when the participants' needs are (or were) deleted.
        "needs_notice": needs_notice(event) if may_see_needs(user, event) else None,
    }


def _viewer_facts(user, event: Event) -> tuple[Registration | None, int | None, tuple | None]:
    """In one statement: the user's registration to the event (any status, or None), the id of an
    open invitation to it (or None) and, for its organisers, the counts of the registration box's
    organisers' line (box.tally_values; None for others). (None, None, None) for a visitor. The
    user's sign-ups to the event's sessions ride along, kept for the box (box.note_viewer_signups)."""
    if not is_signed_in(user):
        return None, None, None
    organiser = is_organiser_of(user, event)  # known already (events.page_facts)
    row, plan = raw.read(db.session, (_viewer_statement, organiser), lambda: _viewer_statement(organiser),
                         {"event_id": event.id, "user_id": user.id, "email": user.email})  # app.cache.raw
    if row is None:
        return None, None, None
    width = len(_registration_columns())
    mine = raw.loaded_from_row(db.session(), Registration, plan, row, width)  # None: not registered
    note_viewer_signups(event.id, row[width + 1])
    return mine, row[width], tally_values(dict(zip(plan.keys, row, strict=True))) if organiser else None


@functools.cache
def _registration_columns() -> list:
    return raw.columns_by_attribute(Registration)


def _viewer_statement(organiser: bool):
    """For one kind of viewer (bound: event_id, user_id, email): the registration's columns (all
    None when there is none), the open invitation's id, the sign-ups, and for organisers the tally."""
    event_id, user_id = bindparam("event_id"), bindparam("user_id")
    invitation = (select(Invitation.id).where(open_invitation_clause(event_id, user_id, bindparam("email")))
                  .limit(1).scalar_subquery())
    statement = (select(*_registration_columns(), invitation, viewer_signups_column(event_id, user_id))
                 .select_from(Event)
                 .outerjoin(Registration, and_(Registration.event_id == Event.id, Registration.user_id == user_id))
                 .where(Event.id == event_id))
    if organiser:
        tally = status_tally(event_id)
        statement = statement.add_columns(*tally.c).join(tally, true())
    return statement


def can_see_online_link(user, event: Event, registration=_UNSET) -> bool:
    """Organisers and confirmed participants see how to join online.

    `registration`: the user's registration when the caller has it already (None: not registered)."""
    if not is_signed_in(user):
        return False
    if is_organiser_of(user, event):
        return True
    if registration is not _UNSET:
        return registration is not None and registration.status == RegistrationStatus.CONFIRMED
    return bool(db.session.scalar(select(exists().where(
        Registration.event_id == event.id,
        Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    ))))


def registration_facts(event: Event, taken: int | None = None) -> dict:
    """Mode, window, capacity and seats taken (confirmed participants), for the event page."""
    if taken is None:
        taken = seats_taken(event.id)
    at = now()
    if event.is_cancelled:
        state = _("Cancelled")
    elif event.is_draft:
        state = _("Not published yet")
    elif event.is_past(at):
        state = _("This event is over")
    elif event.registration_opens_at and at < event.registration_opens_at:
        state = _("Registration opens %(when)s", when=format_local(event.registration_opens_at, event.timezone))
    elif event.registration_closes_at and at >= event.registration_closes_at:
        state = _("Registration is closed")
    elif event.capacity is not None and taken >= event.capacity:
        state = _("Full — new registrations join the waiting list")
    else:
        state = _("Registration is open")
    if event.capacity is not None:
        seats = ngettext("%(taken)d of %(num)d seat taken", "%(taken)d of %(num)d seats taken", event.capacity,
                         taken=taken)
    else:
        seats = ngettext("%(num)d registered (no limit)", "%(num)d registered (no limit)", taken)
    return {"state": state, "taken": taken, "seats": seats}

