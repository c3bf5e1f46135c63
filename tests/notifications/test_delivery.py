"""Outbox delivery over a real SMTP server: retries, dead messages, crashes and races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.notifications import delivery
from app.notifications.delivery import CLAIM_SECONDS, claim_batch, deliver_pending, retry_dead
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Attachment, Recipient, enqueue
from app.timeutil import set_now
from tests.notifications.smtp import RecordingHandler, SMTPServer, use_smtp

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queue(db, n: int, prefix: str = "Message") -> list[int]:
    ids = []
    for i in range(1, n + 1):
        message = enqueue(
            Recipient(f"person{i}@example.org", f"Person {i}"),
            f"{prefix} {i}",
            f"Text body {i}",
            f"<p>HTML body {i}</p>",
            attachments=[Attachment("list.csv", "text/csv", "name\nOlena\n")],
        )
        db.session.flush()
        ids.append(message.id)
    db.session.commit()
    return ids


def statuses(db) -> dict[str, str]:
    db.session.rollback()
    return {m.subject: m.status.value for m in db.session.scalars(select(OutboxMessage))}


def test_delivers_text_html_and_attachment_to_a_real_smtp_server(app, db, smtp):
    set_now(T0)
    queue(db, 2)

    report = deliver_pending()

    assert (report.sent, report.failed, report.dead) == (2, 0, 0)
    assert sorted(r.message["Subject"] for r in smtp.received) == ["Message 1", "Message 2"]
    first = next(r for r in smtp.received if r.message["Subject"] == "Message 1")
    assert first.rcpt_tos == ["person1@example.org"]
    assert first.mail_from == "no-reply@liaison.local"
    assert first.message["To"] == "Person 1 <person1@example.org>"
    assert first.message.get_body(("plain",)).get_content().strip() == "Text body 1"
    assert first.message.get_body(("html",)).get_content().strip() == "<p>HTML body 1</p>"
    attachments = list(first.message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [("list.csv", "text/csv")]
    assert attachments[0].get_content().replace("\r\n", "\n") == "name\nOlena\n"
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert {m.status for m in sent} == {OutboxStatus.SENT}
    assert {m.attempts for m in sent} == {1}
    assert all(m.sent_at == T0 and m.claimed_by is None for m in sent)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_credentials_from_configuration(app, db, monkeypatch):
    with SMTPServer(RecordingHandler(), credentials=("liaison", "s3cret")) as server:
        use_smtp(app, monkeypatch, server, MAIL_SMTP_USERNAME="liaison", MAIL_SMTP_PASSWORD="s3cret")
        queue(db, 1)
        assert deliver_pending().sent == 1
        assert server.logins == ["liaison"]
        assert len(server.received) == 1

        # Without credentials the server refuses to relay: recorded and retried, not lost.
        monkeypatch.setitem(app.config, "MAIL_SMTP_USERNAME", "")
        queue(db, 1, prefix="Second")
        report = deliver_pending()
        assert (report.sent, report.failed, report.deferred) == (0, 0, 1)
        failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject == "Second 1"))
        assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 0)  # our settings, not its fault
        assert "530" in failed.last_error
        assert len(server.received) == 1


def test_rejection_half_way_loses_nothing_and_sends_nothing_twice(app, db, smtp):
    """The server refuses the 3rd message for now (451): the others go out over the same connection,
    the 3rd is retried and then delivered."""
    set_now(T0)
    smtp.handler.reject = lambda n, _envelope: n == 3 and "451 4.3.0 Try again later"
    queue(db, 5)

    report = deliver_pending()

    assert (report.sent, report.failed, report.dead) == (4, 1, 0)
    assert statuses(db) == {
        "Message 1": "sent", "Message 2": "sent", "Message 3": "pending", "Message 4": "sent", "Message 5": "sent",
    }
    third = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject == "Message 3"))
    assert third.attempts == 1
    assert third.last_error == "SMTPDataError: 451 4.3.0 Try again later"
    assert third.next_attempt_at == T0 + timedelta(minutes=1)

    # Not due yet: nothing happens, nothing is repeated.
    assert deliver_pending().sent == 0
    set_now(T0 + timedelta(minutes=1))
    assert deliver_pending().sent == 1

    assert statuses(db) == {f"Message {i}": "sent" for i in range(1, 6)}
    subjects = [r.message["Subject"] for r in smtp.received]
    assert sorted(subjects) == [f"Message {i}" for i in range(1, 6)]
    assert len(set(smtp.handler.message_ids)) == 5


class CrashingTransport(delivery.SMTPTransport):
    """Dies (like a killed process) while sending the n-th message."""

    def __init__(self, config, crash_on: int):
        super().__init__(config)
        self.crash_on = crash_on
        self.calls = 0

    def send(self, email, message):
        self.calls += 1
        if self.calls == self.crash_on:
            raise KeyboardInterrupt("process killed")
        super().send(email, message)


def test_killed_mid_batch_loses_nothing_and_sends_nothing_twice(app, db, smtp):
    set_now(T0)
    queue(db, 5)

    with pytest.raises(KeyboardInterrupt):
        deliver_pending(transport=CrashingTransport(app.config, crash_on=3))

    assert statuses(db) == {
        "Message 1": "sent", "Message 2": "sent",
        "Message 3": "sending", "Message 4": "sending", "Message 5": "sending",
    }
    # The dead process's claims protect the messages until their deadline...
    assert deliver_pending().sent == 0
    # ...after which another delivery takes them back and sends each once.
    set_now(T0 + timedelta(seconds=CLAIM_SECONDS + 1))
    assert deliver_pending().sent == 3
    assert sorted(r.message["Subject"] for r in smtp.received) == [f"Message {i}" for i in range(1, 6)]
    assert len(set(smtp.handler.message_ids)) == 5


def test_temporary_refusals_retry_with_growing_delays_then_die_with_the_last_reply(app, db, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 4)
    smtp.handler.recipient_replies["person1@example.org"] = "451 4.2.0 Mailbox busy"
    set_now(T0)
    queue(db, 1)
    message = db.session.scalar(select(OutboxMessage))

    attempts_at = []
    instant = T0
    for _ in range(3):
        set_now(instant)
        report = deliver_pending()
        assert report.failed == 1
        db.session.refresh(message)
        assert message.status == OutboxStatus.PENDING
        attempts_at.append(instant)
        instant = message.next_attempt_at
        # Not before the retry time.
        set_now(instant - timedelta(seconds=1))
        assert deliver_pending().failed == 0

    delays = [b - a for a, b in zip(attempts_at, attempts_at[1:] + [instant], strict=True)]
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]

    set_now(instant)
    assert deliver_pending().dead == 1
    db.session.refresh(message)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 4
    assert message.last_error == "SMTPRecipientsRefused: person1@example.org: 451 4.2.0 Mailbox busy"
    # A dead message is never picked up again by itself.
    set_now(instant + timedelta(days=30))
    assert deliver_pending().failed == deliver_pending().dead == 0

    assert retry_dead() == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert message.last_error  # kept until it is sent
    assert smtp.received == []


def test_expired_claim_taken_over_is_not_sent_by_its_first_claimant(app, db):
    set_now(T0)
    ids = queue(db, 2)
    assert claim_batch(10, "first", at=T0) == ids
    assert claim_batch(10, "second", at=T0) == []  # claimed: nobody else gets them

    later = T0 + timedelta(seconds=CLAIM_SECONDS + 1)
    set_now(later)
    assert claim_batch(10, "second", at=later) == ids
    # The first claimant wakes up: its renewal before sending fails, so it does not send.
    assert delivery._renew_claim(ids[0], "first") is False
    assert delivery._renew_claim(ids[0], "second") is True


def test_two_deliveries_racing_send_each_message_exactly_once(app, db, smtp):
    queue(db, 40)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(3):
                    reports.append(deliver_pending(limit=15))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert sum(r.sent for r in reports) == 40
    ids = smtp.handler.message_ids
    assert len(ids) == 40 and len(set(ids)) == 40
    assert set(statuses(db).values()) == {"sent"}


def test_development_default_writes_eml_files(app, db, mail_dir):
    assert app.config["MAIL_BACKEND"] == "file"
    set_now(T0)
    queue(db, 1)
    assert deliver_pending().sent == 1
    files = list(mail_dir.glob("*.eml"))
    assert len(files) == 1
    assert b"Subject: Message 1" in files[0].read_bytes()


def test_outbox_is_written_in_the_transaction_of_the_change(app, db):
    """No message for a change that rolled back; a committed change has its message."""
    user = User(email="olena@example.org", name="Olena")
    db.session.add(user)
    enqueue(Recipient(user.email, user.name), "Welcome", "Hello")
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "olena@example.org")) is None
    assert db.session.scalars(select(OutboxMessage)).all() == []

    user = User(email="olena@example.org", name="Olena")
    db.session.add(user)
    enqueue(Recipient(user.email, user.name), "Welcome", "Hello")
    db.session.commit()
    assert db.session.scalar(select(User).where(User.email == "olena@example.org")) is not None
    assert [m.subject for m in db.session.scalars(select(OutboxMessage))] == ["Welcome"]


def test_dedupe_key_makes_a_producer_idempotent(app, db):
    assert enqueue(Recipient("a@example.org"), "Once", "x", dedupe_key="k1") is not None
    assert enqueue(Recipient("a@example.org"), "Once", "x", dedupe_key="k1") is None
    db.session.commit()
    assert enqueue(Recipient("a@example.org"), "Once", "x", dedupe_key="k1") is None
    db.session.commit()
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
