"""The organisers' own paragraph in their event's emails, with a preview (issue 23)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404
from app.forms_common import form_status, saved
from app.registrations import email_texts
from app.registrations.email_preview import previews
from app.registrations.email_text_form import EmailTextsForm
from app.registrations.rules import RegistrationError
from app.registrations.views import bp


@bp.route("/events/<int:event_id>/emails", methods=["GET", "POST"])
@login_required
def email_texts_page(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = EmailTextsForm()
    if request.method == "GET":
        form.fill(email_texts.texts_of(event.id))
    shown = None
    if request.form.get("action") == "preview":
        if form.validate_on_submit():
            shown = previews(event, form.paragraphs())
    else:
        done = saved(form, lambda: email_texts.save_texts(current_user, event, form.values()),
                     _("Your paragraphs are saved; the next emails carry them."),
                     url_for("registrations.email_texts_page", event_id=event.id), RegistrationError)
        if done:
            return done
    if shown is None and request.method == "GET":
        shown = previews(event, form.paragraphs())
    return render_template("registrations/email_texts.html", event=event, form=form, previews=shown), (
        form_status() if form.errors else 200)
