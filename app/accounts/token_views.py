"""API tokens: a person's own (make one — its secret shown once —, list, revoke), and the admins'
list of every live token, where they revoke any."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import api_tokens
from app.accounts.auth import login_required, role_required
from app.accounts.errors import AccountError
from app.accounts.models import Role
from app.accounts.token_forms import ApiTokenForm, RevokeForm
from app.forms_common import show_rule_error

bp = Blueprint("api_tokens", __name__)


def _page(form: ApiTokenForm, secret: str | None = None, status: int = 200):
    return render_template("accounts/api_tokens.html", form=form, tokens=api_tokens.tokens_of(current_user),
                           secret=secret, revoke_form=RevokeForm(formdata=None)), status


@bp.get("/profile/api-tokens")
@login_required
def index():
    return _page(ApiTokenForm(formdata=None))


@bp.post("/profile/api-tokens")
@login_required
def create():
    form = ApiTokenForm()
    if form.validate():
        try:
            _token, secret = api_tokens.create_token(current_user, form.name.data, form.scopes.data)
        except AccountError as error:
            show_rule_error(form, error)
        else:
            # Shown on this answer only: never stored, never shown again.
            return _page(ApiTokenForm(formdata=None), secret=secret, status=201)
    return _page(form, status=422)


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = api_tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate():
        api_tokens.revoke(token, current_user)
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))


@bp.get("/admin/api-tokens")
@role_required(Role.ADMIN)
def admin_index():
    page = api_tokens.all_live_tokens(request.args.get("page"), per_page=50)
    return render_template("accounts/api_tokens_admin.html", page=page, revoke_form=RevokeForm(formdata=None))


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def admin_revoke(token_id: int):
    token = api_tokens.live_token(token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate():
        api_tokens.revoke(token, current_user)
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.admin_index"))
