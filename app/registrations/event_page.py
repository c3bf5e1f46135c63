"""The registration facts an event page shows: seats taken, the viewer's registration, whether the
viewer sees the online link, and the registration state. The event page (events.detail) gets them
through the `event_page_context` signal (app/events/signals.py); see `page_context`."""

from __future__ import annotations

import functools

from flask_babel import ngettext
from sqlalchemy import and_, bindparam, exists, func, select, true
from sqlalchemy.orm import aliased

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
    """The user's registration to the event (any status, or None), the id of an open invitation to
    it (or None) and, for its organisers, the counts of the registration box's organisers' line
    (box.tally_values; None for others). (None, None, None) for a visitor. The user's sign-ups to
    the event's sessions ride along, kept for the box (box.note_viewer_signups). The event page
    reads them with the event (VIEWER: events.page_facts), an organiser's counts on their own;
    elsewhere all in one statement."""
    if not is_signed_in(user):
        return None, None, None
    organiser = is_organiser_of(user, event)  # known already (events.page_facts)
    kept = page_facts.viewer_known(event.id, user.id, VIEWER)
    if kept is page_facts.UNKNOWN:
        row, plan = raw.read(db.session, (_viewer_statement, organiser), lambda: _viewer_statement(organiser),
                             {"event_id": event.id, "user_id": user.id, "email": user.email})  # app.cache.raw
        if row is None:
            return None, None, None
        tally = tally_values(dict(zip(plan.keys, row, strict=True))) if organiser else None
        start = 0
    else:
        plan, row, start = kept
        tally = _tally(event.id) if organiser else None
    width = len(_registration_columns())
    mine = raw.loaded_from_row(db.session(), Registration, plan, row, width, start)  # None: not registered
    note_viewer_signups(event.id, row[start + width + 1])
    return mine, row[start + width], tally


def _tally(event_id: int) -> tuple[dict, int]:
    """The organisers' line's counts (box.status_tally) on their own."""
    row, plan = raw.read(db.session, _tally, lambda: select(*status_tally(bindparam("event_id")).c),
                         {"event_id": event_id})
    return tally_values(dict(zip(plan.keys, row, strict=True)))


@functools.cache
def _registration_columns() -> list:
    return raw.columns_by_attribute(Registration)


def _viewer_columns(registration, event_id, user_id, email) -> list:
    """The columns of `registration` (the class or an alias of it, outer joined: all None when the
    user has none), the id of an open invitation of the user, and the user's sign-ups."""
    invitation = select(Invitation.id).where(open_invitation_clause(event_id, user_id, email)).limit(1)
    return [*raw.columns_by_attribute(registration), invitation.scalar_subquery().label("viewer_invitation_id"),
            viewer_signups_column(event_id, user_id).label("viewer_signups")]


def _viewer_statement(organiser: bool):
    """For one kind of viewer (bound: event_id, user_id, email): the registration's columns (all
    None when there is none), the open invitation's id, the sign-ups, and for organisers the tally."""
    event_id, user_id = bindparam("event_id"), bindparam("user_id")
    statement = (select(*_viewer_columns(Registration, event_id, user_id, bindparam("email")))
                 .select_from(Event)
                 .outerjoin(Registration, and_(Registration.event_id == Event.id, Registration.user_id == user_id))
                 .where(Event.id == event_id))
    if organiser:
        tally = status_tally(event_id)
        statement = statement.add_columns(*tally.c).join(tally, true())
    return statement


# The same columns read with the event by the event page for a signed-in viewer (events.page_facts),
# the registration joined as an alias: the page's facts count registrations in subqueries, which
# SQLAlchemy would correlate to a registrations table of the outer statement.
VIEWER = "registrations.viewer"


def _viewer_fact(event_id, user_id) -> tuple[list, list]:
    mine = aliased(Registration, name="viewer_registration")
    return (_viewer_columns(mine, event_id, user_id, bindparam("registrations_email")),
            [(mine, and_(mine.event_id == event_id, mine.user_id == user_id))])


page_facts.register_viewer(VIEWER, _viewer_fact, lambda user: {"registrations_email": user.email})


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

