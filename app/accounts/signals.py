"""What happens to accounts, for the code that reacts to it (memberships granted by email domain,
privacy). Each signal's sender is the User it is about; receivers accept **kwargs."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

email_confirmed = _signals.signal("email-confirmed", doc="""\
The owner of an account followed the signed link sent to its address: the account's email (new or
changed) is now verified (User.email_confirmed_at is set). Sender: the User. Sent inside the
confirming transaction, before the commit: receivers write in the same transaction.""")
