"""The .ics downloads of one event (with its agenda, if asked) and of one agenda session: what the
reader may see, the online link only for organisers and confirmed participants."""

from __future__ import annotations

import functools

from sqlalchemy import Integer, bindparam, exists, false, or_, select

from app.accounts.permissions import is_signed_in
from app.cache import raw
from app.calendar import reader, rows
from app.calendar.entries import Wording, event_entry, session_entry
from app.calendar.ics import build_calendar
from app.events.access import can_view, is_organiser_of, managed_clause, visible_clause
from app.events.models import Event, Session, agenda_order
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now


def _confirmed(user, event_id):
    """`user` holds a confirmed registration for the event (a SQL condition)."""
    return exists().where(
        Registration.event_id == event_id,
        Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )


def may_see_online(user, event: Event) -> bool:
    """Organisers (app.events.access) and confirmed participants see the online link."""
    if not is_signed_in(user):
        return False
    if is_organiser_of(user, event):
        return True
    return bool(db.session.scalar(select(_confirmed(user, event.id))))


@functools.cache
def _download_statement(signed_in: bool, role):
    """The event by id as the entry shows it (app.calendar.rows), when the reader may see it, with
    whether they may see its online link: built once per shape of reader."""
    viewer = reader.stand_in(signed_in, role)
    online = or_(managed_clause(viewer), _confirmed(viewer, Event.id)) if signed_in else false()
    return select(*rows.EVENT_COLUMNS, online.label("online")).where(
        Event.id == bindparam("event_id", type_=Integer), visible_clause(viewer))


def event_for_download(event_id: int, user) -> tuple[rows.EventRow, bool] | None:
    """(the event's row, whether `user` may see its online link: `may_see_online`), read in one
    statement on the DBAPI cursor (app.cache.raw: a download is one small row, and SQLAlchemy's
    execute cost more than the driver's); None when there is no such event or `user` may not see
    it (app.events.access)."""
    found = reader.shape(user)
    row, _plan = raw.read(db.session, (_download_statement, found), lambda: _download_statement(*found),
                          {"event_id": event_id, **reader.params(user)})
    if row is None:
        return None
    return rows.split(row, 0), bool(row[-1])


def event_calendar(event, *, all_day: bool, with_sessions: bool, show_online: bool) -> bytes:
    """The event (an Event or an EventRow, already checked visible to its reader) as an .ics, with
    its sessions if asked; `show_online`: `may_see_online` (event_for_download has it)."""
    words = Wording()
    entries = [event_entry(event, show_online=show_online, all_day=all_day, words=words)]
    if with_sessions:
        make = rows.SessionRow._make
        sessions = db.session.execute(
            select(*rows.SESSION_COLUMNS).where(Session.event_id == event.id)
            .order_by(*agenda_order())
        )
        entries += [session_entry(make(s), event, show_online=show_online, words=words) for s in sessions]
    return build_calendar(entries, method="PUBLISH", dtstamp=now())


def session_calendar(session_id: int, user) -> bytes | None:
    """The session as an .ics, or None when it does not exist or `user` may not see its event."""
    session = db.session.get(Session, session_id)
    if session is None or not can_view(user, session.event):
        return None
    entry = session_entry(session, session.event, show_online=may_see_online(user, session.event))
    return build_calendar([entry], method="PUBLISH", dtstamp=now())
