"""Cancelling a registration: the person cancels their own (until the event starts), an organiser
cancels anyone's; and what follows the end of any registration (release_locked). The person's own
registration is found under the event's lock, so a cancellation reads it once. No request here."""

from __future__ import annotations

from flask_babel import gettext as _

from app import audit
from app.accounts.models import User
from app.db import row_id
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.notices import tell_cancelled
from app.registrations.rules import ACTIVE, Outcome
from app.registrations.sessions import cancel_signups_locked, ending_signups
from app.registrations.signals import registration_withdrawn
from app.registrations.transactions import (
    dialect,
    end_reads_keeping_objects,
    fresh_own_registration,
    fresh_registration,
    insert_now,
    lock_event,
    rollback_on_error,
)
from app.registrations.waitlist import promote_locked
from app.timeutil import now


def release_locked(event: Event, registration: Registration, actor: User | None,
                   previous: RegistrationStatus, tell=None) -> None:
    """Inside the event's locked transaction, once a registration has ended (cancelled, rejected):
    take a confirmed one out of the calendar, `tell` the person (if given), cancel their session
    sign-ups and give a freed seat to the waiting list. No commit."""
    signups = ending_signups(event.id, registration.user_id)  # one read for the calendar and the sign-ups
    if previous == RegistrationStatus.CONFIRMED:
        registration_withdrawn.send(registration, signups=signups)
    if tell is not None:
        tell(registration, event)
    db.session.flush()
    cancel_signups_locked(event, registration.user_id, signups)
    if previous == RegistrationStatus.CONFIRMED:
        promote_locked(event, actor)


def cancel_locked(event: Event, registration: Registration, actor: User, *, by_organiser: bool,
                  audit_entries: list | None = None) -> None:
    """Inside the event's locked transaction: cancel a live registration (an organiser's
    cancellation is told to the person). No commit. `audit_entries`: the audit entry is appended
    there for the caller to write (insert_now), not added to the session."""
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
    release_locked(event, registration, actor, previous, tell_cancelled if by_organiser else None)


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
                              by_organiser: bool) -> Outcome:
    with rollback_on_error():
        if registration is None or registration.status not in ACTIVE:
            db.session.rollback()
            return Outcome(registration, registration.status if registration else None,
                           _("This registration is not active."), ok=False)
        if not by_organiser and (refusal := self_cancel_refusal(event)):
            db.session.rollback()
            return Outcome(registration, registration.status, refusal, ok=False)
        entries: list = []
        cancel_locked(event, registration, actor, by_organiser=by_organiser, audit_entries=entries)
        # The message before the commit, which expires the event and the signed-in user (the
        # language of the message would read them again).
        outcome = Outcome(registration, RegistrationStatus.CANCELLED,
                          _("The registration for %(title)s is cancelled.", title=event.title))
        # The rest written, then the audit entry with the change stamps in one statement (PostgreSQL).
        db.session.flush()
        insert_now(entries, last=True)
        db.session.commit()
        return outcome


def cancel_registration(registration: Registration, actor: User, *, by_organiser: bool = False) -> Outcome:
    """The participant cancels (until the start) or an organiser cancels (any time). Commits."""
    registration_id = row_id(registration)
    event = _lock(registration.event_id)
    return _cancel_locked_and_commit(event, fresh_registration(registration_id), actor, by_organiser)


def cancel_own(event: Event, user: User) -> Outcome | None:
    """The person cancels their own registration of the event (until it starts), read under the
    lock. None when they have none. Commits."""
    event = _lock(row_id(event))
    registration = fresh_own_registration(event.id, user.id)
    if registration is None:
        db.session.rollback()
        return None
    return _cancel_locked_and_commit(event, registration, user, False)
