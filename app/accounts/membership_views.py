"""Membership pages: a person's request (from the profile), and the organisation admins' page of
requests and members (network admins see every organisation's)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import membership, membership_queries
from app.accounts.auth import login_required
from app.accounts.membership_forms import (
    AdminToggleForm,
    ButtonForm,
    MembershipRequestForm,
    RejectForm,
)
from app.accounts.models import Membership
from app.directory.queries import all_organisations
from app.extensions import db
from app.forms_common import show_rule_error

bp = Blueprint("membership", __name__)


@bp.app_template_global("my_membership")
def _my_membership():
    """The profile's membership panel (read only when the profile template asks)."""
    return membership_queries.my_membership(current_user)


def _membership_or_404(membership_id: int) -> Membership:
    return db.get_or_404(Membership, membership_id)


def _back(item: Membership):
    if item.user_id == current_user.id:
        return redirect(url_for("accounts.profile"))
    return redirect(url_for("membership.requests", organisation=item.organisation_id))


@bp.route("/profile/membership", methods=["GET", "POST"])
@login_required
def request_membership():
    form = MembershipRequestForm(organisations=all_organisations())
    if form.validate_on_submit():
        try:
            item = membership.request_membership(current_user, form.organisation_id.data, actor=current_user)
        except membership.MembershipError as error:
            show_rule_error(form, error, "organisation_id")
        else:
            if item.status == membership.APPROVED:
                flash(_("You are a member of %(organisation)s: your email address is on its domain list.",
                        organisation=item.organisation.name), "success")
            else:
                flash(_("Your request to join %(organisation)s is sent to its admins.", organisation=item.organisation.name),
                      "success")
            return redirect(url_for("accounts.profile"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/membership_request.html", form=form), status


@bp.get("/memberships")
@login_required
def requests():
    if not membership_queries.administers_any(current_user):
        abort(403)
    organisation_id = request.args.get("organisation", type=int)
    if organisation_id is not None and not 0 < organisation_id < 2**31:
        organisation_id = None
    page = membership_queries.requests_page(current_user, organisation_id)
    return render_template("accounts/membership_requests.html", page=page, button=ButtonForm(),
                           is_network_admin=membership.is_network_admin(current_user))


@bp.post("/memberships/<int:membership_id>/approve")
@login_required
def approve(membership_id: int):
    item = _membership_or_404(membership_id)
    if not membership.may_decide(current_user, item):
        abort(403)
    if ButtonForm().validate_on_submit():
        try:
            membership.approve(item, current_user)
            flash(_("%(person)s is a member of %(organisation)s.", person=item.user.name,
                    organisation=item.organisation.name), "success")
        except membership.MembershipError as error:
            flash(str(error), "warning")
    return _back(item)


@bp.route("/memberships/<int:membership_id>/reject", methods=["GET", "POST"])
@login_required
def reject(membership_id: int):
    item = _membership_or_404(membership_id)
    if not membership.may_decide(current_user, item):
        abort(403)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            membership.reject(item, current_user, form.reason.data)
        except membership.MembershipError as error:
            show_rule_error(form, error, "reason")
        else:
            flash(_("The request of %(person)s is rejected; they are told why.", person=item.user.name), "info")
            return _back(item)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/membership_reject.html", form=form, item=item), status


@bp.post("/memberships/<int:membership_id>/end")
@login_required
def end(membership_id: int):
    """Leave (the member), withdraw a request (its author), or remove a member (a decider)."""
    item = _membership_or_404(membership_id)
    if not membership.may_end(current_user, item):
        abort(403)
    if ButtonForm().validate_on_submit():
        try:
            membership.end(item, current_user)
            flash(_("The membership of %(organisation)s has ended.", organisation=item.organisation.name), "info")
        except membership.MembershipError as error:
            flash(str(error), "warning")
    return _back(item)


@bp.post("/memberships/<int:membership_id>/admin")
@login_required
def toggle_admin(membership_id: int):
    """A network admin appoints or removes an organisation admin."""
    item = _membership_or_404(membership_id)
    if not membership.is_network_admin(current_user):
        abort(403)
    form = AdminToggleForm()
    if form.validate_on_submit():
        try:
            membership.set_admin(item, current_user, form.is_admin.data == "1")
            message = (_("%(person)s is now an admin of %(organisation)s.") if item.is_admin
                       else _("%(person)s is no longer an admin of %(organisation)s."))
            flash(message % {"person": item.user.name, "organisation": item.organisation.name}, "success")
        except membership.MembershipError as error:
            flash(str(error), "warning")
    return redirect(url_for("membership.requests", organisation=item.organisation_id))
