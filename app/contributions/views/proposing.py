"""The call as participants use it: the proposals list, proposing, editing, withdrawing, supporting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.contributions import proposing, queries
from app.contributions.access import ContributionError, may_propose, may_see_proposals
from app.contributions.calls import call_of
from app.contributions.forms import ProposalForm
from app.contributions.views import bp
from app.events.access import get_visible_or_404, is_organiser_of
from app.forms_common import form_status, saved
from app.timeutil import now


def event_for_proposals(event_id: int):
    """The event, if the viewer may see its proposals (its organisers, those who may propose)."""
    event = get_visible_or_404(event_id, current_user)
    if not may_see_proposals(current_user, event):
        abort(403)
    return event


def proposal_or_404(event, proposal_id: int):
    proposal = queries.proposal_of(event, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _data(form) -> proposing.ProposalData:
    return proposing.ProposalData(form.kind.data, form.session_kind.data, form.title.data, form.description.data)


def list_url(event) -> str:
    return url_for("contributions.proposals", event_id=event.id)


@bp.get("/events/<int:event_id>/proposals")
@login_required
def proposals(event_id: int):
    event = event_for_proposals(event_id)
    organiser = is_organiser_of(current_user, event)
    call = call_of(event)
    listing = queries.proposal_list(event, call, current_user, organiser=organiser)
    return render_template("contributions/proposals.html", event=event, listing=listing, organiser=organiser,
                           is_open=bool(call and call.is_open(now())),
                           may_propose=may_propose(current_user, event))


@bp.route("/events/<int:event_id>/proposals/new", methods=["GET", "POST"])
@login_required
def propose(event_id: int):
    event = event_for_proposals(event_id)
    call = call_of(event)
    if call is None or not may_propose(current_user, event):
        abort(403)
    form = ProposalForm()
    done = saved(form, lambda: proposing.propose(event, current_user, _data(form)),
                 _("Thank you: your proposal is in. Others can now support it."), list_url(event), ContributionError)
    return done or (render_template("contributions/proposal_form.html", form=form, event=event, call=call,
                                    proposal=None), form_status())


@bp.route("/events/<int:event_id>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int, proposal_id: int):
    event = event_for_proposals(event_id)
    proposal = proposal_or_404(event, proposal_id)
    if proposal.proposer_id != current_user.id:
        abort(403)
    form = ProposalForm(obj=proposal)
    done = saved(form, lambda: proposing.edit(proposal, current_user, _data(form)),
                 _("Your proposal is saved."), list_url(event), ContributionError)
    return done or (render_template("contributions/proposal_form.html", form=form, event=event,
                                    call=call_of(event), proposal=proposal), form_status())


def _act(event, action, message: str):
    try:
        changed = action()
    except ContributionError as error:
        flash(str(error), "danger")
    else:
        flash(message if changed is not False else _("Nothing to change."), "success" if changed is not False
              else "info")
    return redirect(list_url(event))


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(event_id: int, proposal_id: int):
    event = event_for_proposals(event_id)
    proposal = proposal_or_404(event, proposal_id)
    return _act(event, lambda: proposing.withdraw(proposal, current_user), _("Your proposal is withdrawn."))


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/support")
@login_required
def support(event_id: int, proposal_id: int):
    event = event_for_proposals(event_id)
    proposal = proposal_or_404(event, proposal_id)
    return _act(event, lambda: proposing.support(proposal, current_user), _("You support this proposal."))


@bp.post("/events/<int:event_id>/proposals/<int:proposal_id>/unsupport")
@login_required
def unsupport(event_id: int, proposal_id: int):
    event = event_for_proposals(event_id)
    proposal = proposal_or_404(event, proposal_id)
    return _act(event, lambda: proposing.withdraw_support(proposal, current_user),
                _("Your support is withdrawn."))
