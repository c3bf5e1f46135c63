"""Delivery of pending outbox messages: to .eml files (development) or over SMTP.

How a message is never sent twice, also when two deliveries race:
1. claim_batch() marks due messages SENDING with one conditional UPDATE ... RETURNING that names the
   claimant (`claimed_by`) and a deadline (`locked_until`). On PostgreSQL a concurrent UPDATE waits
   for the row lock and re-checks the WHERE clause, so the loser matches nothing; SQLite runs writers
   one at a time. Either way each message has one claimant.
2. Before sending a batch, the claimant renews its claims with another conditional UPDATE (still
   SENDING, still claimed by me) and commits, and again whenever a third of CLAIM_SECONDS has
   passed, so every send starts with most of its claim left. A message whose claim expired and was
   taken over by another delivery is not renewed, and this delivery skips it.
3. The outcome of each message is committed on its own, so a failure or a crash half-way through a
   batch loses nothing: what was sent stays SENT, what was not is retried (a claim left behind by a
   dead process is taken back after its deadline).

A run (deliver_pending) claims batch after batch while there is work, up to MAIL_RUN_SECONDS, over
one SMTP connection. What a failure means (permanent, temporary, the server's) is decided in
app.notifications.transport; a server that fails as a whole is backed off (app.notifications.server_state).

SMTP itself cannot be exactly-once: if the process dies after the server accepted a message but
before step 3 committed, the message goes out again after the claim deadline. It carries the same
Message-ID, so receiving systems can recognise the duplicate.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.db import begin_write as _begin_write
from app.extensions import db
from app.notifications import server_state
from app.notifications.mime import build_email
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.transport import (  # noqa: F401 - SMTPTransport, FileTransport: re-exported
    Failure,
    FileTransport,
    SendError,
    SMTPTransport,
    make_transport,
)
from app.timeutil import now

# How long a claim protects a message being sent; renewed before each send.
CLAIM_SECONDS = 300


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    # Messages put back untouched because the server itself failed (they keep their attempts).
    deferred: int = 0
    backed_off_until: datetime | None = None
    reached_deadline: bool = False

    def __str__(self) -> str:
        text = f"sent {self.sent}, failed {self.failed}, dead {self.dead}"
        if self.deferred:
            text += f", deferred {self.deferred} (server failed)"
        if self.backed_off_until:
            text += f"; server backed off until {self.backed_off_until:%Y-%m-%d %H:%M:%S} UTC"
        if self.reached_deadline:
            text += "; stopped at the run's deadline (more is waiting)"
        return text


def retry_delay(attempts: int, base_seconds: int = 60) -> timedelta:
    """Growing delays after the n-th failed attempt: 1, 2, 4, 8 ... minutes, capped at 6 hours."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


def new_claimant() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def begin_write() -> None:
    """End the current transaction and start one that takes SQLite's write lock up front
    (app.db.begin_write); PostgreSQL ignores it."""
    _begin_write(db.session)


def _claimable(instant: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= instant),
        # A claim whose process died mid-send: take it back after its deadline.
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until < instant),
    )


# Called in a claim's write transaction, before the claim; raises to refuse it (the scheduler's
# fencing token: a scheduler that lost its lease claims nothing more).
Fence = Callable[[], None]


def _check(fence: Fence | None) -> None:
    """Open a write transaction and let the caller's fence refuse it."""
    begin_write()
    if fence is not None:
        fence()


def claim_batch(limit: int, claimant: str, at: datetime | None = None, fence: Fence | None = None) -> list[int]:
    """Claim up to `limit` due messages for `claimant` and return their ids (oldest first).

    The candidates are read first, then claimed by ONE conditional UPDATE whose WHERE repeats the
    "due" condition: a message claimed, sent or rescheduled by someone else in between is not
    matched again (PostgreSQL re-evaluates the WHERE on rows changed by a concurrent transaction;
    SQLite serialises writers). RETURNING tells exactly which rows this claimant won.
    """
    instant = at or now()
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(_claimable(instant))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    if not candidates:
        return []
    _check(fence)
    won = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates))
        .where(_claimable(instant))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=claimant,
            locked_until=instant + timedelta(seconds=CLAIM_SECONDS),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(won)


