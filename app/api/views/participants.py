"""Participants of the events I organise: list, add (an existing confirmed account), approve or
reject, check in — as on the participant list and the check-in page, through the same services;
needs only for those who may see them (app.registrations.rules.may_see_needs)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.models import normalise_email
from app.api.auth import needs
from app.api.paging import envelope
from app.api.problems import refuse
from app.api.schemas import (
    LOCATION,
    AddParticipantArgs,
    CheckInArgs,
    Overlay,
    ParticipantArgs,
    ParticipantSchema,
    RejectArgs,
    page_of,
)
from app.events.access import get_managed_or_404
from app.pagination import paginate
from app.registrations import attendance, imports, manage, queries
from app.registrations.participant_list import participants_query
from app.registrations.rules import RegistrationError, may_see_needs

blp = Blueprint("api_participants", __name__,
                description="Participants of events I organise (scope registrations)")
NEEDS = ("dietary_needs", "accessibility_needs", "needs_visa_letter")


def participant_row(registration, show_needs: bool):
    """The registration as the reader may see it: needs only for app.registrations.rules.may_see_needs."""
    return registration if show_needs else Overlay(registration, **dict.fromkeys(NEEDS))


def _registration_or_404(event, registration_id: int):
    registration = queries.registration_of(event.id, registration_id)
    if registration is None:
        abort(404)
    return registration


@blp.route("/events/<int:event_id>/participants")
@needs("registrations:read")
@blp.arguments(ParticipantArgs, location="query")
@blp.response(200, page_of(ParticipantSchema, "ParticipantPage"))
def list_participants(args, event_id: int):
    """The event's registrations (filter by status, search by name, email or organisation)."""
    event = get_managed_or_404(event_id, current_user)
    show = may_see_needs(current_user, event)
    query = participants_query(event, args.get("status") or "", (args.get("q") or "").strip())
    page = paginate(query, args["page"], args["per_page"])
    return envelope(page, [participant_row(r, show) for r in page.items])


@blp.route("/events/<int:event_id>/participants/<int:registration_id>")
@needs("registrations:read")
@blp.response(200, ParticipantSchema)
def get_participant(event_id: int, registration_id: int):
    """One registration of the event."""
    event = get_managed_or_404(event_id, current_user)
    return participant_row(_registration_or_404(event, registration_id), may_see_needs(current_user, event))


@blp.route("/events/<int:event_id>/participants", methods=["POST"])
@needs("registrations:write")
@blp.arguments(AddParticipantArgs)
@blp.response(201, ParticipantSchema, headers=LOCATION)
@blp.alt_response(409, description="The event is cancelled, or the person cannot be added")
def add_participant(args, event_id: int):
    """Register an existing, confirmed account (as the import does: no approval, a seat if one is free)."""
    event = get_managed_or_404(event_id, current_user)
    event_id, email = event.id, normalise_email(args["email"])
    check = imports.validate(event, [(1, {"email": email, "role": args["role"]}, email)], "register")
    if check.bad:
        refuse(422, check.bad[0].reason, "email")
    try:
        manage.import_rows(event, "register", check.valid, current_user)
    except RegistrationError as error:
        refuse(409, str(error))
    event = get_managed_or_404(event_id, current_user)
    registration = queries.registration_for_email(event_id, email)
    location = url_for("api_participants.get_participant", event_id=event_id, registration_id=registration.id)
    return participant_row(registration, may_see_needs(current_user, event)), 201, {"Location": location}


def _act(event_id: int, registration_id: int, action: str, reason: str | None = None) -> dict:
    event = get_managed_or_404(event_id, current_user)
    registration = _registration_or_404(event, registration_id)
    try:
        result = manage.manage(event, [registration.id], action, current_user, reason=reason)
    except RegistrationError as error:
        refuse(409, str(error))
    if result.problems:
        refuse(409, " ".join(result.problems))
    event = get_managed_or_404(event_id, current_user)
    return participant_row(_registration_or_404(event, registration_id), may_see_needs(current_user, event))


@blp.route("/events/<int:event_id>/participants/<int:registration_id>/approve", methods=["POST"])
@needs("registrations:write")
@blp.response(200, ParticipantSchema)
@blp.alt_response(409, description="Not pending, or no seat")
def approve_participant(event_id: int, registration_id: int):
    """Approve a pending registration (a seat if one is free, else the waiting list)."""
    return _act(event_id, registration_id, "approve")


@blp.route("/events/<int:event_id>/participants/<int:registration_id>/reject", methods=["POST"])
@needs("registrations:write")
@blp.arguments(RejectArgs)
@blp.response(200, ParticipantSchema)
@blp.alt_response(409, description="Not active")
def reject_participant(args, event_id: int, registration_id: int):
    """Reject a registration (the person is told; a freed seat goes to the waiting list)."""
    return _act(event_id, registration_id, "reject", args["reason"])


@blp.route("/events/<int:event_id>/participants/<int:registration_id>/check-in", methods=["POST"])
@needs("registrations:write")
@blp.arguments(CheckInArgs)
@blp.response(200, ParticipantSchema)
@blp.alt_response(409, description="Not confirmed, not on the session's list, or not today (a day already past "
                                   "needs late_correction)")
def check_in(args, event_id: int, registration_id: int):
    """Check a confirmed participant in for a day of the event or one of its sessions (or undo it)."""
    event = get_managed_or_404(event_id, current_user)
    registration = _registration_or_404(event, registration_id)
    try:
        if args["session_id"]:
            item = queries.get_session(args["session_id"])
            if item is None or item.event_id != event.id:
                refuse(422, "This session is not part of the event.", "session_id")
            attendance.set_checked_in(registration, current_user, undo=args["undo"], session=item,
                                      late_correction=args["late_correction"])
        else:
            day = attendance.day_of(event, args["day"].isoformat() if args["day"] else None)
            if day is None:
                refuse(422, "Choose a day of the event.", "day")
            attendance.set_checked_in(registration, current_user, undo=args["undo"], day_on=day,
                                      late_correction=args["late_correction"])
    except RegistrationError as error:
        refuse(409, str(error))
    event = get_managed_or_404(event_id, current_user)
    return participant_row(_registration_or_404(event, registration_id), may_see_needs(current_user, event))
