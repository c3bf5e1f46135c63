"""Feedback: the participant's form and the organiser's results."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404, get_visible_or_404
from app.registrations import feedback as service
from app.registrations import queries
from app.registrations.forms import FeedbackForm
from app.registrations.rules import RegistrationError
from app.registrations.views import bp


@bp.route("/events/<int:event_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_registration(event.id, current_user.id)
    problem = service.feedback_problem(event, registration)
    form = FeedbackForm()
    if problem is None and form.validate_on_submit():
        try:
            service.give_feedback(
                event, registration, overall=int(form.overall.data), relevance=int(form.relevance.data),
                organisation=int(form.organisation.data), what_worked=form.what_worked.data,
                what_to_improve=form.what_to_improve.data, is_anonymous=form.is_anonymous.data,
            )
        except RegistrationError as error:
            flash(str(error), "warning")
        else:
            flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("registrations.my_events"))
    code = 422 if form.errors else (403 if problem and request.method == "POST" else 200)
    return render_template("registrations/feedback.html", event=event, form=form, problem=problem), code


@bp.get("/events/<int:event_id>/feedback/results")
@login_required
def feedback_results(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return render_template("registrations/feedback_results.html", event=event,
                           summary=service.feedback_summary(event))
