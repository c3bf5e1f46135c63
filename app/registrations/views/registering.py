"""The participant's pages: the registration page, register, cancel, needs, session sign-ups, and
the privacy notice."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.cache import stamps
from app.events.access import get_visible_or_404
from app.events.models import Session
from app.events.urls import event_path
from app.forms_common import show_rule_error
from app.registrations import queries
from app.registrations.answers import own_answers
from app.registrations.cancelling import cancel_own, locked_visible
from app.registrations.forms import NeedsForm, RegistrationForm
from app.registrations.manage import update_needs
from app.registrations.question_forms import form_for, prefill
from app.registrations.register import Needs
from app.registrations.register import register as register_for
from app.registrations.rules import RegistrationError
from app.registrations.sessions import cancel_session_signup, sign_up_for_session
from app.registrations.views import bp
from app.registrations.views.helpers import next_or, registration_box
from app.registrations.waitlist import event_with_tally


def _needs(form) -> Needs:
    return Needs(form.dietary_needs.data, form.accessibility_needs.data, form.needs_visa_letter.data,
                 form.answers())


def _cancel_and_return(cancel_it, item, event, missing: str):
    """Cancel the viewer's registration or sign-up (`missing` when they have none), then go back."""
    if item is None:
        flash(missing, "warning")
    else:
        outcome = cancel_it(item, current_user)
        flash(outcome.message, "info" if outcome.ok else "danger")
    return redirect(next_or(event_path(event)))


@bp.get("/privacy-notice")
def privacy():
    return render_template("registrations/privacy.html")


@bp.get("/events/<int:event_id>/registration")
def status(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    return render_template("registrations/status.html", event=event, box=registration_box(event))


@bp.post("/events/<int:event_id>/register")
@stamps.not_read_by  # nothing here is read from the cache: the user's row comes without the stamps
@login_required
def register(event_id: int):
    # The event and its seat count in one statement; the event is then in the session, so the
    # visibility check below reads nothing more.
    _event, tally = event_with_tally(event_id, current_user)
    event = get_visible_or_404(event_id, current_user)
    form = form_for(RegistrationForm, event.id)
    if not form.validate():
        return render_template("registrations/status.html", event=event,
                               box=registration_box(event, form)), 422
    back = next_or(event_path(event))  # before the commit expires the event (no reload after it)
    outcome = register_for(event, current_user, form.role.data, _needs(form), consent=form.consent.data, tally=tally)
    flash(outcome.message, outcome.category)
    return redirect(back)


@bp.post("/events/<int:event_id>/registration/cancel")
@login_required
def cancel(event_id: int):
    # The event's first read is its lock (the registration is read under it).
    event = locked_visible(event_id, current_user)
    if event is None:
        abort(404)
    back = next_or(event_path(event))  # before the commit expires the event (no reload after it)
    outcome = cancel_own(event, current_user)
    if outcome is None:
        flash(_("You are not registered for this event."), "warning")
    else:
        flash(outcome.message, "info" if outcome.ok else "danger")
    return redirect(back)


@bp.route("/events/<int:event_id>/registration/needs", methods=["GET", "POST"])
@login_required
def needs(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = queries.own_active_registration(event.id, current_user.id)
    if registration is None:
        abort(404)
    form = form_for(NeedsForm, event.id, obj=registration)
    if request.method == "GET":
        prefill(form, own_answers(registration.id))
    if form.validate_on_submit():
        try:
            update_needs(registration, _needs(form), current_user)
        except RegistrationError as error:  # an organiser's registration the person has not agreed to yet
            show_rule_error(form, error)
        else:
            flash(_("Your needs are saved. Only the organisers see them."), "success")
            return redirect(event_path(event))
    return render_template("registrations/needs.html", event=event, form=form), (422 if form.errors else 200)


def _session_or_404(session_id: int) -> Session:
    item = queries.get_session(session_id)
    if item is None:
        abort(404)
    get_visible_or_404(item.event_id, current_user)
    return item


@bp.post("/sessions/<int:session_id>/signup")
@login_required
def session_signup(session_id: int):
    item = _session_or_404(session_id)
    event = item.event
    outcome = sign_up_for_session(item, current_user)
    flash(outcome.message, outcome.category)
    return redirect(next_or(event_path(event)))


@bp.post("/sessions/<int:session_id>/signup/cancel")
@login_required
def session_signup_cancel(session_id: int):
    item = _session_or_404(session_id)
    event = item.event
    signup = queries.own_signup(item.id, current_user.id)
    return _cancel_and_return(cancel_session_signup, signup, event, _("You are not signed up for this session."))
