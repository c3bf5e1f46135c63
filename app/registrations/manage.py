"""The organisers' changes to registrations: approve, reject, cancel, move up from the waiting
list, change the role (one or many at once, in one locked transaction), a person's needs, and the
import of a checked list (registrations or invitations)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.models import User, normalise_email
from app.db import row_id
from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations import exports
from app.registrations.answers import answers_for
from app.registrations.cancelling import cancel_locked, release_locked
from app.registrations.invitations import InviteResult, invite_one
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus
from app.registrations.notices import tell_confirmed, tell_rejected, tell_waitlisted
from app.registrations.participant_list import export_registrations
from app.registrations.questions import store_answers
from app.registrations.register import Needs, register_locked
from app.registrations.rules import ACTIVE, RegistrationError, awaits_consent
from app.registrations.transactions import lock_event, rollback_on_error
from app.registrations.waitlist import (
    place,
    promote_locked,
    seat_status,
    seats_taken,
    waitlist_position,
    waitlist_positions,
)
from app.timeutil import now


@dataclass
class BulkResult:
    done: list[Registration] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _approve_locked(event: Event, registration: Registration, actor: User) -> str:
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_l("%(name)s: only pending registrations can be approved.", name=registration.user.name))
    status = seat_status(event, registration.role)
    place(registration, event, status)
    db.session.flush()
    audit.record(actor, "registration.approve", registration, {"status": ["pending", status.value]})
    if status == RegistrationStatus.CONFIRMED:
        tell_confirmed(registration, promoted=False)
        return _("%(name)s is confirmed.", name=registration.user.name)
    position = waitlist_position(registration)
    tell_waitlisted(registration, position)
    return _("%(name)s is approved; the event is full, so they are number %(position)s on the waiting list.",
             name=registration.user.name, position=position)


def _active(registration: Registration) -> None:
    if registration.status not in ACTIVE:
        raise RegistrationError(_l("%(name)s: this registration is not active.", name=registration.user.name))


def _reject_locked(event: Event, registration: Registration, actor: User, reason: str | None) -> str:
    _active(registration)
    previous = registration.status
    registration.status = RegistrationStatus.REJECTED
    registration.rejected_at = now()
    registration.rejection_reason = (reason or "").strip()[:2000] or None
    registration.waitlisted_at = None
    audit.record(actor, "registration.reject", registration,
                 {"status": [previous.value, "rejected"], "reason": registration.rejection_reason})
    release_locked(event, registration, actor, previous, tell_rejected)
    return _("%(name)s is rejected.", name=registration.user.name)


def _cancel_locked(event: Event, registration: Registration, actor: User) -> str:
    _active(registration)
    cancel_locked(event, registration, actor, by_organiser=True)
    return _("%(name)s is cancelled.", name=registration.user.name)


def _promote_one_locked(event: Event, registration: Registration, actor: User) -> str:
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError(_l("%(name)s: only people on the waiting list can be moved up.",
                                   name=registration.user.name))
    if registration.role.takes_seat and event.capacity is not None and seats_taken(event.id) >= event.capacity:
        raise RegistrationError(
            _l("%(name)s: no free seat. Raise the capacity or free a seat first.", name=registration.user.name)
        )
    place(registration, event, RegistrationStatus.CONFIRMED)
    audit.record(actor, "registration.promote", registration,
                 {"status": ["waitlisted", "confirmed"], "automatic": False})
    tell_confirmed(registration, promoted=True)
    db.session.flush()
    return _("%(name)s is moved from the waiting list and confirmed.", name=registration.user.name)


def _change_role_locked(event: Event, registration: Registration, actor: User, role: ParticipantRole) -> str:
    if registration.role == role:
        return _("%(name)s is already %(role)s.", name=registration.user.name, role=role.label.lower())
    previous = registration.role
    if (registration.status == RegistrationStatus.CONFIRMED and role.takes_seat and not previous.takes_seat
            and event.capacity is not None and seats_taken(event.id) >= event.capacity):
        raise RegistrationError(
            _l("%(name)s: no free participant seat for this role. Raise the capacity first.", name=registration.user.name)
        )
    registration.role = role
    audit.record(actor, "registration.role", registration, {"role": [previous.value, role.value]})
    db.session.flush()
    if registration.status == RegistrationStatus.WAITLISTED and not role.takes_seat:
        place(registration, event, RegistrationStatus.CONFIRMED)
        audit.record(actor, "registration.promote", registration,
                     {"status": ["waitlisted", "confirmed"], "reason": "role takes no seat"})
        tell_confirmed(registration, promoted=True)
    elif registration.status == RegistrationStatus.CONFIRMED and previous.takes_seat and not role.takes_seat:
        promote_locked(event, actor)
    return _("%(name)s is now %(role)s.", name=registration.user.name, role=role.label.lower())


BULK_ACTIONS = ("approve", "reject", "cancel", "promote", "role")


def _apply(action: str, event: Event, registration: Registration, actor: User, reason: str | None,
           role: ParticipantRole | None) -> None:
    if action == "approve":
        _approve_locked(event, registration, actor)
    elif action == "reject":
        _reject_locked(event, registration, actor, reason)
    elif action == "cancel":
        _cancel_locked(event, registration, actor)
    elif action == "promote":
        _promote_one_locked(event, registration, actor)
    else:
        _change_role_locked(event, registration, actor, role)


def _chosen_role(action: str, role: str | None) -> ParticipantRole | None:
    if action != "role":
        return None
    try:
        return ParticipantRole(role or "")
    except ValueError as error:
        raise RegistrationError(_l("Choose a role.")) from error


def manage(event: Event, registration_ids, action: str, actor: User, *, reason: str | None = None,
           role: str | None = None) -> BulkResult:
    """Apply an organiser's action to one or more registrations of `event`, in one locked
    transaction, in list order. Each person's problem is reported; the others go through."""
    if action not in BULK_ACTIONS:
        raise RegistrationError(_l("Choose an action."))
    new_role = _chosen_role(action, role)
    ids = sorted({int(i) for i in registration_ids})
    if not ids:
        raise RegistrationError(_l("Select at least one person."))
    event = lock_event(row_id(event))
    result = BulkResult()
    with rollback_on_error():
        registrations = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .options(joinedload(Registration.user))
            .order_by(Registration.waitlisted_at, Registration.registered_at, Registration.id)
            .execution_options(populate_existing=True)
        ).all()
        for registration in registrations:
            registration.event = event
            try:
                _apply(action, event, registration, actor, reason, new_role)
                result.done.append(registration)
            except RegistrationError as error:
                result.problems.append(str(error))
        missing = len(ids) - len(registrations)
        if missing:
            result.problems.append(ngettext("%(num)d selected registration does not belong to this event.",
                                            "%(num)d selected registrations do not belong to this event.", missing))
        db.session.commit()
        return result


