"""Attendance: the check-in list and its toggle, the attendance figures and the attendance sheet
(certificates: app.certificates)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.directory.models import OrganisationType
from app.events.access import get_managed_or_404
from app.events.place import VENUE
from app.events.place import place as event_place
from app.i18n import format_pattern
from app.registrations import attendance as service
from app.registrations import pdf, queries
from app.registrations.participant_list import checkin_page, confirmed_registrations
from app.registrations.rules import RegistrationError
from app.registrations.views import bp
from app.registrations.views.helpers import int_arg
from app.registrations.views.participants import registration_or_404
from app.templating import country_name
from app.web import wants_json


def _chosen(event, sessions):
    """The session (or else the day) the check-in list is for, from ?when=session:ID|day:DATE or
    ?session=ID / ?day=DATE."""
    when = request.args.get("when") or ""
    session_id = int_arg("session")
    day_value = request.args.get("day")
    if when.startswith("session:"):
        session_id = int(when[8:]) if when[8:].isdigit() else None
    elif when.startswith("day:"):
        day_value, session_id = when[4:], None
    chosen_session = next((s for s in sessions if s.id == session_id), None)
    day = None if chosen_session else service.day_of(event, day_value)
    return chosen_session, day


@bp.get("/events/<int:event_id>/check-in")
@login_required
def checkin(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    q = (request.args.get("q") or "").strip()[:100]
    sessions = queries.event_sessions(event.id)
    chosen_session, day = _chosen(event, sessions)
    page = checkin_page(event, q, request.args.get("page"))
    checked = queries.checked_in_ids([r.id for r in page.items], chosen_session, day)
    return render_template("registrations/checkin.html", event=event, page=page, q=q, day=day,
                           days=service.event_days(event), sessions=sessions, chosen_session=chosen_session,
                           checked=checked)


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>")
@login_required
def checkin_toggle(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = registration_or_404(event, registration_id)
    undo = request.form.get("action") == "undo"
    session_id = int_arg("session")
    args = {"event_id": event.id, "q": request.form.get("q") or None}
    try:
        if session_id:
            item = queries.get_session(session_id)
            if item is None or item.event_id != event.id:
                abort(404)
            args["session"] = item.id
            service.set_checked_in(registration, current_user, undo=undo, session=item)
        else:
            day = service.day_of(event, request.form.get("day") or "") if request.form.get("day") else None
            if day is None:
                raise RegistrationError(_("Choose a day of the event."))
            args["day"] = day.isoformat()
            service.set_checked_in(registration, current_user, undo=undo, day_on=day)
    except RegistrationError as error:
        if wants_json():
            return jsonify(error=str(error)), 422
        flash(str(error), "danger")
        return redirect(url_for("registrations.checkin", **args))
    name = registration.user.name
    if wants_json():
        return jsonify(checked_in=not undo, name=name)
    flash(_("%(name)s: check-in undone.", name=name) if undo else _("%(name)s is checked in.", name=name),
          "info" if undo else "success")
    return redirect(url_for("registrations.checkin", **args) + f"#registration-{registration.id}")


@bp.get("/events/<int:event_id>/attendance")
@login_required
def attendance(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return render_template("registrations/attendance.html", event=event,
                           figures=service.attendance_figures(event), days=service.event_days(event),
                           type_labels={t.value: t.label for t in OrganisationType})


@bp.get("/events/<int:event_id>/attendance-sheet.pdf")
@login_required
def attendance_sheet(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    day = service.day_of(event, request.args.get("day"))
    if day is None:
        abort(404)
    rows = [
        pdf.SheetRow(
            name=r.user.name,
            organisation=r.user.organisation.name if r.user.organisation else "",
            country=country_name(r.user.country or (r.user.organisation.country if r.user.organisation else None)),
        )
        for r in confirmed_registrations(event.id)
    ]
    place = event_place(event, VENUE)
    body = pdf.attendance_sheet(event.title, format_pattern(day, "%A %d %B %Y"), place, rows)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="attendance-{event.id}-{day.isoformat()}.pdf"'})
