"""Travel pages: a participant's own arrival, departure and accommodation, the organisers' arrivals
overview (and its export), the event's travel settings with the visa letter's template, and the
visa support letters as PDF (the participant's own; any of the event's for its own organisers)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404, get_visible_or_404
from app.events.urls import event_path
from app.forms_common import form_status, saved
from app.registrations.models import RegistrationStatus
from app.registrations.questions import questions_of
from app.registrations.rules import may_see_needs
from app.travel import exports, plans, queries
from app.travel.forms import PlanForm, SettingsForm
from app.travel.letter_pdf import letter_pdf
from app.travel.letters import PLACEHOLDERS

bp = Blueprint("travel", __name__)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _travel_helpers():
    return {"travel_flags": plans.flags_of}


def _plan_page(event, registration, back: str, own: bool):
    form = PlanForm(obj=plans.plan_of(registration.id))
    done = saved(form, lambda: plans.save_plan(registration, form.plan_data(), current_user),
                 _("The travel details are saved."), back)
    return done or (render_template("travel/plan.html", event=event, form=form, registration=registration,
                                    own=own, back=back), form_status())


@bp.route("/events/<int:event_id>/travel/mine", methods=["GET", "POST"])
@login_required
def my_plan(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_live_registration(event.id, current_user.id)
    if registration is None or not plans.flags_of(event.id).logistics_enabled:
        abort(404)
    return _plan_page(event, registration, event_path(event), own=True)


@bp.get("/events/<int:event_id>/travel")
@login_required
def overview(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    rows = queries.travel_rows(event.id)
    return render_template("travel/overview.html", event=event, days=queries.arrivals_by_day(rows),
                           count=len(rows), flags=plans.flags_of(event.id), show_letters=may_see_needs(current_user, event))


@bp.get("/events/<int:event_id>/travel/export")
@login_required
def export(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    rows = queries.travel_rows(event.id)
    if fmt == "csv":
        body, mimetype = exports.build_csv(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.build_xlsx(rows, event.title), XLSX_MIMETYPE
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="arrivals-event-{event.id}.{fmt}"'})


@bp.route("/events/<int:event_id>/travel/settings", methods=["GET", "POST"])
@login_required
def settings(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    current = plans.settings_of(event.id)
    form = SettingsForm(obj=current)
    form.offer(questions_of(event.id))
    done = saved(form, lambda: plans.save_settings(event, form.settings_data(), current_user),
                 _("The travel settings are saved."), url_for("travel.overview", event_id=event.id))
    return done or (render_template("travel/settings.html", event=event, form=form, placeholders=PLACEHOLDERS),
                    form_status())


@bp.route("/events/<int:event_id>/travel/<int:registration_id>", methods=["GET", "POST"])
@login_required
def edit_plan(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = queries.event_registration(event.id, registration_id)
    if registration is None:
        abort(404)
    return _plan_page(event, registration, url_for("travel.overview", event_id=event.id), own=False)


def _letter(event, registration) -> Response:
    current = plans.settings_of(event.id)
    if not current.letter_template:
        abort(404)
    body = letter_pdf(queries.letter_for(event, registration, current))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="visa-letter-{event.id}-{registration.id}.pdf"'})


@bp.get("/events/<int:event_id>/visa-letter")
@login_required
def my_letter(event_id: int):
    """The participant's own letter: a confirmed registration that asked for one."""
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_live_registration(event.id, current_user.id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED \
            or not registration.needs_visa_letter:
        abort(404)
    return _letter(event, registration)


@bp.get("/events/<int:event_id>/visa-letters/<int:registration_id>")
@login_required
def letter(event_id: int, registration_id: int):
    """Any participant's letter, for the event's own organisers (it holds sensitive answers)."""
    event = get_managed_or_404(event_id, current_user)
    if not may_see_needs(current_user, event):
        abort(403)
    registration = queries.event_registration(event.id, registration_id)
    if registration is None:
        abort(404)
    return _letter(event, registration)

