"""The one shape of a broken rule: a message fit to show the user, and the form field it belongs to."""

from __future__ import annotations

import functools

from app.extensions import db


class RuleError(ValueError):
    """A rule was broken; the message is fit to show. `field` names the form field (None: the whole form).

    Each capability raises its own subclass (AccountError, EventError…) so callers catch only theirs."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def rolls_back_on(error_cls: type[Exception]):
    """Decorate a service: when it refuses (raises `error_cls`), roll back whatever it changed before
    re-raising, so the caller (a view, the CLI, the scheduler, a test) reads fresh state and goes on."""

    def decorate(service):
        @functools.wraps(service)
        def guarded(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except error_cls:
                db.session.rollback()
                raise

        return guarded

    return decorate
