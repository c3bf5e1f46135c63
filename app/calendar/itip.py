"""iTIP email producers (RFC 5546 / RFC 6047): invitations, updates and cancellations.

INTERFACE used by the events and registrations packages. Each function writes outbox messages in
the caller's transaction (through app.notifications.outbox.enqueue) and never commits.
The calendar issue implements them; until then they do nothing.
"""

from __future__ import annotations


def queue_invitation(registration) -> None:
    """METHOD:REQUEST to a confirmed participant (on confirmation, promotion or approval)."""


def queue_registration_cancel(registration) -> None:
    """METHOD:CANCEL to a participant whose registration was cancelled or rejected."""


def queue_event_update(event) -> None:
    """METHOD:REQUEST with the raised SEQUENCE to every confirmed participant (time/place/link changed)."""


def queue_event_cancel(event) -> None:
    """METHOD:CANCEL to every confirmed participant of a cancelled event."""


def queue_session_update(session) -> None:
    """METHOD:REQUEST for a session to the people signed up for it (its time or room changed)."""


def queue_session_cancel(session, user_ids=None) -> None:
    """METHOD:CANCEL for a removed session to the people signed up for it."""


def event_attachment(event, user=None):
    """An app.notifications.outbox.Attachment holding the event's .ics (METHOD:PUBLISH), for
    reminders and similar emails; None until the calendar issue implements it."""
    return None
