"""Planning an event: create, edit, publish, cancel, delete, clone and repeat it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import login_required, role_required
from app.accounts.models import Role
from app.accounts.permissions import can_create_events
from app.events import planning
from app.events.access import get_managed_or_404
from app.events.errors import EventError
from app.events.forms import CancelForm, CloneForm, EventForm, SeriesForm
from app.events.times import local_date
from app.events.views import bp
from app.forms_common import form_status, saved, show_rule_error
from app.i18n import format_pattern
from app.timeutil import to_local

ORGANISER_ROLES = (Role.ORGANISER, Role.COORDINATOR)


def _flash_overlaps(outcome) -> None:
    if outcome.overlaps:
        names = "; ".join(
            _("“%(title)s” (%(date)s)", title=other.title,
              date=format_pattern(to_local(other.starts_at, other.timezone), "%d %b %Y"))
            for other in outcome.overlaps
        )
        flash(_("Heads-up: this event overlaps with %(names)s (same country or organisers).", names=names),
              "warning")


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(*ORGANISER_ROLES)
def new():
    form = EventForm()
    if request.method == "GET" and current_user.timezone:
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        try:
            outcome = planning.create_event(
                current_user, form.values(), form.organiser_ids.data, form.project_ids.data, form.theme_ids.data
            )
        except EventError as error:
            show_rule_error(form, error)
        else:
            flash(_("The event is saved as a draft. Add its agenda, then publish it."), "success")
            _flash_overlaps(outcome)
            return redirect(url_for("events.detail", event_id=outcome.event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    if event.is_cancelled:
        flash(_("A cancelled event cannot be edited."), "warning")
        return redirect(url_for("events.detail", event_id=event.id))
    form = EventForm(obj=event)
    if request.method == "GET":
        for name, value in planning.local_form_values(event).items():
            getattr(form, name).data = value
        form.host_organisation_id.data = event.host_organisation_id or 0
        form.project_ids.data = [p.id for p in event.projects]
        form.theme_ids.data = [t.id for t in event.themes]
        form.organiser_ids.data = [u.id for u in event.organisers]
        form.kind.data, form.format.data = event.kind.value, event.format.value
        form.registration_mode.data = event.registration_mode.value
    if form.validate_on_submit():
        try:
            outcome = planning.update_event(
                current_user, event, form.values(), form.organiser_ids.data, form.project_ids.data,
                form.theme_ids.data,
            )
        except EventError as error:
            show_rule_error(form, error)
        else:
            flash(_("The event is saved.") if outcome.changes else _("Nothing changed."), "success")
            _flash_overlaps(outcome)
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event), status


@bp.post("/events/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    try:
        outcome = planning.publish(current_user, event)
    except EventError as error:
        flash(str(error), "danger")
    else:
        flash(_("The event is published."), "success")
        _flash_overlaps(outcome)
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = CancelForm()
    done = saved(form, lambda: planning.cancel(current_user, event, form.reason.data),
                 _("The event is cancelled. Participants are told."), url_for("events.detail", event_id=event.id),
                 EventError)
    return done or (render_template("events/cancel.html", form=form, event=event), form_status())


@bp.post("/events/<int:event_id>/delete")
@login_required
def delete(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    try:
        planning.delete_draft(current_user, event)
    except EventError as error:
        flash(str(error), "danger")
        return redirect(url_for("events.detail", event_id=event_id))
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("events.index"))


def _managed_by_event_creator(event_id: int):
    """Clone and series make new events: the event's organisers who may also create events."""
    event = get_managed_or_404(event_id, current_user)
    if not can_create_events(current_user):
        abort(403)
    return event


@bp.route("/events/<int:event_id>/clone", methods=["GET", "POST"])
@login_required
def clone(event_id: int):
    event = _managed_by_event_creator(event_id)
    form = CloneForm()
    if form.validate_on_submit():
        outcome = planning.clone(current_user, event, form.starts_on.data)
        flash(_("A draft copy is ready; its sessions moved with it. Check it, then publish it."), "success")
        _flash_overlaps(outcome)
        return redirect(url_for("events.detail", event_id=outcome.event.id))
    if request.method == "GET":
        form.starts_on.data = local_date(event.starts_at, event.timezone)
    status = 422 if request.method == "POST" else 200
    return render_template("events/clone.html", form=form, event=event), status


@bp.route("/events/<int:event_id>/series", methods=["GET", "POST"])
@login_required
def series(event_id: int):
    event = _managed_by_event_creator(event_id)
    form = SeriesForm()
    if request.method == "GET":
        first = local_date(event.starts_at, event.timezone)
        form.weekday.data = first.weekday()
        form.nth.data = min((first.day - 1) // 7 + 1, 4)
    if form.validate_on_submit():
        weekly = form.rule.data == "weekly"
        try:
            copies = planning.create_series(
                current_user, event, form.count.data,
                every_weeks=form.every_weeks.data if weekly else None,
                weekday=None if weekly else form.weekday.data,
                nth=None if weekly else form.nth.data,
            )
        except EventError as error:
            show_rule_error(form, error)
        else:
            flash(ngettext("%(num)d draft event created in the series. Publish it when ready.",
                           "%(num)d draft events created in the series. Publish each when ready.",
                           len(copies)), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/series.html", form=form, event=event), status
