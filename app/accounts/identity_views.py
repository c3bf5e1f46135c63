"""Proving who one is: the "check your email" page, confirmation links (sign-up, email change),
a new link on request, and password reset. Every answer about an address is the same whether or
not it has an account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import confirmation, reset
from app.accounts.auth import end_session, start_session
from app.accounts.errors import AccountError
from app.accounts.forms import AddressForm, NewPasswordForm, ResendForm
from app.extensions import limiter
from app.forms_common import show_rule_error

bp = Blueprint("identity", __name__)


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.get("/signup/check-email")
def check_email():
    return render_template("accounts/check_email.html", form=ResendForm())


@bp.get("/confirm")
def confirm_needed():
    """Where an unconfirmed account is sent: what to do, and a button for a new link."""
    if current_user.is_authenticated and current_user.is_confirmed:
        return redirect(url_for("main.home"))
    return render_template("accounts/confirm_needed.html", form=ResendForm())


@bp.post("/confirm/resend")
@limiter.limit(_limit)
def resend():
    form = ResendForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            confirmation.resend(current_user)
        else:
            confirmation.resend_to_address(form.email.data)
        flash(_("If that account still needs confirming, a new link is on its way. It can take a few minutes."),
              "info")
    return redirect(url_for("identity.confirm_needed"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    outcome = confirmation.confirm(token)
    if not outcome.ok:
        return render_template("accounts/link_problem.html", message=outcome.message, kind="confirm",
                               form=ResendForm()), 400
    flash(outcome.message, "success")
    if current_user.is_authenticated and outcome.user is not None and current_user.id == outcome.user.id:
        return redirect(url_for("main.home"))
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def forgot_password():
    form = AddressForm()
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        return redirect(url_for("identity.reset_sent"))
    return render_template("accounts/forgot.html", form=form), (422 if form.errors else 200)


@bp.get("/password/sent")
def reset_sent():
    return render_template("accounts/reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def reset_password(token: str):
    user, problem = reset.user_for_token(token)
    if user is None:
        return render_template("accounts/link_problem.html", message=str(problem), kind="reset",
                               form=ResendForm()), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset.reset_password(token, form.password.data)
        except AccountError as error:
            show_rule_error(form, error, "password")
        else:
            if current_user.is_authenticated:
                end_session()
            session.clear()  # a fresh session: every other one was signed out by the reset
            start_session(user)
            flash(_("Your password is set. Every other session has been signed out."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/reset.html", form=form, token=token), (422 if form.errors else 200)
