"""Template globals the learning blueprint gives every template: the tests a participant may take
now (event page, my events)."""

from __future__ import annotations

from flask_login import current_user

from app.learning import queries
from app.learning.views import bp


@bp.app_template_global()
def event_tests(event) -> list:
    """The viewer's open tests and readable results of this event (none for visitors)."""
    return queries.participant_tests(current_user, [event]).get(event.id, [])


@bp.app_template_global()
def my_open_tests() -> list:
    """The viewer's tests open now or with results to read, over their recent events."""
    events = queries.recent_events_of(current_user)
    found = queries.participant_tests(current_user, events)
    return [entry for event in events for entry in found.get(event.id, [])]
