"""Cancelling a registration: the person cancels their own (until the event starts), an organiser
cancels anyone's; and what follows the end of any registration (release_locked). The person's own
registration is found under the event's lock, so a cancellation reads it once. No request here."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.models import User
from app.db import row_id
from app.events.access import can_view
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.notices import tell_cancelled
from app.registrations.rules import ACTIVE, Outcome, RegistrationError
from app.registrations.sessions import cancel_signups_locked, ending_signups, ending_signups_exist
from app.registrations.signals import registration_withdrawn
from app.registrations.transactions import (
    dialect,
    end_reads_keeping_objects,
    fresh_registration,
    lock_event,
    rollback_on_error,
    write_now,
)
from app.registrations.waitlist import anyone_waiting, promote_locked
from app.timeutil import now


def release_locked(event: Event, registration: Registration, actor: User | None,
                   previous: RegistrationStatus, tell=None, *, signups: list | None = None,
                   waiting: bool = True) -> None:
    """Inside the event's locked transaction, once a registration has ended (cancelled, rejected):
    take a confirmed one out of the calendar, `tell` the person (if given), cancel their session
    sign-ups and give a freed seat to the waiting list. No commit. `signups` (their ending_signups)
    and `waiting=False` (nobody waits): read by the caller under this lock."""
    if signups is None:
        signups = ending_signups(event.id, registration.user_id)  # one read for the calendar and the sign-ups
    if previous == RegistrationStatus.CONFIRMED:
        registration_withdrawn.send(registration, signups=signups)
    if tell is not None:
        tell(registration, event)
    freed = previous == RegistrationStatus.CONFIRMED
    if not signups and not (freed and waiting):
        return  # nothing more to read or write here: the caller's flush (or write_now) writes the change
    db.session.flush()
    cancel_signups_locked(event, registration.user_id, signups)
    if freed:
        promote_locked(event, actor, waiting=waiting)


def cancel_locked(event: Event, registration: Registration, actor: User, *, by_organiser: bool,
                  audit_entries: list | None = None, signups: list | None = None, waiting: bool = True) -> None:
    """Inside the event's locked transaction: cancel a live registration (an organiser's
    cancellation is told to the person). No commit. `audit_entries`: the audit entry is appended
    there for the caller to write (insert_now), not added to the session. `signups`, `waiting`:
    see release_locked."""
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now()
    registration.waitlisted_at = None
    entry = audit.build(actor, "registration.cancel", registration,
                        {"status": [previous.value, "cancelled"], "by_organiser": by_organiser})
    if audit_entries is None:
        db.session.add(entry)
    else:
        audit_entries.append(entry)
    release_locked(event, registration, actor, previous, tell_cancelled if by_organiser else None,
                   signups=signups, waiting=waiting)


def self_cancel_refusal(event: Event) -> str | None:
    """Why a participant may not cancel their own registration now (the event has started), or None."""
    if event.starts_at <= now():
        return _("The event has started: please contact the organisers to cancel.")
    return None


def _lock(event_id: int) -> Event:
    """The event's row, locked: on PostgreSQL in the transaction already open (no second read of
    what it loaded), on SQLite in a new one (BEGIN IMMEDIATE) that keeps the objects loaded."""
    if dialect() == "sqlite":
        end_reads_keeping_objects()
    return lock_event(event_id, same_transaction=True)


def _cancel_locked_and_commit(event: Event, registration: Registration | None, actor: User,
                              by_organiser: bool, **known) -> Outcome:
    with rollback_on_error():
        if registration is None or registration.status not in ACTIVE:
            db.session.rollback()
            return Outcome(registration, registration.status if registration else None,
                           _("This registration is not active."), ok=False)
        if not by_organiser and (refusal := self_cancel_refusal(event)):
            db.session.rollback()
            return Outcome(registration, registration.status, refusal, ok=False)
        entries: list = []
        cancel_locked(event, registration, actor, by_organiser=by_organiser, audit_entries=entries, **known)
        # The message before the commit, which expires the event and the signed-in user (the
        # language of the message would read them again).
        outcome = Outcome(registration, RegistrationStatus.CANCELLED,
                          _("The registration for %(title)s is cancelled.", title=event.title))
        # Everything written with the audit entry and the change stamps in one statement (PostgreSQL).
        write_now(entries, last=True)
        db.session.commit()
        return outcome


def cancel_registration(registration: Registration, actor: User, *, by_organiser: bool = False) -> Outcome:
    """The participant cancels (until the start) or an organiser cancels (any time). Commits."""
    registration_id = row_id(registration)
    event = _lock(registration.event_id)
    return _cancel_locked_and_commit(event, fresh_registration(registration_id), actor, by_organiser)


@functools.cache
def _own_statement():
    """The person's registration of the event with their user, whether they have sign-ups its end
    touches (ending_signups_exist) and whether anyone waits (anyone_waiting): built once."""
    event_id, user_id = bindparam("event_id", type_=Integer), bindparam("user_id", type_=Integer)
    return (select(Registration, ending_signups_exist(event_id, user_id).label("has_signups"),
                   anyone_waiting(event_id).label("anyone_waiting"))
            .where(Registration.event_id == event_id, Registration.user_id == user_id)
            .options(joinedload(Registration.user))
            .execution_options(populate_existing=True))


def locked_visible(event_id: int, user: User) -> Event | None:
    """The event's row, locked (as _lock), when `user` may see it; else None, rolled back. A
    cancellation's first read of the event: no unlocked read before it."""
    try:
        event = _lock(event_id)
    except RegistrationError:
        return None
    if not can_view(user, event):
        db.session.rollback()
        return None
    return event


def cancel_own(event: Event, user: User) -> Outcome | None:
    """The person cancels their own registration of the event (until it starts), read under the
    lock (`event`: locked_visible's) with what its end needs to know: whether they have session
    sign-ups and whether anyone waits for the seat (a cancellation usually reads neither list).
    None when they have none. Commits."""
    row = db.session.execute(_own_statement(), {"event_id": event.id, "user_id": user.id}).first()
    if row is None:
        db.session.rollback()
        return None
    registration, has_signups, waiting = row
    return _cancel_locked_and_commit(event, registration, user, False, signups=None if has_signups else [],
                                     waiting=bool(waiting))
