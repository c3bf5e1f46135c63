"""The organisers' "Learning results" page: Kirkpatrick's levels 1 (feedback), 2 (pre/post gain)
and 3 (the follow-up survey) of one event on one page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404
from app.learning import followup
from app.learning.results import event_results
from app.learning.scoring import BANDS
from app.learning.views import bp
from app.registrations.feedback import feedback_summary


@bp.get("/events/<int:event_id>/learning/results")
@login_required
def results(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return render_template("learning/results.html", event=event, scopes=event_results(event),
                           feedback=feedback_summary(event), follow_up=followup.summary(followup.survey_of(event)),
                           bands=[f"{low}–{min(high, 100)}" for low, high in BANDS])
