"""Who may see and manage an event — used by every view and query that touches events.

Drafts are visible only to their organisers (creator and co-organisers) and admins. Published and
cancelled events are visible to everyone (cancelled ones clearly marked).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import exists, or_, select

from app.accounts.models import Role
from app.accounts.permissions import is_signed_in
from app.events.models import Event, EventStatus, event_organisers
from app.extensions import db


def is_organiser_of(user, event: Event) -> bool:
    """Creator, co-organisers, coordinators and admins manage an event."""
    if not is_signed_in(user):
        return False
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if event.created_by_id == user.id:
        return True
    return db.session.scalar(
        select(
            exists().where(event_organisers.c.event_id == event.id, event_organisers.c.user_id == user.id)
        )
    ) or False


def can_view(user, event: Event) -> bool:
    if event.status != EventStatus.DRAFT:
        return True
    if not is_signed_in(user):
        return False
    if user.role == Role.ADMIN or event.created_by_id == user.id:
        return True
    return db.session.scalar(
        select(
            exists().where(event_organisers.c.event_id == event.id, event_organisers.c.user_id == user.id)
        )
    ) or False


def visible_clause(user):
    """A WHERE clause selecting the events `user` may see (use it in every events query)."""
    not_draft = Event.status != EventStatus.DRAFT
    if not is_signed_in(user):
        return not_draft
    if user.role == Role.ADMIN:
        return Event.id.is_not(None)
    own = exists().where(event_organisers.c.event_id == Event.id, event_organisers.c.user_id == user.id)
    return or_(not_draft, Event.created_by_id == user.id, own)


def managed_clause(user):
    """A WHERE clause selecting the events `user` organises."""
    if not is_signed_in(user):
        return Event.id.is_(None)
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return Event.id.is_not(None)
    own = exists().where(event_organisers.c.event_id == Event.id, event_organisers.c.user_id == user.id)
    return or_(Event.created_by_id == user.id, own)


def get_visible_or_404(event_id: int, user) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not can_view(user, event):
        abort(404)
    return event


def get_managed_or_404(event_id: int, user) -> Event:
    """The event if `user` organises it; 404 if they cannot see it, 403 if they only can see it."""
    event = get_visible_or_404(event_id, user)
    if not is_organiser_of(user, event):
        abort(403)
    return event
