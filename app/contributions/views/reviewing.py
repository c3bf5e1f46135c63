"""The call as organisers run it: open it, review proposals, turn one into an agenda session."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.contributions import queries, review
from app.contributions.access import ContributionError
from app.contributions.calls import call_of, save_call
from app.contributions.forms import CallForm, DeclineForm, MergeForm
from app.contributions.views import bp
from app.contributions.views.proposing import list_url, proposal_or_404
from app.errors import RuleError
from app.events.access import get_managed_or_404
from app.events.forms import SessionForm
from app.events.times import local_naive
from app.forms_common import form_status, saved, show_rule_error


@bp.route("/events/<int:event_id>/call", methods=["GET", "POST"])
@login_required
def call_edit(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    call = call_of(event)
    form = CallForm(obj=call, event=event)
    if request.method == "GET" and call is not None:
        form.deadline_at.data = local_naive(call.deadline_at, event.timezone)
    done = saved(form, lambda: save_call(current_user, event, form.instants["deadline_at"], form.intro.data),
                 _("The call for contributions is saved."), list_url(event), ContributionError)
    return done or (render_template("contributions/call_form.html", form=form, event=event, call=call),
                    form_status())


def _review_page(event, proposal, decline_form=None, merge_form=None, status: int = 200):
    merge_form = merge_form or MergeForm()
    merge_form.target.choices = [(p.id, p.title) for p in queries.merge_targets(proposal)]
    return render_template("contributions/review.html", event=event, proposal=proposal,
                           decline_form=decline_form or DeclineForm(), merge_form=merge_form), status


@bp.get("/events/<int:event_id>/proposals/<int:proposal_id>")
@login_required
def review_page(event_id: int, proposal_id: int):
    event = get_managed_or_404(event_id, current_user)
    return _review_page(event, proposal_or_404(event, proposal_id))


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/accept")
@login_required
def accept(event_id: int, proposal_id: int):
    event = get_managed_or_404(event_id, current_user)
    proposal = proposal_or_404(event, proposal_id)
    try:
        review.accept(proposal, current_user)
    except ContributionError as error:
        flash(str(error), "danger")
        return redirect(url_for("contributions.review_page", event_id=event.id, proposal_id=proposal.id))
    flash(_("Accepted. The proposer is told; you can now put it on the agenda."), "success")
    return redirect(url_for("contributions.schedule", event_id=event.id, proposal_id=proposal.id))


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/decline")
@login_required
def decline(event_id: int, proposal_id: int):
    event = get_managed_or_404(event_id, current_user)
    proposal = proposal_or_404(event, proposal_id)
    form = DeclineForm()
    done = saved(form, lambda: review.decline(proposal, current_user, form.note.data),
                 _("Declined. The proposer is told, with your note."), list_url(event), ContributionError)
    return done or _review_page(event, proposal, decline_form=form, status=422)


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/merge")
@login_required
def merge(event_id: int, proposal_id: int):
    event = get_managed_or_404(event_id, current_user)
    proposal = proposal_or_404(event, proposal_id)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            review.merge(proposal, queries.proposal_of(event, form.target.data), current_user)
        except ContributionError as error:
            show_rule_error(form, error)
        else:
            flash(_("Merged. Its supporters now support the other proposal."), "success")
            return redirect(list_url(event))
    return _review_page(event, proposal, merge_form=form, status=422)


@bp.route("/events/<int:event_id>/proposals/<int:proposal_id>/schedule", methods=["GET", "POST"])
@login_required
def schedule(event_id: int, proposal_id: int):
    event = get_managed_or_404(event_id, current_user)
    proposal = proposal_or_404(event, proposal_id)
    form = SessionForm(data=review.session_values(proposal) if request.method == "GET" else None, event=event)
    if request.method == "GET":
        form.speaker_ids.data = [proposal.proposer_id]
        last = max(event.sessions, key=lambda s: s.ends_at, default=None)
        form.starts_at.data = local_naive(last.ends_at if last and last.ends_at < event.ends_at
                                          else event.starts_at, event.timezone)
    done = saved(form, lambda: review.schedule(proposal, current_user, form.values(), form.speaker_ids.data,
                                               form.external_speakers.data),
                 _("The session is on the agenda; the proposer is told."),
                 url_for("events.detail", event_id=event.id, _anchor="agenda"), RuleError)
    return done or (render_template("events/session_form.html", form=form, event=event, item=None,
                                    proposal=proposal), form_status())
