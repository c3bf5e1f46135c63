"""Attendance: the attendance figures and the attendance sheet (PDF). The check-in desk is in
views/checkin.py; certificates are app.certificates."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from app.accounts.auth import login_required
from app.directory.models import OrganisationType
from app.events.access import get_managed_or_404
from app.events.place import VENUE
from app.events.place import place as event_place
from app.i18n import format_pattern
from app.registrations import attendance as service
from app.registrations import pdf
from app.registrations.participant_list import confirmed_registrations
from app.registrations.views import bp
from app.templating import country_name


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
