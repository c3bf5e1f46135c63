"""Identified needs: recorded by an assessment's owners, read by the planning staff (organisers,
coordinators), turned into a planned event or linked to events that address them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required, role_required
from app.accounts.models import Role
from app.assessments import needs, queries
from app.assessments.access import is_owner, may_read_needs, owned_or_404
from app.assessments.building import AssessmentError
from app.assessments.forms import LinkEventForm, NeedForm
from app.assessments.views import bp
from app.forms_common import form_status, show_rule_error


def _need_form(**kwargs) -> NeedForm:
    return NeedForm(themes=queries.theme_choices(), **kwargs)


@bp.get("/needs")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def needs_index():
    return render_template("assessments/needs.html", needs=queries.all_needs(current_user))


@bp.route("/<int:assessment_id>/needs/new", methods=["GET", "POST"])
@login_required
def new_need(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    form = _need_form()
    if form.validate_on_submit():
        try:
            need = needs.record_need(current_user, assessment, form.to_data())
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Need recorded."), "success")
            return redirect(url_for("assessments.need", need_id=need.id))
    return render_template("assessments/need_form.html", form=form, assessment=assessment, need=None), form_status()


def _readable_need_or_404(need_id: int):
    need = queries.need_or_404(need_id)
    if not may_read_needs(current_user):
        abort(404)
    return need


def _owned_need_or_404(need_id: int):
    need = queries.need_or_404(need_id)
    if not is_owner(current_user, need.assessment):
        abort(404)
    return need


def _need_page(need, link_form=None, status: int = 200):
    owner = is_owner(current_user, need.assessment)
    if link_form is None and owner:
        link_form = LinkEventForm()
    if link_form is not None:
        link_form.event_id.choices = [(None, "—"), *queries.event_choices(current_user)]
    return render_template("assessments/need.html", need=need, owner=owner, link_form=link_form,
                           events=queries.visible_events(current_user, need)), status


@bp.get("/needs/<int:need_id>")
@login_required
def need(need_id: int):
    return _need_page(_readable_need_or_404(need_id))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(need_id: int):
    need = _owned_need_or_404(need_id)
    form = _need_form(obj=need)
    if form.validate_on_submit():
        try:
            needs.update_need(current_user, need, form.to_data())
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Need saved."), "success")
            return redirect(url_for("assessments.need", need_id=need.id))
    return render_template("assessments/need_form.html", form=form, assessment=need.assessment,
                           need=need), form_status()


@bp.post("/needs/<int:need_id>/plan")
@login_required
def plan_event(need_id: int):
    need = _owned_need_or_404(need_id)
    try:
        event = needs.plan_event(current_user, need)
    except AssessmentError as error:
        flash(str(error), "error")
        return redirect(url_for("assessments.need", need_id=need_id))
    flash(_("A draft training event was planned from the need. Set its dates and venue."), "success")
    return redirect(url_for("events.edit", event_id=event.id))


@bp.post("/needs/<int:need_id>/link")
@login_required
def link_event(need_id: int):
    need = _owned_need_or_404(need_id)
    form = LinkEventForm()
    form.event_id.choices = [(None, "—"), *queries.event_choices(current_user)]
    if form.validate_on_submit():
        try:
            needs.link_event(current_user, need, form.event_id.data)
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Event linked to the need."), "success")
            return redirect(url_for("assessments.need", need_id=need_id))
    return _need_page(need, form, 422)


@bp.post("/needs/<int:need_id>/events/<int:event_id>/unlink")
@login_required
def unlink_event(need_id: int, event_id: int):
    need = _owned_need_or_404(need_id)
    try:
        needs.unlink_event(current_user, need, event_id)
    except AssessmentError as error:
        flash(str(error), "error")
    else:
        flash(_("Event unlinked from the need."), "success")
    return redirect(url_for("assessments.need", need_id=need_id))
