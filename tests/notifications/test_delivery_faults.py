"""Mail delivery under faults, against real servers: continuous runs over one connection, permanent
(5xx) and temporary (4xx) refusals, a server that is down, one that hangs, the run's deadline, the fence."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.notifications.delivery import SMTPTransport, deliver_pending
from app.notifications.models import MailServerState, OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from app.timeutil import set_now
from tests.notifications.smtp import free_port

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queue(db, n: int) -> None:
    for i in range(1, n + 1):
        enqueue(Recipient(f"person{i}@example.org"), f"Secret subject {i}", f"Restricted body {i}", kind="test_kind")
    db.session.commit()


def messages(db) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def server_state(db, port: int | None = None) -> MailServerState | None:
    db.session.rollback()
    query = select(MailServerState)
    if port is not None:
        query = query.where(MailServerState.server == f"127.0.0.1:{port}")
    return db.session.scalars(query).one_or_none()


class HangingServer:
    """Accepts TCP connections and never says a word (a stuck mail server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()
        for connection in self.accepted:
            connection.close()


def point_at(app, monkeypatch, port: int, **extra) -> None:
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": port,
                "MAIL_SMTP_STARTTLS": False, "MAIL_SMTP_SSL": False, "MAIL_SMTP_USERNAME": "", **extra}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


def test_one_run_sends_batch_after_batch_over_one_connection(app, db, smtp):
    queue(db, 45)
    transport = SMTPTransport(app.config)

    report = deliver_pending(limit=10, transport=transport)

    assert report.sent == 45 and not report.reached_deadline
    assert len(set(smtp.handler.message_ids)) == 45
    assert transport.connections_opened == 1
    assert {m.status for m in messages(db)} == {OutboxStatus.SENT}


def test_permanent_refusals_die_at_once_with_the_servers_reply_and_the_connection_stays(app, db, smtp):
    set_now(T0)
    smtp.handler.recipient_replies["person2@example.org"] = "550 5.1.1 <person2@example.org>: No such user"
    smtp.handler.reject = lambda n, envelope: envelope.rcpt_tos == ["person4@example.org"] and (
        "554 5.7.1 Message refused by policy")
    queue(db, 5)
    transport = SMTPTransport(app.config)

    report = deliver_pending(transport=transport)

    assert (report.sent, report.failed, report.dead) == (3, 0, 2)
    assert transport.connections_opened == 1
    by_to = {m.to[0]: m for m in messages(db)}
    assert (by_to["person2@example.org"].status, by_to["person2@example.org"].attempts) == (OutboxStatus.DEAD, 1)
    assert by_to["person2@example.org"].last_error == (
        "SMTPRecipientsRefused: person2@example.org: 550 5.1.1 <person2@example.org>: No such user")
    assert by_to["person4@example.org"].status == OutboxStatus.DEAD
    assert by_to["person4@example.org"].last_error == "SMTPDataError: 554 5.7.1 Message refused by policy"
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
        "person1@example.org", "person3@example.org", "person5@example.org"]


def test_a_refused_sender_is_permanent(app, db, smtp, monkeypatch):
    async def refuse_sender(server, session, envelope, address, mail_options):
        return "553 5.7.1 Sender address rejected"

    monkeypatch.setattr(smtp.handler, "handle_MAIL", refuse_sender, raising=False)
    queue(db, 1)
    assert deliver_pending().dead == 1
    [message] = messages(db)
    assert message.last_error == "SMTPSenderRefused: 553 5.7.1 Sender address rejected"


def test_temporary_refusals_are_retried_and_the_admin_sees_replies_not_contents(app, db, smtp, make, login):
    set_now(T0)
    smtp.handler.recipient_replies["person1@example.org"] = "451 4.7.1 Greylisted, try again"
    smtp.handler.recipient_replies["person2@example.org"] = "550 5.1.1 No such user here"
    queue(db, 2)
    report = deliver_pending()
    assert (report.failed, report.dead) == (1, 1)
    greylisted, unknown = messages(db)
    assert (greylisted.status, greylisted.attempts) == (OutboxStatus.PENDING, 1)
    assert greylisted.next_attempt_at == T0 + timedelta(minutes=1)

    admin = login(make.user(role="admin", timezone="UTC"))
    page = admin.get("/admin/system/").get_data(as_text=True)
    assert "550 5.1.1 No such user here" in page and "person2@example.org" in page and "test_kind" in page
    detail = admin.get(f"/admin/system/outbox/{unknown.id}").get_data(as_text=True)
    assert "550 5.1.1 No such user here" in detail
    for text in (page, detail):
        assert "Secret subject" not in text and "Restricted body" not in text

    del smtp.handler.recipient_replies["person1@example.org"]
    set_now(T0 + timedelta(minutes=1))
    assert deliver_pending().sent == 1


