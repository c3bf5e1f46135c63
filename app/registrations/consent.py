"""Consent to a registration someone else made (an organiser's import): the person agrees to
Liaison holding their registration details, or removes themselves (the seat is released and the
waiting list moves). Also the withdrawal of a registration at the person's request (account deletion)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import column_property, joinedload

from app import audit
from app.accounts.auth import PAGE_VIEW_COLUMNS
from app.accounts.models import User
from app.extensions import db
from app.registrations.cancelling import cancel_locked
from app.registrations.models import Registration
from app.registrations.rules import ACTIVE, RegistrationError
from app.registrations.transactions import fresh_registration, lock_event, rollback_on_error
from app.timeutil import now


def _awaiting():
    return (Registration.added_by_id.is_not(None), Registration.consented_at.is_(None),
            Registration.status.in_(ACTIVE))


def awaiting_consent(user_id: int) -> list[Registration]:
    """The person's live registrations made by someone else and not yet agreed to, with their events."""
    return list(db.session.scalars(
        select(Registration).options(joinedload(Registration.event))
        .where(Registration.user_id == user_id, *_awaiting()).order_by(Registration.id)
    ))


# Whether the person has registrations awaiting their consent: asked on every signed-in page view,
# so the user loader reads it with the user, in the same statement (auth.PAGE_VIEW_COLUMNS).
User.awaits_consent = column_property(exists().where(Registration.user_id == User.id, *_awaiting()), deferred=True)
PAGE_VIEW_COLUMNS.append(User.awaits_consent)


def has_awaiting_consent(user: User) -> bool:
    """Read with the signed-in user (no query), or loaded now for any other user object."""
    return bool(user.awaits_consent)


def _own_awaiting(registration_id: int, user: User) -> Registration:
    registration = fresh_registration(registration_id)
    if registration is None or registration.user_id != user.id or registration.added_by_id is None \
            or registration.consented_at is not None or registration.status not in ACTIVE:
        raise RegistrationError(_l("This registration does not wait for your consent."))
    return registration


def agree(registration_id: int, user: User) -> Registration:
    """The person agrees to Liaison holding their registration details. Commits."""
    with rollback_on_error():
        registration = _own_awaiting(registration_id, user)
        registration.consented_at = now()
        audit.record(user, "registration.consent", registration, {"added_by_id": registration.added_by_id})
        db.session.commit()
        return registration


def decline(registration_id: int, user: User) -> Registration:
    """The person removes themselves: the registration is cancelled (seat released, waiting list
    moves), audited. Commits."""
    registration = fresh_registration(registration_id)
    if registration is None or registration.user_id != user.id:
        raise RegistrationError(_l("This registration does not wait for your consent."))
    event = lock_event(registration.event_id)
    with rollback_on_error():
        registration = _own_awaiting(registration_id, user)
        cancel_locked(event, registration, user, by_organiser=False)
        audit.record(user, "registration.consent_declined", registration, {"added_by_id": registration.added_by_id})
        db.session.commit()
        return registration


def withdraw(registration_id: int, actor: User, action: str) -> bool:
    """Cancel a live registration at the person's request whatever the date, without telling them
    (account deletion): the seat is released and the waiting list moves. Commits; False when it was
    not live any more."""
    registration = fresh_registration(registration_id)
    if registration is None:
        return False
    event = lock_event(registration.event_id)
    with rollback_on_error():
        registration = fresh_registration(registration_id)
        if registration is None or registration.status not in ACTIVE:
            db.session.rollback()
            return False
        cancel_locked(event, registration, actor, by_organiser=False)
        audit.record(actor, action, registration, {"event_id": event.id})
        db.session.commit()
        return True
