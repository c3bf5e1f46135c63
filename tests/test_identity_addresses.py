"""Email addresses (issue 16): deliverable syntax, international domains stored in their IDNA form,
a local part the SMTP path cannot carry refused beside the field — everywhere an address is typed."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.emails import UNCARRIED, valid_address
from app.accounts.errors import AccountError
from app.accounts.models import User
from app.registrations.models import Invitation
from config import TestingConfig
from tests import mailbox

GOOD = "a quiet river at dawn"


def _signup(client, email):
    return client.post("/signup", data={"name": "Jürgen Weiß", "email": email, "organisation_id": "0",
                                        "password": GOOD})


def _field_errors(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-errors"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("typed, stored", [
    ("Olena@Пошта.укр", "olena@xn--80a1acn3a.xn--j1amh"),
    ("user@Bücher.example", "user@xn--bcher-kva.example"),
    ("  Plain.Name+tag@Police.Example.MD ", "plain.name+tag@police.example.md"),
])
def test_valid_address_normalises_international_domains(app, typed, stored):
    assert valid_address(typed) == stored


@pytest.mark.parametrize("typed", ["jürgen@polizei.example.de", "олена@npu.example.gov.ua"])
def test_valid_address_refuses_a_local_part_smtp_cannot_carry(app, typed):
    with pytest.raises(AccountError, match="cannot receive mail from Liaison"):
        valid_address(typed)


@pytest.mark.parametrize("typed", ["", "no-at-sign", "a@b", "two@@example.org", "a@-bad-.example", "x" * 250 + "@e.org",
                                   "tab\t@example.org"])
def test_valid_address_refuses_bad_syntax(app, typed):
    with pytest.raises(AccountError):
        valid_address(typed)


def test_sign_up_with_an_international_domain_is_accepted_and_confirmed_at_its_idna_form(client, db):
    assert _signup(client, "weiss@Bücher.example").status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "weiss@xn--bcher-kva.example"
    assert client.get(mailbox.confirm_link("weiss@xn--bcher-kva.example")).status_code == 302
    # Signing in with the address as the person types it finds the account.
    assert client.post("/login", data={"email": "weiss@bücher.example", "password": GOOD}).status_code == 302


def test_sign_up_with_a_non_ascii_local_part_is_refused_beside_the_field(client, db):
    response = _signup(client, "jürgen@polizei.example.de")
    assert response.status_code in (200, 422)
    assert str(UNCARRIED) in _field_errors(response.get_data(as_text=True), "email")
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert mailbox.messages() == []


def test_email_change_and_admin_edit_refuse_an_uncarried_address(make, login, db):
    user = make.user(email="plain@police.example.md")
    response = login(user).post("/profile/email", data={"email-email": "jürgen@police.example.md",
                                                         "email-current_password": "correct horse battery staple"})
    assert response.status_code == 422
    assert str(UNCARRIED) in _field_errors(response.get_data(as_text=True), "email-email")
    admin = make.user(role="admin")
    response = login(admin).post(f"/admin/users/{user.id}", data={
        "name": user.name, "email": "jürgen@police.example.md", "role": "member", "organisation_id": "0",
        "is_active": "y"})
    assert response.status_code in (200, 422) and str(UNCARRIED) in _field_errors(response.get_data(as_text=True), "email")
    db.session.rollback()
    assert db.session.get(User, user.id).email == "plain@police.example.md"


def test_cli_refuses_an_uncarried_address(runner, db):
    result = runner.invoke(args=["users", "create", "--email", "jürgen@police.example.md", "--name", "J",
                                 "--password", GOOD])
    assert result.exit_code != 0 and "cannot receive mail" in result.output


def test_invitation_list_refuses_an_uncarried_address_with_its_line_number(make, login, db):
    organiser = make.user(role="organiser")
    event = make.event(organisers=[organiser])
    response = login(organiser).post(f"/events/{event.id}/invitations", data={
        "emails": "ok@police.example.md\njürgen@polizei.example.de, Jürgen\nfine@Bücher.example",
        "role": "participant"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Line 2:" in page and "cannot receive mail from Liaison" in page
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_import_refuses_an_uncarried_address_per_row_with_its_line_number(make, login):
    organiser = make.user(role="organiser")
    event = make.event(organisers=[organiser])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["email", "name"], ["ok@police.example.md", "Ok"],
                                  ["jürgen@polizei.example.de", "Jürgen"], ["idn@Bücher.example", "Idn"]])
    response = login(organiser).post(f"/events/{event.id}/participants/import", data={
        "mode": "invite", "encoding": "auto", "file": (io.BytesIO(buffer.getvalue().encode()), "people.csv")},
        content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "2 valid rows, 1 row with problems" in page
    assert "<td>3</td>" in page and "cannot receive mail from Liaison" in page



def test_reset_and_resend_requests_are_rate_limited(app, database_url, isolated_limiter):
    limited = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "LOGIN_RATE_LIMIT": "3 per minute",
    })
    client = limited.test_client()
    codes = [client.post("/password/forgot", data={"email": f"n{n}@police.example.md"}).status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    codes = [client.post("/confirm/resend", data={"email": "n@police.example.md"}).status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert client.get("/password/forgot").status_code == 200
