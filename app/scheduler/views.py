"""The admin's system page: the scheduler's heartbeat, each job's last and next run, the outbox."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.audit import record as audit_record
from app.extensions import db
from app.notifications.delivery import counts_by_status, retry_dead
from app.notifications.models import OutboxMessage, OutboxStatus
from app.scheduler import lease
from app.scheduler.forms import RetryDeadForm
from app.scheduler.jobs import JOBS
from app.scheduler.models import JobRun
from app.timeutil import now

bp = Blueprint("scheduler", __name__, url_prefix="/admin/system")

DEAD_SHOWN = 50


@bp.get("/")
@role_required(Role.ADMIN)
def status():
    runs = {row.job_id: row for row in db.session.scalars(select(JobRun)).all()}
    dead = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(OutboxMessage.id.desc())
        .limit(DEAD_SHOWN)
    ).all()
    oldest_pending = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return render_template(
        "scheduler/status.html",
        lease=lease.state(),
        jobs=[(spec, runs.get(spec.id)) for spec in JOBS],
        counts=counts_by_status(),
        dead=dead,
        dead_shown=DEAD_SHOWN,
        oldest_pending=oldest_pending,
        at=now(),
        form=RetryDeadForm(),
    )


@bp.get("/outbox/<int:message_id>")
@role_required(Role.ADMIN)
def outbox_message(message_id: int):
    """One message as it will be (or was) sent: for an admin finding out why it died."""
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("notifications/message.html", message=message, form=RetryDeadForm())


@bp.post("/outbox/retry-dead")
@role_required(Role.ADMIN)
def retry_dead_messages():
    form = RetryDeadForm()
    if not form.validate_on_submit():
        flash("The request could not be processed. Please reload the page and try again.", "error")
        return redirect(url_for("scheduler.status"))
    ids = [int(form.message_id.data)] if form.message_id.data else None
    count = retry_dead(ids, commit=False)
    audit_record(current_user, "outbox.retry_dead", ("OutboxMessage", ids[0] if ids else None),
                 {"message_ids": ids or "all"}, summary=f"{count} dead message(s) queued again")
    db.session.commit()
    flash(f"{count} message(s) queued again for delivery.", "success")
    if ids and request.form.get("back") == "message":
        return redirect(url_for("scheduler.outbox_message", message_id=ids[0]))
    return redirect(url_for("scheduler.status"))
