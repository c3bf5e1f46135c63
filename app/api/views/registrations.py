"""My registrations: list them, register for an event, cancel, sign up for a session and withdraw —
through the registration services the event page uses (same capacity lock, same waiting list)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.auth import needs
from app.api.paging import envelope
from app.api.problems import refuse
from app.api.schemas import (
    LOCATION,
    MyRegistrationArgs,
    OutcomeSchema,
    RegisterArgs,
    RegistrationSchema,
    SignupSchema,
    page_of,
)
from app.events.access import get_visible_or_404
from app.pagination import paginate
from app.registrations import queries
from app.registrations.cancelling import cancel_registration
from app.registrations.models import RegistrationStatus
from app.registrations.question_forms import api_answers
from app.registrations.register import Needs
from app.registrations.register import register as register_for
from app.registrations.sessions import cancel_session_signup, sign_up_for_session
from app.registrations.waitlist import event_with_tally, waitlist_position

blp = Blueprint("api_registrations", __name__, description="My registrations (scope registrations)")


def _registration_location(event_id: int) -> str:
    return url_for("api_registrations.get_my_registration", event_id=event_id)


@blp.route("/me/registrations")
@needs("registrations:read")
@blp.arguments(MyRegistrationArgs, location="query")
@blp.response(200, page_of(RegistrationSchema, "RegistrationPage"))
def list_my_registrations(args):
    """My registrations, latest event first (filter by status)."""
    status = RegistrationStatus(args["status"]) if args.get("status") else None
    page = paginate(queries.my_registrations_query(current_user, status), args["page"], args["per_page"])
    return envelope(page, page.items)


@blp.route("/events/<int:event_id>/registration")
@needs("registrations:read")
@blp.response(200, RegistrationSchema)
def get_my_registration(event_id: int):
    """My registration for the event (404 when I have none)."""
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_registration(event.id, current_user.id)
    if registration is None:
        abort(404)
    return registration


@blp.route("/events/<int:event_id>/registration", methods=["POST"])
@needs("registrations:write")
@blp.arguments(RegisterArgs)
@blp.response(201, OutcomeSchema, headers=LOCATION)
@blp.alt_response(409, description="Refused by a rule (closed, full without waiting list, by invitation…)")
def register(args, event_id: int):
    """Register myself: confirmed, pending approval, or on the waiting list, as the event's rules say."""
    _, tally = event_with_tally(event_id, current_user)
    event = get_visible_or_404(event_id, current_user)
    event_id = event.id  # before the service's commit expires the event
    answers, problems = api_answers(event_id, args["answers"])
    if problems:
        field, message = next(iter(problems.items()))
        refuse(422, message, field)
    needs_given = Needs(args["dietary_needs"], args["accessibility_needs"], args["needs_visa_letter"], answers)
    outcome = register_for(event, current_user, args["role"], needs_given, consent=args["consent"], tally=tally)
    if not outcome.ok:
        refuse(422 if not args["consent"] else 409, outcome.message, "consent" if not args["consent"] else None)
    body = {"registration": outcome.registration, "status": outcome.status.value if outcome.status else None,
            "message": outcome.message, "waitlist_position": outcome.waitlist_position}
    return body, 201, {"Location": _registration_location(event_id)}


@blp.route("/events/<int:event_id>/registration", methods=["DELETE"])
@needs("registrations:write")
@blp.response(200, OutcomeSchema)
@blp.alt_response(409, description="Not active, or the event has started")
def cancel(event_id: int):
    """Cancel my registration (until the event starts); a freed seat goes to the waiting list."""
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_registration(event.id, current_user.id)
    if registration is None:
        abort(404)
    outcome = cancel_registration(registration, current_user)
    if not outcome.ok:
        refuse(409, outcome.message)
    return {"registration": outcome.registration, "status": outcome.status.value, "message": outcome.message,
            "waitlist_position": waitlist_position(outcome.registration)}


def _session_or_404(session_id: int):
    item = queries.get_session(session_id)
    if item is None:
        abort(404)
    get_visible_or_404(item.event_id, current_user)
    return item


@blp.route("/sessions/<int:session_id>/signup", methods=["POST"])
@needs("registrations:write")
@blp.response(200, SignupSchema)
@blp.alt_response(409, description="Refused by a rule (not registered, no sign-up, full…)")
def session_signup(session_id: int):
    """Sign up for a session of an event I am registered for (its own seats and waiting list)."""
    item = _session_or_404(session_id)
    outcome = sign_up_for_session(item, current_user)
    if not outcome.ok:
        refuse(409, outcome.message)
    status = outcome.signup.status.value if outcome.signup is not None else None
    return {"session_id": session_id, "status": status, "message": outcome.message}


@blp.route("/sessions/<int:session_id>/signup", methods=["DELETE"])
@needs("registrations:write")
@blp.response(200, SignupSchema)
@blp.alt_response(409, description="Not signed up")
def session_signup_cancel(session_id: int):
    """Withdraw from a session; a freed seat goes to its waiting list."""
    item = _session_or_404(session_id)
    signup = queries.own_signup(item.id, current_user.id)
    if signup is None:
        abort(404)
    outcome = cancel_session_signup(signup, current_user)
    if not outcome.ok:
        refuse(409, outcome.message)
    return {"session_id": session_id, "status": "cancelled", "message": outcome.message}
