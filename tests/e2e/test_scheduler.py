"""An admin checks the system page and puts dead emails back in the queue, in a real browser."""

from __future__ import annotations

from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from app.scheduler import lease
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD


def test_admin_sees_the_scheduler_and_retries_dead_messages(page, make):
    from playwright.sync_api import expect

    make.user(role="admin", email="admin@liaison.test", name="Admin")
    lease.acquire("scheduler-host:pid 77:e2e")
    message = enqueue(Recipient("gone@example.org"), "Reminder: workshop", "body")
    message.status = OutboxStatus.DEAD
    message.attempts = 8
    message.last_error = "SMTPRecipientsRefused: 550 mailbox unavailable"
    db.session.commit()

    sign_in(page, "admin@liaison.test", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_test_id("nav-manage").click()  # the admin's pages are under "Manage"
    page.get_by_role("link", name="System").click()
    page.wait_for_url("**/admin/system/")
    expect(page.get_by_role("heading", name="System", exact=True)).to_be_visible()
    expect(page.get_by_test_id("lease-holder")).to_have_text("scheduler-host:pid 77:e2e")
    expect(page.get_by_text("550 mailbox unavailable")).to_be_visible()

    page.get_by_test_id("retry-all").click()
    expect(page.get_by_text("1 message queued again for delivery.")).to_be_visible()
    expect(page.get_by_test_id("no-dead")).to_be_visible()
    db.session.rollback()
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.PENDING
