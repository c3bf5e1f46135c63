"""What happens to events and their sessions, for the packages above events to react to.

Events sit low in the layers (accounts, directory → events → registrations → calendar…), so they
never call registrations or calendar code: they send these blinker signals and the higher packages
subscribe (app/registrations/on_events.py, app/calendar/on_events.py, connected once by
app/subscribers.py). Each signal's sender is the object it is about; receivers take it as their
first argument and further arguments by keyword (accept **kwargs: more may be added).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

event_changed = _signals.signal("event-changed", doc="""\
A published event's calendar entry changed: its title, start, end, time zone, place or online link
(events.planning.SEQUENCE_FIELDS), and its SEQUENCE was raised. Sender: the Event. Sent inside the
transaction that saves the edit, before the commit (receivers write in the same transaction).""")

event_cancelled = _signals.signal("event-cancelled", doc="""\
A published event was cancelled (status, reason, time and raised SEQUENCE are set). Sender: the
Event. Sent inside the cancelling transaction, before the commit.""")

capacity_changed = _signals.signal("capacity-changed", doc="""\
A published event's capacity changed (raised, lowered or removed). Sender: the Event; `actor`: the
User who changed it. Sent AFTER the edit is committed; receivers may commit their own work.""")

session_changed = _signals.signal("session-changed", doc="""\
A session of a published event changed what a calendar shows: its title, start, end or room
(events.agenda.SESSION_SEQUENCE_FIELDS), and its SEQUENCE was raised. Sender: the Session. Sent
inside the transaction that saves the edit, before the commit.""")

session_removed = _signals.signal("session-removed", doc="""\
A session of a published event is about to be deleted. Sender: the Session (still in the database).
Sent inside the deleting transaction, before the delete and the commit.""")

session_capacity_changed = _signals.signal("session-capacity-changed", doc="""\
A session with sign-up had its capacity or its sign-up setting changed. Sender: the Session;
`actor`: the User who changed it. Sent AFTER the edit is committed; receivers may commit.""")

event_page_context = _signals.signal("event-page-context", doc="""\
The event page (events.detail) is being built. Sender: the Event (visible to the viewer); `user`:
the viewer (current_user, maybe anonymous). Each receiver returns a dict of template context to add
to the page (None: nothing); the page merges them in order (see `values_from_signal`). The key
`show_online_link` (bool) also selects the cached main column, so it must depend only on the event
and the viewer. What a receiver needs of the event beyond its row (a count, whether it has some
row of the receiver's package) is best registered as a fact (app.events.page_facts): the page reads
it with the event, in the same statement.""")


def values_from_signal(results) -> dict:
    """Merge the dicts the receivers of a signal returned (`signal.send(...)`'s result)."""
    merged: dict = {}
    for _receiver, value in results:
        if value:
            merged.update(value)
    return merged
