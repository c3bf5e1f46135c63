"""A participant's certificates of an event: the page with the rule, and the PDFs (event and
training sessions), issued on first download. The holder and the event's organisers may open them."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from app.accounts.auth import login_required
from app.certificates import content, overview, queries
from app.certificates.issue import CertificateError, issue
from app.certificates.views import bp
from app.events.access import get_visible_or_404, is_organiser_of
from app.i18n import current_language, supported


def _registration_or_404(event, registration_id: int):
    registration = queries.registration_of(event.id, registration_id)
    if registration is None:
        abort(404)
    if registration.user_id != current_user.id and not is_organiser_of(current_user, event):
        abort(403)
    return registration


@bp.get("/events/<int:event_id>/certificates/<int:registration_id>")
@login_required
def mine(event_id: int, registration_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = _registration_or_404(event, registration_id)
    return render_template("certificates/mine.html", event=event, registration=registration,
                           overview=overview.overview(registration))


def _pdf(event, registration, session):
    try:
        certificate = issue(registration, session, current_user)
    except CertificateError:
        abort(404)
    # In the downloader's language, or the one chosen beside the link (?language=ka): a participant
    # from Georgia gets their certificate in Georgian or in English. An unknown value: the page's.
    language = supported(request.args.get("language")) or current_language()
    with force_locale(language):
        body = content.render_pdf(certificate, event)
    name = f"certificate-{certificate.number}-{language}.pdf"
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/events/<int:event_id>/certificates/<int:registration_id>.pdf")
@login_required
def event_pdf(event_id: int, registration_id: int):
    event = get_visible_or_404(event_id, current_user)
    return _pdf(event, _registration_or_404(event, registration_id), None)


@bp.get("/events/<int:event_id>/certificates/<int:registration_id>/sessions/<int:session_id>.pdf")
@login_required
def session_pdf(event_id: int, registration_id: int, session_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = _registration_or_404(event, registration_id)
    session = next((s for s in queries.training_sessions(event.id) if s.id == session_id), None)
    if session is None:
        abort(404)
    return _pdf(event, registration, session)
