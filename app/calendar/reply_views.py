"""Routes of calendar replies: the emailed link that confirms a decline made in a calendar program,
and the template helpers that show organisers the replies (participant list, participant page)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.calendar import declines, reply_queries
from app.calendar.forms import ConfirmDeclineForm

bp = Blueprint("calendar_replies", __name__)


@bp.get("/calendar/decline/<token>")
def confirm_decline_page(token: str):
    reply, problem = declines.pending_decline(token)
    if reply is None:
        return render_template("calendar/decline.html", problem=problem), 400
    return render_template("calendar/decline.html", reply=reply, form=ConfirmDeclineForm())


@bp.post("/calendar/decline/<token>")
def confirm_decline(token: str):
    form = ConfirmDeclineForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = declines.confirm_decline(token)
    if not outcome.ok:
        return render_template("calendar/decline.html", problem=outcome.message), 400
    return render_template("calendar/decline.html", done=outcome.message, reply=outcome.reply)


@bp.app_template_global("calendar_replies_of_event")
def calendar_replies_of_event(event_id: int):
    return reply_queries.event_replies(event_id)


@bp.app_template_global("calendar_replies_of_registration")
def calendar_replies_of_registration(registration_id: int):
    return reply_queries.registration_replies(registration_id)
