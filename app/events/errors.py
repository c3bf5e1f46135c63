"""EventError, the broken planning rule every events service raises, and the guard that rolls the
transaction back when one is raised (so the views never touch the session)."""

from __future__ import annotations

import functools

from app.extensions import db


class EventError(Exception):
    """A broken planning rule, with the form field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def rolls_back_on_error(service):
    """Decorate a service: on EventError, roll back what it changed, then raise the error on."""

    @functools.wraps(service)
    def guarded(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except EventError:
            db.session.rollback()
            raise

    return guarded
