"""What registrations do when an event or session changes (subscribes to app.events.signals)."""

from __future__ import annotations

from app.events import signals
from app.registrations import event_page, waitlist


@signals.capacity_changed.connect
def _promote_event_waitlist(event, *, actor=None, **_kwargs) -> None:
    # A raised (or removed) capacity confirms people from the waiting list, who are told.
    waitlist.capacity_changed(event, actor)


@signals.session_capacity_changed.connect
def _promote_session_waitlist(session, *, actor=None, **_kwargs) -> None:
    waitlist.promote_session_waitlist(session, actor)


# The event page's registration facts, seats taken, the viewer's registration and the online-link rule.
signals.event_page_context.connect(event_page.page_context)