def update_needs(registration: Registration, needs: Needs, actor: User) -> None:
    if awaits_consent(registration):
        raise RegistrationError(_l("These needs can be given only once the person has agreed to Liaison "
                                   "holding their registration details."))
    fields = {
        "dietary_needs": needs.dietary_needs,
        "accessibility_needs": needs.accessibility_needs,
        "needs_visa_letter": bool(needs.needs_visa_letter),
    }
    changes = audit.diff(registration, fields)
    for name, value in fields.items():
        setattr(registration, name, value)
    if needs.answers:
        store_answers(registration, needs.answers)
        changes = {**changes, "answers": True}
    if changes:
        # Needs are personal: the audit says what changed, not the content.
        audit.record(actor, "registration.needs", registration, {"fields": sorted(changes)})
    db.session.commit()


def import_rows(event: Event, mode: str, rows, actor: User) -> int:
    """Apply confirmed import rows (already validated) in ONE transaction: all or nothing."""
    event = lock_event(row_id(event))
    with rollback_on_error():
        if event.status == EventStatus.CANCELLED:
            raise RegistrationError(_l("This event is cancelled."))
        if mode == "invite" and event.status == EventStatus.DRAFT:
            raise RegistrationError(_l("Publish the event first: invitation links lead to the event page."))
        result = InviteResult()
        count = 0
        for row in rows:
            role = ParticipantRole(row.role)
            if mode == "invite":
                invite_one(event, normalise_email(row.email), row.name, role, actor, result)
                count = len(result.invited)
            else:
                user = db.session.scalar(select(User).where(User.email == normalise_email(row.email)))
                if user is None or not user.is_confirmed:  # an unconfirmed account owns nothing
                    raise RegistrationError(_l("Line %(line)d: no confirmed account for %(email)s.",
                                                           line=row.line, email=row.email))
                outcome = register_locked(event, user, role, Needs(), actor=actor, consented=False,
                                          trusted_role=True, skip_approval=True, action="registration.import",
                                          added_by=actor)
                if not outcome.ok:
                    raise RegistrationError(_l("Line %(line)d: %(problem)s", line=row.line, problem=outcome.message))
                count += 1
        if result.skipped:
            raise RegistrationError(_l("Some rows changed since the check: %(rows)s", rows="; ".join(result.skipped)))
        audit.record(actor, "registration.import", event, {"mode": mode, "rows": count})
        db.session.commit()
        return count


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_participants(event: Event, columns: list[str], fmt: str, status_filter: str, q: str,
                        actor: User, labels: dict[str, str] | None = None) -> tuple[bytes, str]:
    """The filtered participant list as CSV or XLSX (body, mimetype); the export is audited. Commits.
    `labels`: the answer columns the actor may export ("answer_<id>": question), already checked."""
    registrations = export_registrations(event, status_filter, q)
    positions = waitlist_positions([event.id])
    answers = answers_for([r.id for r in registrations], sensitive=True) if labels else {}
    rows = [exports.row_for(r, columns, positions, {f"answer_{a.question_id}": a.text for a in answers.get(r.id, [])})
            for r in registrations]
    if fmt == "csv":
        body, mimetype = exports.build_csv(columns, rows, labels), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.build_xlsx(columns, rows, title=event.title, labels=labels), XLSX_MIMETYPE
    audit.record(actor, "registration.export", event, {"format": fmt, "columns": columns, "rows": len(rows)})
    db.session.commit()
    return body, mimetype
