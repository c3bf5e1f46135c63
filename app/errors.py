"""The one shape of a broken rule: a message fit to show the user, and the form field it belongs to."""

from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken; the message is fit to show. `field` names the form field (None: the whole form).

    Each capability raises its own subclass (AccountError, EventError…) so callers catch only theirs."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