def _renew_claims(message_ids: list[int], claimant: str, fence: Fence | None = None) -> set[int]:
    """Which of these are still mine? Extends their deadline in one UPDATE; a message whose claim
    expired and was taken over by another delivery is not among those returned."""
    if not message_ids:
        return set()
    _check(fence)
    mine = db.session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == claimant,
        )
        .values(locked_until=now() + timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return set(mine)


def _renew_claim(message_id: int, claimant: str, fence: Fence | None = None) -> bool:
    return message_id in _renew_claims([message_id], claimant, fence)


def _release(message_ids: list[int], claimant: str) -> None:
    """Give back claimed messages this run will not send (deadline, server backed off), untouched."""
    if not message_ids:
        return
    begin_write()
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == claimant,
        )
        .values(status=OutboxStatus.PENDING, locked_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass
class _Run:
    """One delivery run: its settings, its deadline (time.monotonic()) and what happened so far."""

    transport: object
    claimant: str
    deadline: float
    report: DeliveryReport
    sender: str
    max_attempts: int
    base_delay: int
    server_threshold: int
    server_base_delay: int
    # The server has failures on record: the first message it accepts clears them.
    clear_on_success: bool = False
    server_failing: bool = False
    stopped: bool = False

    @property
    def server(self) -> str | None:
        return getattr(self.transport, "server", None)


def _start_run(transport, run_seconds: float | None) -> _Run:
    config = current_app.config
    seconds = float(config.get("MAIL_RUN_SECONDS", 50) if run_seconds is None else run_seconds)
    run = _Run(
        transport=transport,
        claimant=new_claimant(),
        deadline=time.monotonic() + seconds,
        report=DeliveryReport(),
        sender=config["MAIL_FROM"],
        max_attempts=config["MAIL_MAX_ATTEMPTS"],
        base_delay=config.get("MAIL_RETRY_BASE_SECONDS", 60),
        server_threshold=max(int(config.get("MAIL_SERVER_FAILURES", 3)), 1),
        server_base_delay=int(config.get("MAIL_SERVER_BACKOFF_SECONDS", 60)),
    )
    transport.deadline = run.deadline
    if run.server:
        run.report.backed_off_until = server_state.backed_off_until(run.server)
        run.stopped = run.report.backed_off_until is not None
        run.clear_on_success = not run.stopped and server_state.has_failures(run.server)
    return run


def deliver_pending(
    limit: int = 100,
    transport=None,
    at: datetime | None = None,
    fence: Fence | None = None,
    run_seconds: float | None = None,
) -> DeliveryReport:
    """Send due messages batch after batch (`limit` each) while there is work, for at most
    `run_seconds` (MAIL_RUN_SECONDS), over one connection. Each outcome is committed on its own, so
    a crash half-way loses nothing. A server backed off (app.notifications.server_state) is left alone.

    `fence`, when given, is called inside the write transaction of every claim and claim renewal,
    before it, and raises to stop the run: the scheduler checks there that it still holds its
    lease, so a stale leader's claim is refused by the database.
    """
    transport = transport or make_transport()
    run = _start_run(transport, run_seconds)
    try:
        while not run.stopped:
            if time.monotonic() >= run.deadline:
                run.report.reached_deadline = True
                break
            batch = claim_batch(limit, run.claimant, at=at, fence=fence)
            if not batch:
                break
            _deliver_batch(run, batch, fence)
            # The server failed on the batch's last try: the messages put back wait for the next run.
            run.stopped = run.stopped or run.server_failing
    finally:
        transport.close()
    return run.report


def _load(message_ids: list[int]) -> dict[int, SimpleNamespace]:
    """The batch's messages as plain rows (one query): ORM objects would be expired and read again
    after every outcome's commit."""
    table = OutboxMessage.__table__
    rows = db.session.execute(select(table).where(table.c.id.in_(message_ids))).mappings().all()
    db.session.commit()  # no transaction stays open while talking to the SMTP server
    return {row["id"]: SimpleNamespace(**row) for row in rows}


def _deliver_batch(run: _Run, message_ids: list[int], fence: Fence | None = None) -> None:
    # Claims last CLAIM_SECONDS: renewed (in one UPDATE) now and whenever a third of that has passed,
    # so each send starts with two thirds of its claim left, and one taken over is never sent.
    renewed_at = time.monotonic()
    mine = _renew_claims(message_ids, run.claimant, fence)
    messages = _load(sorted(mine))
    for index, message_id in enumerate(message_ids):
        if not run.stopped and time.monotonic() >= run.deadline:
            run.report.reached_deadline = run.stopped = True
        if run.stopped:
            _release(message_ids[index:], run.claimant)
            return
        if time.monotonic() - renewed_at > CLAIM_SECONDS / 3:
            renewed_at, mine = time.monotonic(), _renew_claims(message_ids[index:], run.claimant, fence)
        if message_id not in mine or message_id not in messages:
            run.report.skipped += 1
            continue
        _deliver_one(run, messages.pop(message_id))


def _deliver_one(run: _Run, message: SimpleNamespace) -> None:
    email = build_email(message, run.sender)
    try:
        note = run.transport.send(email, message)
    except SendError as error:
        _record_failure(run, message, error.kind, error.reply)
    except Exception as error:  # noqa: BLE001 - a transport's own failure (a full disk): retried
        _record_failure(run, message, Failure.TEMPORARY, f"{type(error).__name__}: {error}")
    else:
        _record_sent(run, message, note)


def _write_outcome(message: SimpleNamespace, **values) -> None:
    begin_write()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(locked_until=None, claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_sent(run: _Run, message: SimpleNamespace, note: str | None) -> None:
    # `note`: the recipients refused while the others got it, if any.
    _write_outcome(message, status=OutboxStatus.SENT, attempts=message.attempts + 1, sent_at=now(), last_error=note)
    run.report.sent += 1
    run.server_failing = False
    if run.clear_on_success:
        server_state.record_success(run.server)
        run.clear_on_success = False


def _record_failure(run: _Run, message: SimpleNamespace, kind: Failure, reply: str) -> None:
    if kind is Failure.SERVER:
        # Not the message's fault: it keeps its attempts and stays due.
        _write_outcome(message, status=OutboxStatus.PENDING, last_error=reply[:2000])
        run.report.deferred += 1
        run.server_failing = True
        current_app.logger.warning("mail server %s failed: %s", run.server, reply)
        if run.server and time.monotonic() < run.deadline:  # a wait cut short by our deadline is no failure
            until = server_state.record_failure(run.server, reply, run.server_threshold, run.server_base_delay)
            run.clear_on_success = True
            if until is not None:
                run.report.backed_off_until, run.stopped = until, True
        return
    attempts = message.attempts + 1
    if kind is Failure.PERMANENT or attempts >= run.max_attempts:
        _write_outcome(message, status=OutboxStatus.DEAD, attempts=attempts, last_error=reply[:2000])
        run.report.dead += 1
        current_app.logger.error("outbox message %s is dead: %s", message.id, reply)
    else:
        next_attempt_at = now() + retry_delay(attempts, run.base_delay)
        _write_outcome(message, status=OutboxStatus.PENDING, attempts=attempts, last_error=reply[:2000],
                       next_attempt_at=next_attempt_at)
        run.report.failed += 1
        current_app.logger.warning("outbox message %s failed (attempt %s): %s", message.id, attempts, reply)


def retry_dead(message_ids: list[int] | None = None, commit: bool = True) -> int:
    """Put dead messages back in the queue (all, or the given ones). Starts its own write
    transaction; commits unless `commit=False` (the caller then adds e.g. an audit entry)."""
    begin_write()
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now(), locked_until=None,
                     claimed_by=None).execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return result.rowcount


def counts_by_status() -> dict[str, int]:
    """{"pending": n, "sending": n, "sent": n, "dead": n} in one GROUP BY query."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        counts[OutboxStatus(status).value] = count
    return counts
