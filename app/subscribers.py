"""Reactions that travel up the layers: a higher package subscribes to a blinker signal a lower one
sends (see each package's `signals.py`). create_app imports this module once, so the web, the
scheduler, the CLI and the tests all run the same reactions."""

from app.accounts import membership as _accounts_membership  # noqa: F401  (email confirmed: grant by domain)
from app.calendar import on_events as _calendar_on_events  # noqa: F401
from app.calendar import on_registrations as _calendar_on_registrations  # noqa: F401
from app.contributions import event_page as _contributions_event_page  # noqa: F401  (the call's panel)
from app.events import on_facilities as _events_on_facilities  # noqa: F401  (a facility's page: events held there)
from app.registrations import on_events as _registrations_on_events  # noqa: F401
