"""The error every account rule raises (its own module, so the address check and the services share it)."""

from __future__ import annotations

from app.errors import RuleError


class AccountError(RuleError):
    """A broken account rule."""
