"""Attendance: the attendance figures, the attendance sheet and the certificates (PDF). The
check-in desk is in views/checkin.py."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from flask_babel import force_locale
from flask_login import current_user

from app.accounts.auth import login_required
from app.directory.models import OrganisationType
from app.events.access import get_managed_or_404, get_visible_or_404, is_organiser_of
from app.events.place import TOWN, VENUE
from app.events.place import place as event_place
from app.i18n import current_language, format_pattern, supported
from app.registrations import attendance as service
from app.registrations import pdf, queries
from app.registrations.participant_list import confirmed_registrations
from app.registrations.views import bp
from app.registrations.views.participants import registration_or_404
from app.templating import country_name
from app.timeutil import to_local


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


@bp.get("/events/<int:event_id>/certificates/<int:registration_id>.pdf")
@login_required
def certificate(event_id: int, registration_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = registration_or_404(event, registration_id)
    if registration.user_id != current_user.id and not is_organiser_of(current_user, event):
        abort(403)
    if not service.can_get_certificate(registration):
        abort(404)
    # In the downloader's language, or the one chosen beside the link (?language=ka): a participant
    # from Georgia gets their certificate in Georgian or in English. An unknown value: the page's.
    language = supported(request.args.get("language")) or current_language()
    sessions = queries.attended_session_titles(registration.id)
    start = to_local(event.starts_at, event.timezone)
    end = to_local(event.ends_at, event.timezone)
    place = event_place(event, TOWN)
    issuer = event.host_organisation.name if event.host_organisation else current_app.config["SITE_NAME"]
    user = registration.user
    with force_locale(language):
        dates = format_pattern(start, "%d %B %Y") if start.date() == end.date() else (
            f"{format_pattern(start, '%d %B %Y')} – {format_pattern(end, '%d %B %Y')}")
        body = pdf.certificate(user.name, user.organisation.name if user.organisation else "", event.title, dates,
                               place, sessions, issuer)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{event.id}-{registration.id}-{language}.pdf"'})
