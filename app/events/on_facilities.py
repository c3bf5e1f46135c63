"""The events package adds to a facility's page (app/facilities/signals.py) the events and sessions held
there, as the viewer may see them (drafts only for their organisers): two bounded queries. Connected
once by app/subscribers.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.events.access import visible_clause
from app.events.models import Event, Session
from app.extensions import db
from app.facilities.signals import facility_page_context

HELD_LIMIT = 50  # the latest events and sessions a facility's page lists


def events_held_at(facility_id: int, user, limit: int = HELD_LIMIT) -> list[Event]:
    """Events at the facility, the latest first."""
    return list(db.session.scalars(
        select(Event).where(Event.facility_id == facility_id, visible_clause(user))
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def sessions_held_at(facility_id: int, user, limit: int = HELD_LIMIT) -> list[Session]:
    """Sessions at the facility (a site visit during an event held elsewhere, say), with their event."""
    return list(db.session.scalars(
        select(Session).join(Session.event).options(contains_eager(Session.event))
        .where(Session.facility_id == facility_id, visible_clause(user))
        .order_by(Session.starts_at.desc(), Session.id.desc()).limit(limit)))


def page_context(facility, user=None, **_kwargs) -> dict:
    return {"held_events": events_held_at(facility.id, user), "held_sessions": sessions_held_at(facility.id, user)}


facility_page_context.connect(page_context)
