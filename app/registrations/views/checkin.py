"""The check-in desk: the list and its toggle (a late correction asks for confirmation), the badge
scanner with its live counters, the name badges (PDF) and the address a badge's QR code holds."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404, is_organiser_of
from app.negotiation import wants_json
from app.registrations import attendance as service
from app.registrations import badges, checkin_desk, queries
from app.registrations.checkin_rules import CheckInRefused, LateCorrectionNeeded
from app.registrations.rules import RegistrationError
from app.registrations.views import bp
from app.registrations.views.helpers import int_arg
from app.registrations.views.participants import registration_or_404

# The desk's page may use the camera (the badge scanner); every other page keeps it off.
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"


def _desk_args(event, form) -> dict:
    args = {"event_id": event.id, "q": form.get("q") or None}
    if form.get("session"):
        args["session"] = form.get("session")
    elif form.get("day"):
        args["day"] = form.get("day")
    return args


def _target(event):
    """The session (of this event) or else the day of the event a check-in is for; a session of
    another event is a 404, a day that is not one of the event's a RegistrationError."""
    session_id = int_arg("session")
    if session_id:
        item = queries.get_session(session_id)
        if item is None or item.event_id != event.id:
            abort(404)
        return item, None
    day = service.day_of(event, request.form.get("day")) if request.form.get("day") else None
    if day is None:
        raise CheckInRefused(_("Choose a day of the event."), "wrong_day")
    return None, day


@bp.get("/events/<int:event_id>/check-in")
@login_required
def checkin(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    q = (request.args.get("q") or "").strip()[:100]
    desk = checkin_desk.desk(event, q, request.args.get("page"), int_arg("session"), request.args.get("day"),
                             request.args.get("when") or "")
    response = make_response(render_template("registrations/checkin.html", event=event, desk=desk, page=desk.page,
                                             q=q))
    response.headers["Permissions-Policy"] = CAMERA_ALLOWED
    return response


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>")
@login_required
def checkin_toggle(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = registration_or_404(event, registration_id)
    undo = request.form.get("action") == "undo"
    args = _desk_args(event, request.form)
    try:
        session, day = _target(event)
        service.set_checked_in(registration, current_user, undo=undo, session=session, day_on=day,
                               late_correction=request.form.get("late_correction") == "1")
    except LateCorrectionNeeded as needed:
        if wants_json():
            return jsonify(error=str(needed), reason=needed.reason, confirm=True), 409
        return render_template("registrations/checkin_confirm.html", event=event, registration=registration,
                               message=str(needed), form=request.form, back=url_for("registrations.checkin", **args))
    except RegistrationError as error:
        if wants_json():
            return jsonify(error=str(error), reason=getattr(error, "reason", "refused")), 422
        flash(str(error), "danger")
        return redirect(url_for("registrations.checkin", **args))
    name = registration.user.name
    if wants_json():
        return jsonify(checked_in=not undo, name=name)
    flash(_("%(name)s: check-in undone.", name=name) if undo else _("%(name)s is checked in.", name=name),
          "info" if undo else "success")
    return redirect(url_for("registrations.checkin", **args) + f"#registration-{registration.id}")


@bp.post("/events/<int:event_id>/check-in/scan")
@login_required
def checkin_scan(event_id: int):
    """A badge read by the desk's scanner: check its person in for the desk's session or day."""
    event = get_managed_or_404(event_id, current_user)
    try:
        session, day = _target(event)
    except RegistrationError:
        session, day = None, None
    result = badges.scan(event, request.form.get("code") or "", current_user, session=session, day=day,
                         late_correction=request.form.get("late_correction") == "1")
    if wants_json():
        return jsonify(status=result.status, ok=result.ok, message=result.message, name=result.name,
                       registration_id=result.registration_id)
    flash(result.message, "success" if result.ok else "warning")
    return redirect(url_for("registrations.checkin", **_desk_args(event, request.form)))


@bp.get("/events/<int:event_id>/check-in/counts")
@login_required
def checkin_counts(event_id: int):
    """The desk's counters as JSON, polled by the page every few seconds."""
    event = get_managed_or_404(event_id, current_user)
    counters = checkin_desk.counters_for(event, int_arg("session"), request.args.get("day"))
    response = jsonify(counters=[counter.as_json() for counter in counters])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<int:event_id>/badges.pdf")
@login_required
def badge_sheet(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return Response(badges.sheet(event), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="badges-{event.id}.pdf"', "Cache-Control": "no-store"})


@bp.get("/events/<int:event_id>/badges/<int:registration_id>.pdf")
@login_required
def badge(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = registration_or_404(event, registration_id)
    return Response(badges.single(registration), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="badge-{event.id}-{registration.id}.pdf"',
        "Cache-Control": "no-store"})


@bp.get("/check-in/b/<token>")
@login_required
def badge_link(token: str):
    """A badge's address opened outside the scanner (a phone's camera app): an organiser of its event
    lands on the desk at that person; anyone else gets the same 404 as for a made-up token."""
    registration = badges.registration_for_token(token)
    if registration is None or not is_organiser_of(current_user, registration.event):
        abort(404)
    target = url_for("registrations.checkin", event_id=registration.event_id, q=registration.user.name)
    return redirect(f"{target}#registration-{registration.id}")
