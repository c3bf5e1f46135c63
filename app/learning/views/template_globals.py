"""Template globals the learning blueprint gives every template: the tests a participant may take
now (event page, my events)."""

from __future__ import annotations

from flask_login import current_user

from app.events import page_facts
from app.learning import followup, queries
from app.learning.views import bp

UNKNOWN = object()


@bp.app_template_global()
def event_tests(event, registration=UNKNOWN) -> list:
    """The viewer's open tests and readable results of this event (none for visitors). The event
    page passes the viewer's registration it has already read: no query unless it is a confirmed
    participant's."""
    if registration is UNKNOWN:
        return queries.participant_tests(current_user, [event]).get(event.id, [])
    if not queries.takes_tests(registration) or page_facts.absent(event.id, queries.HAS_CHECKS):
        return []
    return queries.participant_tests(current_user, [event], confirmed={event.id}).get(event.id, [])


@bp.app_template_global()
def event_follow_up(event, registration=UNKNOWN) -> bool:
    """Whether the viewer may answer the event's follow-up survey now (a link on the event page)."""
    if registration is not UNKNOWN and not queries.takes_tests(registration):
        return False
    if page_facts.absent(event.id, queries.HAS_SURVEY):
        return False  # answer_problem's first rule: no survey, nothing to answer
    return followup.answer_problem(followup.survey_of(event), current_user) is None


@bp.app_template_global()
def my_open_tests(registrations=None) -> list:
    """The viewer's tests open now or with results to read, over their recent events (from
    `registrations`, every registration of the viewer, when the page has read them: "my events")."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    return queries.recent_tests(current_user, registrations)
