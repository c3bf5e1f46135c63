"""Calendar updates for changes to events and their sessions (subscribes to app.events.signals).

Each receiver writes the iTIP messages (invitation updates and cancellations) in the transaction
the events package is committing."""

from __future__ import annotations

from app.calendar import itip
from app.events import signals


@signals.event_changed.connect
def _send_event_update(event, **_kwargs) -> None:
    itip.queue_event_update(event)


@signals.event_cancelled.connect
def _send_event_cancel(event, **_kwargs) -> None:
    itip.queue_event_cancel(event)


@signals.session_changed.connect
def _send_session_update(session, **_kwargs) -> None:
    itip.queue_session_update(session)


@signals.session_removed.connect
def _send_session_cancel(session, **_kwargs) -> None:
    itip.queue_session_cancel(session)
