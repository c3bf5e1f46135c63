"""For the event's organisers: the certificates issued (revoked ones too), issuing them all,
revoking one with a reason, and the settings (rule, hours, issuer, logo and signature)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import login_required
from app.certificates import issue, overview, queries
from app.certificates.forms import IssueAllForm, RevokeForm, SettingsForm
from app.certificates.models import AttendanceRule
from app.certificates.settings import SettingsChange, save
from app.certificates.views import bp
from app.events.access import get_managed_or_404


@bp.get("/events/<int:event_id>/certificates")
@login_required
def issued(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return render_template("certificates/issued.html", event=event, certificates=queries.event_certificates(event.id),
                           rule_lines=overview.rule_for_event(event), form=IssueAllForm())


@bp.post("/events/<int:event_id>/certificates/issue")
@login_required
def issue_all(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    if not IssueAllForm().validate_on_submit():
        abort(400)
    result = issue.issue_all(event, current_user)
    flash(ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", result.issued)
          + " " + ngettext("%(num)d was issued before.", "%(num)d were issued before.", result.already), "success")
    return redirect(url_for("certificates.issued", event_id=event.id))


def _certificate_or_404(event, certificate_id: int):
    certificate = queries.of_event(event.id, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/events/<int:event_id>/certificates/revoke/<int:certificate_id>", methods=["GET", "POST"])
@login_required
def revoke(event_id: int, certificate_id: int):
    event = get_managed_or_404(event_id, current_user)
    certificate = _certificate_or_404(event, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            issue.revoke(certificate, current_user, form.reason.data)
        except issue.CertificateError as error:
            flash(str(error), "warning")
        else:
            flash(_("Certificate %(number)s is revoked.", number=certificate.number), "success")
        return redirect(url_for("certificates.issued", event_id=event.id))
    status = 422 if form.is_submitted() else 200
    return render_template("certificates/revoke.html", event=event, certificate=certificate, form=form), status


@bp.route("/events/<int:event_id>/certificates/settings", methods=["GET", "POST"])
@login_required
def settings(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    current = queries.settings_for(event.id)
    form = SettingsForm(obj=current)
    if form.is_submitted() and form.validate():
        logo, signature = form.cleaned_image("logo"), form.cleaned_image("signature")
        if not form.logo.errors and not form.signature.errors:
            save(event, SettingsChange(
                attendance_rule=AttendanceRule(form.attendance_rule.data), minimum_score=form.minimum_score.data,
                training_hours=form.training_hours.data, issuer_name=form.issuer_name.data,
                signatory_name=form.signatory_name.data, logo_png=logo, signature_png=signature,
                remove_logo=form.remove_logo.data, remove_signature=form.remove_signature.data,
            ), current_user)
            flash(_("Certificate settings saved."), "success")
            return redirect(url_for("certificates.issued", event_id=event.id))
    status = 422 if form.is_submitted() else 200
    return render_template("certificates/settings.html", event=event, form=form, current=current), status
