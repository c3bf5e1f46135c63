"""The admins' pages: the audit log, and a person's data export or account deletion on request."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role, User
from app.extensions import db
from app.forms_common import show_rule_error
from app.pagination import Page, paginate
from app.privacy import audit_log, export
from app.privacy.deletion import FORMER_MEMBER, PrivacyError, delete_on_request
from app.privacy.forms import RequestForm
from app.privacy.labels import field_label, section_title
from app.privacy.views import bp
from app.privacy.views.mine import json_download


@bp.get("/admin/audit")
@role_required(Role.ADMIN)
def audit():
    choices = audit_log.filter_choices()
    try:
        chosen = audit_log.parse_filter(request.args)
    except audit_log.AuditFilterError as error:
        empty = Page(items=[], page=1, per_page=audit_log.PER_PAGE, total=0)
        return render_template("privacy/audit.html", page=empty, field_label=field_label, choices=choices, args=request.args,
                               error=str(error), error_field=error.field), 400
    page = paginate(audit_log.audit_query(chosen), request.args.get("page"), per_page=audit_log.PER_PAGE)
    return render_template("privacy/audit.html", page=page, field_label=field_label, choices=choices, args=request.args, error=None,
                           error_field=None, chosen=chosen)


def _person_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.post("/admin/users/<int:user_id>/data")
@role_required(Role.ADMIN)
def user_data(user_id: int):
    user = _person_or_404(user_id)
    form = RequestForm()
    if not form.validate():
        flash(_("Say whose request this is (who asked, when, how) to produce their data."), "danger")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    fmt = "json" if form.format.data == "json" else "html"
    data = export.export_data(user, current_user, fmt, reason=form.reason.data)
    if fmt == "json":
        return json_download(data, user_id)
    return render_template("privacy/data.html", data=data, sections=export.SECTIONS, subject=user, json_url=None,
                           section_title=section_title, field_label=field_label)


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete_user(user_id: int):
    user = _person_or_404(user_id)
    if user.deleted_at is not None:
        abort(404)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            delete_on_request(user, current_user, form.reason.data)
        except PrivacyError as error:
            show_rule_error(form, error, "reason")
        else:
            flash(_("The account is deleted."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("privacy/delete.html", form=form, former=FORMER_MEMBER, subject=user, own=False), \
        (422 if form.errors else 200)
