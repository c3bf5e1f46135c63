"""Backing off an SMTP server that fails as a whole, so it does not burn every message's attempts.

Delivery counts the server's own failures (refused, timed out, dropped, 421, credentials refused) in
a row in mail_server_states. From the MAIL_SERVER_FAILURES-th on, the server is left alone until
`backoff_until`: MAIL_SERVER_BACKOFF_SECONDS, doubling with each further failure, at most 15 minutes.
The first message the server accepts deletes the row. The messages themselves keep their attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.db import begin_write
from app.extensions import db
from app.notifications.models import MailServerState
from app.timeutil import now

MAX_BACKOFF_SECONDS = 15 * 60


def backoff_delay(failures: int, threshold: int, base_seconds: int) -> timedelta:
    """1, 2, 4 ... × base from the threshold-th failure in a row on, at most 15 minutes."""
    return timedelta(seconds=min(base_seconds * 2 ** max(failures - threshold, 0), MAX_BACKOFF_SECONDS))


def backed_off_until(server: str) -> datetime | None:
    """When delivery may try `server` again, if it is backed off now; None if it may be tried."""
    until = db.session.scalar(select(MailServerState.backoff_until).where(MailServerState.server == server))
    db.session.commit()
    return until if until is not None and until > now() else None


def _row(server: str) -> MailServerState:
    row = db.session.get(MailServerState, server, populate_existing=True)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = MailServerState(server=server, failures=0, updated_at=now())
            db.session.add(row)
        return row
    except IntegrityError:
        return db.session.get(MailServerState, server, populate_existing=True)


def record_failure(server: str, error: str, threshold: int, base_seconds: int) -> datetime | None:
    """Count one failure of the server; returns until when it is backed off (None: not yet)."""
    begin_write(db.session)
    row = _row(server)
    row.failures += 1
    row.last_error = error[:2000]
    row.updated_at = now()
    if row.failures >= threshold:
        row.backoff_until = now() + backoff_delay(row.failures, threshold, base_seconds)
    until = row.backoff_until
    db.session.commit()
    return until


def record_success(server: str) -> None:
    begin_write(db.session)
    db.session.execute(delete(MailServerState).where(MailServerState.server == server))
    db.session.commit()


def has_failures(server: str) -> bool:
    found = db.session.scalar(select(MailServerState.failures).where(MailServerState.server == server))
    db.session.commit()
    return bool(found)


def all_states() -> list[MailServerState]:
    """Every server with failures on record, for the admin's System page."""
    return list(db.session.scalars(select(MailServerState).order_by(MailServerState.server)).all())
