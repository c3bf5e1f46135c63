"""What happens to registrations and session sign-ups that a higher package may react to (the
calendar sends invitations and cancellations: app/calendar/on_registrations.py).

Each signal is sent inside the transaction that makes the change, before its commit, at the place
the change happens; receivers add to the session (e.g. outbox messages) and never commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

registration_confirmed = _signals.signal("registration-confirmed")
"""A registration is confirmed (a new one, an approval, a promotion from the waiting list).
Sender: the registration. `sessions` (bool): also put the person's confirmed session sign-ups of
the event in their calendar (False when the caller knows there are none).
Also sent before the event lock for a stand-in of a first self-registration (an object with
`event`, `user`, `role`, `status`, `event_id` and `user_id`), so the invitation is rendered before
the lock: receivers must only add outbox messages then."""

registration_withdrawn = _signals.signal("registration-withdrawn")
"""A confirmed registration is cancelled or rejected: the event (and the sessions of it that were
put in the person's calendar) comes out of their calendar. Sender: the registration. `signups`
(optional): the person's sign-ups of the event's sessions, with their sessions, in id order — at
least every one in their calendar (sequence_sent set) — read by the sender in this transaction."""

session_signup_confirmed = _signals.signal("session-signup-confirmed")
"""A session sign-up is confirmed (on sign-up, or promoted from the session's waiting list).
Sender: the sign-up."""

session_signup_withdrawn = _signals.signal("session-signup-withdrawn")
"""A sign-up that was put in the person's calendar is cancelled. Sender: the sign-up; `session`:
its session."""
