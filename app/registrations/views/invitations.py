"""Invitations: the organiser's invitation list (invite, revoke) and the invited person's pages
(see, accept, decline, create an account for the invited address)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts import services as accounts
from app.accounts.auth import login_required, start_session
from app.accounts.forms import SignUpForm
from app.events.access import get_managed_or_404
from app.events.urls import event_path
from app.extensions import limiter
from app.forms_common import show_rule_error
from app.registrations import invitations as service
from app.registrations import queries
from app.registrations.forms import AcceptInvitationForm, InviteForm, parse_email_lines
from app.registrations.models import Invitation, ParticipantRole
from app.registrations.register import Needs
from app.registrations.rules import RegistrationError
from app.registrations.views import bp


@bp.route("/events/<int:event_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = InviteForm()
    if form.validate_on_submit():
        people, bad = parse_email_lines(form.emails.data)
        if bad:
            form.emails.errors.extend(bad)
        else:
            try:
                result = service.invite(event, people, current_user, ParticipantRole(form.role.data))
            except RegistrationError as error:
                form.emails.errors.append(str(error))
            else:
                sent = ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", len(result.invited))
                if result.skipped:
                    sent = _("%(sent)s Skipped: %(skipped)s", sent=sent, skipped="; ".join(result.skipped))
                flash(sent, "success" if result.invited else "info")
                return redirect(url_for("registrations.invitations", event_id=event.id))
    items = queries.event_invitations(event.id)
    return render_template("registrations/invitations.html", event=event, form=form, items=items), (
        422 if form.errors else 200
    )


@bp.post("/events/<int:event_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(event_id: int, invitation_id: int):
    event = get_managed_or_404(event_id, current_user)
    invitation = queries.event_invitation(event.id, invitation_id)
    if invitation is None:
        abort(404)
    try:
        service.revoke_invitation(invitation, current_user)
        flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "info")
    except RegistrationError as error:
        flash(str(error), "warning")
    return redirect(url_for("registrations.invitations", event_id=event.id))


def _invitation_or_404(token: str) -> Invitation:
    invitation = service.find_invitation(token)
    if invitation is None or invitation.event.status.value == "draft":
        abort(404)
    return invitation


@bp.get("/invitations/<token>")
def invitation(token: str):
    item = _invitation_or_404(token)
    has_account = accounts.find_by_email(item.email) is not None
    form = AcceptInvitationForm(formdata=None)
    return render_template("registrations/invitation.html", invitation=item, event=item.event, form=form,
                           has_account=has_account, waitlists=service.accepting_waitlists(item))


@bp.post("/invitations/<token>/accept")
@login_required
def accept_invitation(token: str):
    item = _invitation_or_404(token)
    form = AcceptInvitationForm()
    if not form.validate():
        return render_template("registrations/invitation.html", invitation=item, event=item.event, form=form,
                               has_account=True, waitlists=service.accepting_waitlists(item)), 422
    outcome = service.accept_invitation(
        item, current_user, Needs(form.dietary_needs.data, form.accessibility_needs.data, form.needs_visa_letter.data),
        consent=form.consent.data,
    )
    flash(outcome.message, outcome.category)
    if not outcome.ok:
        return redirect(url_for("registrations.invitation", token=token))
    return redirect(event_path(item.event))


@bp.post("/invitations/<token>/decline")
def decline_invitation(token: str):
    item = _invitation_or_404(token)
    try:
        service.decline_invitation(item, current_user if current_user.is_authenticated else None)
        flash(_("You declined the invitation. Thank you for letting the organisers know."), "info")
    except RegistrationError as error:
        flash(str(error), "warning")
    return redirect(url_for("registrations.invitation", token=token))


def _signup_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/invitations/<token>/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def invitation_signup(token: str):
    """Account creation for an invited address, the email prefilled and fixed."""
    item = _invitation_or_404(token)
    if current_user.is_authenticated or accounts.find_by_email(item.email) is not None:
        return redirect(url_for("registrations.invitation", token=token))
    form = SignUpForm(organisations=queries.organisations_by_name())
    if request.method == "GET":
        form.email.data = item.email
        form.name.data = item.name or ""
    else:
        form.email.data = item.email  # the invited address, whatever was posted
    if form.validate_on_submit():
        try:
            user = service.sign_up_invited(item, accounts.NewUser(
                email=item.email, name=form.name.data, password=form.password.data,
                organisation_id=form.organisation_id.data or None, country=form.country.data,
                timezone=current_app.config["DEFAULT_TIMEZONE"]))
        except accounts.AccountError as error:
            show_rule_error(form, error, "email")
        else:
            web_session.clear()
            start_session(user)
            flash(_("Your account is ready. You can now accept the invitation."), "success")
            return redirect(url_for("registrations.invitation", token=token))
    return render_template("registrations/invitation_signup.html", form=form, invitation=item,
                           event=item.event), (422 if form.errors else 200)
