"""The .ics downloads of one event (with its agenda, if asked) and of one agenda session: what the
reader may see, the online link only for organisers and confirmed participants."""

from __future__ import annotations

from sqlalchemy import exists, select

from app.accounts.permissions import is_signed_in
from app.calendar.entries import event_entry, session_entry
from app.calendar.ics import build_calendar
from app.events.access import can_view, is_organiser_of
from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now


def may_see_online(user, event: Event) -> bool:
    if not is_signed_in(user):
        return False
    if is_organiser_of(user, event):
        return True
    return bool(db.session.scalar(select(exists().where(
        Registration.event_id == event.id,
        Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    ))))


def event_calendar(event: Event, user, *, all_day: bool, with_sessions: bool) -> bytes:
    """The event (already checked visible to `user`) as an .ics, with its sessions if asked."""
    show_online = may_see_online(user, event)
    entries = [event_entry(event, show_online=show_online, all_day=all_day)]
    if with_sessions:
        sessions = db.session.scalars(
            select(Session).where(Session.event_id == event.id).order_by(Session.starts_at, Session.position, Session.id)
        ).all()
        entries += [session_entry(s, event, show_online=show_online) for s in sessions]
    return build_calendar(entries, method="PUBLISH", dtstamp=now())


def session_calendar(session_id: int, user) -> bytes | None:
    """The session as an .ics, or None when it does not exist or `user` may not see its event."""
    session = db.session.get(Session, session_id)
    if session is None or not can_view(user, session.event):
        return None
    entry = session_entry(session, session.event, show_online=may_see_online(user, session.event))
    return build_calendar([entry], method="PUBLISH", dtstamp=now())
