"""A person's own data: download it (readable page or JSON), delete the account."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts.auth import signed_in_required
from app.forms_common import show_rule_error
from app.privacy import export
from app.privacy.deletion import FORMER_MEMBER, PrivacyError, delete_own_account
from app.privacy.forms import DeleteAccountForm
from app.privacy.labels import field_label, section_title
from app.privacy.views import bp


def json_download(data: dict, user_id: int) -> Response:
    return Response(export.as_json(data), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="liaison-data-user-{user_id}.json"'})


@bp.get("/profile/my-data")
@signed_in_required
def my_data():
    data = export.collect(current_user)
    return render_template("privacy/data.html", data=data, sections=export.SECTIONS, subject=current_user,
                           json_url=url_for("privacy.my_data_json"), section_title=section_title,
                           field_label=field_label)


@bp.get("/profile/my-data.json")
@signed_in_required
def my_data_json():
    return json_download(export.collect(current_user), current_user.id)


@bp.route("/profile/delete", methods=["GET", "POST"])
@signed_in_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            delete_own_account(current_user, form.password.data)
        except PrivacyError as error:
            show_rule_error(form, error, "password")
        else:
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Thank you for taking part."), "info")
            return redirect(url_for("main.home"))
    return render_template("privacy/delete.html", form=form, former=FORMER_MEMBER, subject=current_user,
                           own=True), (422 if form.errors else 200)
