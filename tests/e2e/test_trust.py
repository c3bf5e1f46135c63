"""Issue 16 in a real browser: a new account confirms its email from the link it was sent, asks to
join an organisation, and becomes a member only when that organisation's admin approves; the admin's
audit log shows each step."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.mailbox import confirm_link

NEW_PASSWORD = "quiet harbour lantern 42"


def test_sign_up_confirm_request_membership_and_be_approved(page, new_page, make):
    police = make.organisation("Moldovan Border Police")
    admin_of_police = make.organisation_admin(police, name="Ion Rusu", email="ion@border.md")
    make.user(role="admin", name="Network Admin", email="admin@liaison.example")

    # Sign up, asking to join: the page does not sign in, it says to check the mailbox.
    page.goto("/signup")
    page.get_by_label("Full name").fill("Elena Ceban")
    page.get_by_label("Email").fill("elena@border.md")
    page.get_by_label("Request membership of").select_option(label="Moldovan Border Police")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # The emailed link confirms the address; then she signs in and sees her request waiting.
    page.goto(confirm_link("elena@border.md"))
    sign_in(page, "elena@border.md", NEW_PASSWORD)
    page.goto("/profile")
    expect(page.get_by_test_id("membership-pending")).to_contain_text("Moldovan Border Police")

    # The organisation's admin approves it on the requests page reached from the navigation.
    admin_page = new_page()
    sign_in(admin_page, admin_of_police.email, PASSWORD)
    admin_page.wait_for_url("**/")
    admin_page.get_by_role("link", name="Membership requests").click()
    row = admin_page.locator("tr", has_text="Elena Ceban")
    row.get_by_role("button", name="Approve").click()
    expect(admin_page.locator("tr", has_text="Elena Ceban").get_by_role("button", name="End membership")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("membership-current")).to_contain_text("Moldovan Border Police")

    # The network admin reads the decision in the audit log, filtered to memberships.
    audit_page = new_page()
    sign_in(audit_page, "admin@liaison.example", PASSWORD)
    audit_page.wait_for_url("**/")
    audit_page.get_by_test_id("nav-manage").click()  # the admin's pages are under "Manage"
    audit_page.get_by_role("link", name="Audit log").click()
    audit_page.get_by_label("What").select_option("membership.approve")
    audit_page.get_by_role("button", name="Filter").click()
    approval = audit_page.locator("tbody tr", has_text="membership.approve")
    expect(approval).to_have_count(1)
    expect(approval).to_contain_text("Ion Rusu")
