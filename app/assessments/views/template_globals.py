"""Template globals the assessments blueprint gives every template: the event page shows its
organisers which identified needs the event addresses (events cannot import assessments)."""

from __future__ import annotations

from flask_login import current_user

from app.assessments import queries
from app.assessments.views import bp


@bp.app_template_global()
def event_needs(event) -> list:
    """The needs `event` addresses, for the planning staff (organisers, coordinators, admins)."""
    return queries.needs_for_events(current_user, [event.id]).get(event.id, [])


@bp.app_template_global()
def questionnaires_to_answer() -> list:
    """For the home page: the open questionnaires the viewer was sent and has not submitted."""
    return queries.waiting_questionnaires(current_user)
