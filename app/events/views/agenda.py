"""An event's agenda: add, edit, remove and move its sessions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events import agenda, queries
from app.events.access import get_managed_or_404
from app.events.errors import EventError
from app.events.forms import SessionForm
from app.events.models import Session
from app.events.times import local_naive
from app.events.views import bp
from app.forms_common import form_status, saved

# --- agenda -------------------------------------------------------------------------------------


def _session_or_404(event, session_id: int, *, with_speakers: bool = False) -> Session:
    item = queries.session_of(event, session_id, with_speakers=with_speakers)
    if item is None:
        abort(404)
    return item


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def session_new(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = SessionForm(event=event)
    if request.method == "GET":
        last = max(event.sessions, key=lambda s: s.ends_at, default=None)
        start = local_naive(last.ends_at if last and last.ends_at < event.ends_at else event.starts_at, event.timezone)
        form.starts_at.data = start
    done = saved(form, lambda: agenda.add_session(current_user, event, form.values(), form.speaker_ids.data,
                                                  form.external_speakers.data),
                 _("The session is added to the agenda."),
                 url_for("events.detail", event_id=event.id, _anchor="agenda"), EventError)
    return done or (render_template("events/session_form.html", form=form, event=event, item=None), form_status())


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id, with_speakers=True)
    form = SessionForm(obj=item, event=event)
    if request.method == "GET":
        form.starts_at.data = local_naive(item.starts_at, event.timezone)
        form.ends_at.data = local_naive(item.ends_at, event.timezone)
        form.kind.data = item.kind.value
        form.speaker_ids.data = [s.user_id for s in item.speakers if s.user_id]
        form.external_speakers.data = agenda.external_speakers_text(item)
    done = saved(form, lambda: agenda.update_session(current_user, item, form.values(), form.speaker_ids.data,
                                                     form.external_speakers.data),
                 _("The session is saved."), url_for("events.detail", event_id=event.id, _anchor="agenda"), EventError)
    return done or (render_template("events/session_form.html", form=form, event=event, item=item), form_status())


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/delete")
@login_required
def session_delete(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id)
    try:
        agenda.delete_session(current_user, item)
    except EventError as error:
        flash(str(error), "danger")
    else:
        flash(_("The session is removed from the agenda."), "success")
    return redirect(url_for("events.detail", event_id=event_id, _anchor="agenda"))


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/move")
@login_required
def session_move(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id)
    if not agenda.move_session(current_user, item, request.form.get("direction", "")):
        flash(_("That session cannot move further."), "info")
    return redirect(url_for("events.detail", event_id=event_id, _anchor="agenda"))
