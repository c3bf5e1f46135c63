"""The roster's pages: the filtered list, the country view, a facility's page, and its form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.facilities import queries, services
from app.facilities.access import may_add, may_curate, may_edit, may_see_contact, may_view
from app.facilities.forms import FacilityForm
from app.facilities.languages import language_names
from app.facilities.models import Facility, FacilityStatus
from app.facilities.signals import facility_page_context, values_from_signal
from app.forms_common import country_choices, form_status, show_rule_error
from app.pagination import paginate

bp = Blueprint("facilities", __name__, url_prefix="/facilities")
PER_PAGE = 20


def _facility_or_404(facility_id: int) -> Facility:
    facility = queries.load_facility(facility_id)
    if facility is None or not may_view(current_user, facility):
        abort(404)
    return facility


def _list_context(filters) -> dict:
    return {"filters": filters, "countries": country_choices(_("Any country")), "may_add": may_add(current_user),
            "may_see_archived": may_curate(current_user) or may_add(current_user),
            **queries.filter_choices(filters)}


@bp.get("/")
def index():
    filters = queries.FacilityFilters.from_args(request.args)
    page = paginate(queries.list_query(filters, current_user), request.args.get("page"), PER_PAGE)
    return render_template("facilities/index.html", page=page, **_list_context(filters))


@bp.get("/countries")
def countries():
    filters = queries.FacilityFilters.from_args(request.args)
    return render_template("facilities/countries.html", groups=queries.by_country(filters, current_user),
                           **_list_context(filters))


@bp.get("/<int:facility_id>")
def detail(facility_id: int):
    facility = _facility_or_404(facility_id)
    # The events and sessions held there come from the events package (app/events/on_facilities.py).
    held = values_from_signal(facility_page_context.send(facility, user=current_user))
    return render_template("facilities/detail.html", facility=facility, may_edit=may_edit(current_user, facility),
                           show_contact=may_see_contact(current_user),
                           languages=language_names(facility.language_codes), **held)


def _form(facility: Facility | None):
    form = FacilityForm(obj=facility)
    hostable = queries.hostable_organisations(current_user)
    if hostable is not None:
        form.organisation_id.fix_choices(hostable)
    if request.method == "GET" and facility is not None:
        form.kind.data = facility.kind.value
        form.languages.data = facility.language_codes
        form.theme_ids.data = [t.id for t in facility.themes]
    elif request.method == "GET" and hostable:
        form.organisation_id.data = hostable[0][0]
    if form.validate_on_submit():
        try:
            saved = services.save_facility(facility, current_user, form.values(), form.theme_ids.data)
        except services.FacilityError as error:
            show_rule_error(form, error, "name")
        else:
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("facilities.detail", facility_id=saved.id))
    return render_template("facilities/form.html", form=form, facility=facility), form_status()


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not may_add(current_user):
        abort(403)
    return _form(None)


@bp.route("/<int:facility_id>/edit", methods=["GET", "POST"])
@login_required
def edit(facility_id: int):
    facility = _facility_or_404(facility_id)
    if not may_edit(current_user, facility):
        abort(403)
    return _form(facility)


def _set_status(facility_id: int, status: FacilityStatus, message: str):
    facility = _facility_or_404(facility_id)
    if not may_edit(current_user, facility):
        abort(403)
    services.set_status(facility, current_user, status)
    flash(message, "success")
    return redirect(url_for("facilities.detail", facility_id=facility.id))


@bp.post("/<int:facility_id>/archive")
@login_required
def archive(facility_id: int):
    return _set_status(facility_id, FacilityStatus.ARCHIVED,
                       _("The facility is archived: events can no longer pick it."))


@bp.post("/<int:facility_id>/restore")
@login_required
def restore(facility_id: int):
    return _set_status(facility_id, FacilityStatus.ACTIVE, _("The facility is active again."))
