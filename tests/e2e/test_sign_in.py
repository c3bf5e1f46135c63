from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD


def test_user_signs_in_and_sees_home_page(page, make):
    make.user(name="Nino Beridze", email="nino@police.ge")
    sign_in(page, "nino@police.ge", PASSWORD)
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Nino Beridze")).to_be_visible()
    assert page.get_by_test_id("nav-profile").inner_text().startswith("Nino Beridze")


def test_wrong_password_shows_error_beside_field(page, make):
    make.user(email="ana@mai.gov.md")
    sign_in(page, "ana@mai.gov.md", "not the password")
    expect(page.get_by_text("The email address or password is not right.")).to_be_visible()
