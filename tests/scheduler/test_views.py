"""The admin's system page: heartbeat, jobs, outbox counts, dead messages and retrying them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from app.scheduler import lease
from app.scheduler.runner import execute
from app.timeutil import set_now

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def add_messages(db, status: OutboxStatus, n: int, error: str | None = None) -> list[OutboxMessage]:
    messages = []
    for i in range(n):
        message = enqueue(Recipient(f"{status.value}{i}-{next(_numbers)}@example.org"),
                          f"{status.value} {i}", "body")
        message.status = status
        message.last_error = error
        message.attempts = 8 if status == OutboxStatus.DEAD else 0
        messages.append(message)
    db.session.commit()
    return messages


def test_only_admins_see_the_system_page(app, client, make, login):
    assert client.get("/admin/system/").status_code == 302
    for role in ("member", "organiser", "coordinator"):
        assert login(make.user(role=role)).get("/admin/system/").status_code == 403
        assert login(make.user(role=role)).post("/admin/system/outbox/retry-dead").status_code == 403
    assert login(make.user(role="admin")).get("/admin/system/").status_code == 200


def test_system_page_shows_heartbeat_jobs_outbox_and_dead_messages(app, db, make, login):
    set_now(T0)
    assert lease.acquire("web-1.example:pid 4242:abcd")
    execute("reminders", holder="web-1.example:pid 4242:abcd", next_run_at=T0 + timedelta(minutes=5))
    add_messages(db, OutboxStatus.PENDING, 2)
    add_messages(db, OutboxStatus.SENT, 3)
    add_messages(db, OutboxStatus.DEAD, 1, error="SMTPRecipientsRefused: {'x@example.org': (550, b'No such user')}")
    set_now(T0 + timedelta(seconds=20))

    page = login(make.user(role="admin", timezone="UTC")).get("/admin/system/").get_data(as_text=True)

    assert "Running" in page
    assert "web-1.example:pid 4242:abcd" in page
    assert "20 s ago" in page
    assert '<tr data-job="reminders">' in page
    assert "0 reminder(s) queued for 0 event(s)" in page
    assert "Mon 01 Jun 2026, 12:05 UTC" in page  # next run
    assert "Never run" in page  # the other jobs
    assert '<strong data-state="pending">2</strong>' in page
    assert '<strong data-state="sent">3</strong>' in page
    assert '<strong data-state="dead">1</strong>' in page
    assert "No such user" in page
    assert "Retry the 1 dead message" in page


def test_a_stopped_scheduler_shows_as_not_running(app, db, make, login):
    set_now(T0)
    lease.acquire("gone")
    set_now(T0 + timedelta(minutes=10))
    page = login(make.user(role="admin")).get("/admin/system/").get_data(as_text=True)
    assert "Not running" in page


def test_admin_retries_dead_messages_all_or_one(app, db, make, login):
    dead = add_messages(db, OutboxStatus.DEAD, 3, error="boom")
    admin = login(make.user(role="admin"))

    response = admin.post("/admin/system/outbox/retry-dead", data={"message_id": str(dead[0].id)})
    assert response.status_code == 302
    db.session.rollback()
    assert [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))] == [
        OutboxStatus.PENDING, OutboxStatus.DEAD, OutboxStatus.DEAD
    ]
    response = admin.post("/admin/system/outbox/retry-dead", follow_redirects=True)
    assert "2 messages queued again for delivery." in response.get_data(as_text=True)
    db.session.rollback()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.PENDING}
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.retry_dead")).all()) == 2

    # Rubbish in the form is refused without a 500.
    response = admin.post("/admin/system/outbox/retry-dead", data={"message_id": "1; DROP"}, follow_redirects=True)
    assert response.status_code == 200
    assert "could not be processed" in response.get_data(as_text=True)


def test_retry_needs_a_csrf_token(app, db, make, login, monkeypatch):
    add_messages(db, OutboxStatus.DEAD, 1, error="boom")
    admin = login(make.user(role="admin"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert admin.post("/admin/system/outbox/retry-dead").status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage)).status == OutboxStatus.DEAD


def _count_queries(db, client) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get("/admin/system/").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_system_page_query_count_does_not_grow_with_data(app, db, make, login):
    set_now(T0)
    lease.acquire("holder")
    admin = login(make.user(role="admin"))
    add_messages(db, OutboxStatus.DEAD, 2, error="x")
    execute("deliver_outbox", holder="holder")
    small = _count_queries(db, admin)
    add_messages(db, OutboxStatus.DEAD, 60, error="y")
    add_messages(db, OutboxStatus.PENDING, 30)
    for job in ("reminders", "post_event", "action_digest"):
        execute(job, holder="holder")
    large = _count_queries(db, admin)
    assert large == small
    assert small <= 10


def test_admin_reads_a_dead_message_and_retries_just_that_one(app, db, make, login):
    dead = add_messages(db, OutboxStatus.DEAD, 2, error="SMTPDataError: (554, b'<script>x</script>')")
    admin = login(make.user(role="admin"))
    page = admin.get(f"/admin/system/outbox/{dead[0].id}").get_data(as_text=True)
    assert dead[0].to[0] in page and "dead 0" not in page  # the envelope, not the subject (for recipients)
    assert "SMTPDataError: (554, b&#39;&lt;script&gt;x&lt;/script&gt;&#39;)" in page
    assert "Retry this message" in page

    response = admin.post("/admin/system/outbox/retry-dead",
                          data={"message_id": str(dead[0].id), "back": "message"})
    assert response.headers["Location"].endswith(f"/admin/system/outbox/{dead[0].id}")
    db.session.rollback()
    assert [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))] == [
        OutboxStatus.PENDING, OutboxStatus.DEAD
    ]
    assert admin.get("/admin/system/outbox/999999").status_code == 404
    assert login(make.user(role="coordinator")).get(f"/admin/system/outbox/{dead[0].id}").status_code == 403


def test_admin_diagnoses_a_dead_message_without_reading_what_it_says(app, db, make, login):
    """An email's subject and text are its recipient's: they name entries only the recipient may
    see and carry personal links (invitation, sign-in). The system pages show the envelope only."""
    secret = "https://liaison.test/invitations/secret-token-8841"
    message = enqueue(Recipient("author@example.org"), "Your entry was validated: Informant in port", secret,
                      f"<a href='{secret}'>accept</a>", kind="lesson_decision")
    message.status, message.attempts, message.last_error = OutboxStatus.DEAD, 8, "SMTPRecipientsRefused"
    db.session.commit()
    admin = login(make.user(role="admin"))
    for page in (admin.get("/admin/system/").get_data(as_text=True),
                 admin.get(f"/admin/system/outbox/{message.id}").get_data(as_text=True)):
        assert "author@example.org" in page and "lesson_decision" in page and "SMTPRecipientsRefused" in page
        assert "Informant in port" not in page and "secret-token-8841" not in page


def test_system_page_states_a_never_run_scheduler_and_a_failing_mail_server(app, db, make, login):
    from app.notifications.models import MailServerState

    set_now(T0)
    db.session.add(MailServerState(server="smtp.example.org:587", failures=3, updated_at=T0 - timedelta(minutes=5),
                                   backoff_until=T0 + timedelta(minutes=10), last_error="421 <busy> & try later"))
    db.session.commit()
    page = login(make.user(role="admin")).get("/admin/system/").get_data(as_text=True)
    assert "No scheduler has ever run. Start one with <code>flask scheduler run</code>." in page
    assert "Mail server <code>smtp.example.org:587</code>:" in page
    assert "3 failures of the server in a row" in page and "Delivery is paused until" in page
    assert "421 &lt;busy&gt; &amp; try later" in page  # the server's reply is text, never markup
