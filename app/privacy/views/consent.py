"""Consent to a registration an organiser made: the page, the answers, and the hook that sends a
signed-in person there until they have answered."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import is_safe_next, login_required
from app.api.problems import is_api_request
from app.negotiation import wants_json
from app.privacy.forms import ConfirmForm
from app.privacy.views import bp
from app.registrations.consent import agree, awaiting_consent, decline, has_awaiting_consent
from app.registrations.rules import RegistrationError
from app.roles import is_signed_in, unproxied

# Pages a person waiting to consent still reaches: the consent page and its answers, signing out,
# and their own data (what the consent is about).
NOT_ASKED_ON = {"privacy.consent", "privacy.consent_agree", "privacy.consent_remove", "accounts.logout",
                "privacy.my_data", "privacy.my_data_json", "registrations.privacy", "static"}


@bp.before_app_request
def _ask_for_consent():
    asked = request._get_current_object()  # (each look through the proxy finds the request again)
    endpoint = asked.endpoint
    if asked.method != "GET" or endpoint is None or endpoint in NOT_ASKED_ON:
        return None
    # The API answers with data, never a page to go to (app.api: a token's owner is asked on the site).
    if endpoint.endswith(".static") or wants_json() or is_api_request():
        return None
    user = unproxied(current_user)  # (each look through the proxy finds the user again)
    if not is_signed_in(user):
        return None
    if has_awaiting_consent(user):
        return redirect(url_for("privacy.consent", next=request.full_path.rstrip("?")))
    return None


@bp.get("/consent")
@login_required
def consent():
    registrations = awaiting_consent(current_user.id)
    next_url = request.args.get("next")
    if not registrations:
        return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
    return render_template("privacy/consent.html", registrations=registrations, form=ConfirmForm(),
                           next_url=next_url if is_safe_next(next_url) else "")


def _answer(answer, registration_id: int, message):
    form = ConfirmForm()
    if not form.validate():
        flash(_("Your form expired. Please answer again."), "warning")
        return redirect(url_for("privacy.consent"))
    try:
        registration = answer(registration_id, current_user)
    except RegistrationError as error:
        flash(str(error), "warning")
    else:
        flash(message(registration.event.title), "success")
    next_url = request.form.get("next")
    return redirect(url_for("privacy.consent", next=next_url) if is_safe_next(next_url)
                    else url_for("privacy.consent"))


@bp.post("/consent/<int:registration_id>/agree")
@login_required
def consent_agree(registration_id: int):
    return _answer(agree, registration_id, lambda title: _(
        "Thank you: your registration for %(title)s is kept. You may now give your needs on the event's page.",
        title=title))


@bp.post("/consent/<int:registration_id>/remove")
@login_required
def consent_remove(registration_id: int):
    return _answer(decline, registration_id, lambda title: _("You are removed from %(title)s.", title=title))