def test_a_server_that_is_down_backs_off_and_messages_keep_their_attempts(app, db, smtp, monkeypatch, make, login):
    set_now(T0)
    working_port = smtp.port
    point_at(app, monkeypatch, free_port())  # nothing listens there
    queue(db, 20)

    transport = SMTPTransport(app.config)
    report = deliver_pending(transport=transport)

    assert (report.sent, report.failed, report.dead, report.deferred) == (0, 0, 0, 3)
    assert transport.connections_opened == 3  # MAIL_SERVER_FAILURES, not one per message
    assert report.backed_off_until == T0 + timedelta(seconds=60)
    assert {(m.status, m.attempts) for m in messages(db)} == {(OutboxStatus.PENDING, 0)}
    state = server_state(db)
    assert state.failures == 3 and "ConnectionRefusedError" in state.last_error
    page = login(make.user(role="admin", timezone="UTC")).get("/admin/system/").get_data(as_text=True)
    assert "Delivery is paused until Mon 02 Mar 2026, 09:01 UTC" in page

    # While backed off, delivery does not even connect.
    idle = SMTPTransport(app.config)
    assert deliver_pending(transport=idle).backed_off_until == T0 + timedelta(seconds=60)
    assert idle.connections_opened == 0
    # Still down after the pause: one more try, and a longer pause (doubling).
    set_now(T0 + timedelta(seconds=60))
    assert deliver_pending().backed_off_until == T0 + timedelta(seconds=180)
    assert server_state(db).failures == 4

    # A server with failures on record works again: everything goes out, each in one attempt, and
    # its record goes.
    monkeypatch.setitem(app.config, "MAIL_SMTP_PORT", working_port)
    db.session.merge(MailServerState(server=f"127.0.0.1:{working_port}", failures=4, updated_at=T0))
    db.session.commit()
    assert deliver_pending().sent == 20
    assert {m.attempts for m in messages(db)} == {1}
    assert server_state(db, working_port) is None


def test_a_hanging_server_costs_a_few_timeouts_not_batch_times_timeout(app, db, monkeypatch):
    set_now(T0)
    queue(db, 40)
    with HangingServer() as hanging:
        point_at(app, monkeypatch, hanging.port, MAIL_SMTP_TIMEOUT=0.5)
        started = time.monotonic()
        report = deliver_pending(limit=40)
        elapsed = time.monotonic() - started

        assert report.deferred == 3 and report.backed_off_until == T0 + timedelta(seconds=60)
        assert elapsed < 10, f"40 messages × 0.5 s would be 20 s; took {elapsed:.1f} s"
        assert len(hanging.accepted) == 3
    assert {(m.status, m.attempts, m.claimed_by) for m in messages(db)} == {(OutboxStatus.PENDING, 0, None)}
    assert "TimeoutError" in server_state(db).last_error or "timed out" in server_state(db).last_error


def test_a_run_ends_at_its_deadline_and_gives_back_what_it_claimed(app, db, monkeypatch):
    set_now(T0)
    queue(db, 30)
    with HangingServer() as hanging:
        point_at(app, monkeypatch, hanging.port, MAIL_SMTP_TIMEOUT=0.4, MAIL_SERVER_FAILURES=1000)
        started = time.monotonic()
        report = deliver_pending(limit=30, run_seconds=1)
        elapsed = time.monotonic() - started

    assert report.reached_deadline
    assert elapsed < 4, f"took {elapsed:.1f} s for a 1 s run"
    assert {(m.status, m.attempts) for m in messages(db)} == {(OutboxStatus.PENDING, 0)}


def test_a_connection_that_drops_is_reopened_once(app, db, smtp):
    smtp.handler.reject = lambda n, _envelope: n == 3 and "421 4.3.2 Service shutting down"
    queue(db, 5)
    transport = SMTPTransport(app.config)

    report = deliver_pending(transport=transport)

    assert report.sent == 5 and report.deferred == 0
    assert transport.connections_opened == 2
    assert {m.attempts for m in messages(db)} == {1}
    assert len(set(smtp.handler.message_ids)) == 5


def test_the_fence_is_checked_in_each_claim_and_renewal_and_stops_the_run(app, db, smtp):
    """The fence runs inside the write transaction of every claim and every claim renewal (two
    checks a batch here); the one refusing the third batch's claim stops the run."""
    queue(db, 25)
    checks = []

    class LeaseLost(Exception):
        pass

    def fence():
        checks.append(1)
        if len(checks) == 5:
            raise LeaseLost

    with pytest.raises(LeaseLost):
        deliver_pending(limit=10, fence=fence)
    assert len(smtp.received) == 20
    assert sorted(m.status.value for m in messages(db)).count("pending") == 5
