"""The admin's system page: the scheduler's heartbeat, each job's last and next run, the outbox."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.scheduler import queries, retry
from app.scheduler.forms import RetryDeadForm
from app.timeutil import now

bp = Blueprint("scheduler", __name__, url_prefix="/admin/system")

DEAD_SHOWN = 50


@bp.get("/")
@role_required(Role.ADMIN)
def status():
    return render_template("scheduler/status.html", **queries.system_status(DEAD_SHOWN), dead_shown=DEAD_SHOWN,
                           at=now(), form=RetryDeadForm())


@bp.get("/outbox/<int:message_id>")
@role_required(Role.ADMIN)
def outbox_message(message_id: int):
    """One message as it will be (or was) sent: for an admin finding out why it died."""
    message = queries.outbox_message_or_404(message_id)
    return render_template("notifications/message.html", message=message, form=RetryDeadForm())


@bp.post("/outbox/retry-dead")
@role_required(Role.ADMIN)
def retry_dead_messages():
    form = RetryDeadForm()
    if not form.validate_on_submit():
        flash(_("The request could not be processed. Please reload the page and try again."), "error")
        return redirect(url_for("scheduler.status"))
    ids = [int(form.message_id.data)] if form.message_id.data else None
    count = retry.retry_dead_messages(current_user, ids)
    flash(ngettext("%(num)d message queued again for delivery.", "%(num)d messages queued again for delivery.", count), "success")
    if ids and request.form.get("back") == "message":
        return redirect(url_for("scheduler.outbox_message", message_id=ids[0]))
    return redirect(url_for("scheduler.status"))
