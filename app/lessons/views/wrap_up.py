"""An event's wrap-up report for its organisers, on a page and as a download."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from app.accounts.auth import login_required
from app.assessments import queries as assessment_queries
from app.events import access as event_access
from app.lessons import export
from app.lessons.summaries.wrap_up import wrap_up as wrap_up_report
from app.lessons.summaries.wrap_up import wrap_up_document
from app.lessons.views import bp
from app.lessons.views.common import download


@bp.get("/events/<int:event_id>/wrap-up")
@login_required
def wrap_up(event_id: int):
    event = event_access.get_managed_or_404(event_id, current_user)
    data = wrap_up_report(current_user, event)
    needs = assessment_queries.needs_for_events(current_user, [event.id]).get(event.id, [])
    return render_template("lessons/wrap_up.html", event=event, data=data, formats=export.FORMATS, needs=needs)


@bp.get("/events/<int:event_id>/wrap-up/export/<fmt>")
@login_required
def wrap_up_export(event_id: int, fmt: str):
    event = event_access.get_managed_or_404(event_id, current_user)
    if fmt not in export.FORMATS:
        abort(404)
    document = wrap_up_document(event, wrap_up_report(current_user, event))
    return download(document, fmt, f"wrap-up-event-{event.id}")
