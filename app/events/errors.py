"""EventError, the broken planning rule every events service raises, and the guard that rolls the
transaction back when one is raised (so the views never touch the session)."""

from __future__ import annotations

from app.errors import RuleError, rolls_back_on


class EventError(RuleError):
    """A broken planning rule, with the form field it concerns (None: the whole form)."""


rolls_back_on_error = rolls_back_on(EventError)
