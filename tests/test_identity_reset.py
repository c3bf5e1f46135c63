"""Password reset by email (issue 16): the same answer for every address, a signed link that expires
and works once, a new password under the policy, every session signed out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import timeutil
from app.accounts.models import User
from app.audit.models import AuditEntry
from tests import mailbox
from tests.factories import PASSWORD

NEW = "seven green ferries at noon"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ask(client, email):
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def _visible_text(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r'name="csrf_token"[^>]*', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _reset_link(email) -> str:
    return mailbox.link(mailbox.last(email, "account.password_reset"), "/password/reset/")


def test_sign_in_page_offers_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_forgot_password_answers_the_same_whether_or_not_the_address_has_an_account(app, make):
    make.user(email="known@police.example.ge")
    make.user(email="gone@police.example.ge", is_active_account=False)
    answers = [_ask(app.test_client(), email) for email in
               ("known@police.example.ge", "unknown@police.example.ge", "gone@police.example.ge", "not an address")]
    assert {a.status_code for a in answers} == {200}
    assert len({_visible_text(a) for a in answers}) == 1
    sent = mailbox.messages(kind="account.password_reset")  # only to the active account that exists
    assert len(sent) == 1 and sent[0].to[0].endswith("<known@police.example.ge>")


def test_reset_sets_the_password_signs_out_every_session_and_signs_in_fresh(app, make, login, db):
    user = make.user(email="pw@politia.example.md")
    laptop, phone = login(user), login(user)
    _ask(app.test_client(), "pw@politia.example.md")
    link = _reset_link("pw@politia.example.md")
    browser = app.test_client()
    form = browser.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.get_data(as_text=True)
    weak = browser.post(link, data={"password": "password"})
    assert weak.status_code == 422 and 'id="password-errors"' in weak.get_data(as_text=True)
    done = browser.post(link, data={"password": NEW})
    assert done.status_code == 302
    assert browser.get("/profile").status_code == 200                 # signed in, fresh
    assert laptop.get("/profile").status_code == 302                  # every other session is out
    assert phone.get("/profile").status_code == 302
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert app.test_client().post("/login", data={"email": user.email, "password": NEW}).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.password_reset"))


def test_a_reset_link_works_once(app, make):
    make.user(email="once@politia.example.md")
    _ask(app.test_client(), "once@politia.example.md")
    link = _reset_link("once@politia.example.md")
    assert app.test_client().post(link, data={"password": NEW}).status_code == 302
    again = app.test_client().post(link, data={"password": "another fine passphrase"})
    assert again.status_code == 400 and "not valid any more" in again.get_data(as_text=True)
    assert 'href="/password/forgot"' in again.get_data(as_text=True)
    assert app.test_client().post("/login", data={"email": "once@politia.example.md", "password": NEW}).status_code == 302


def test_a_reset_link_stops_working_when_the_password_changes_otherwise(app, make, login):
    user = make.user(email="change@politia.example.md")
    _ask(app.test_client(), "change@politia.example.md")
    link = _reset_link("change@politia.example.md")
    login(user).post("/profile/password", data={"password-current_password": PASSWORD, "password-password": NEW})
    assert app.test_client().get(link).status_code == 400


def test_a_reset_link_expires(app, make):
    timeutil.set_now(T0)
    make.user(email="late@politia.example.md")
    _ask(app.test_client(), "late@politia.example.md")
    link = _reset_link("late@politia.example.md")
    timeutil.set_now(T0 + timedelta(hours=app.config["PASSWORD_RESET_HOURS"], seconds=1))
    response = app.test_client().post(link, data={"password": NEW})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_tampered_reset_link_is_refused(app, make):
    make.user(email="tamper@politia.example.md")
    _ask(app.test_client(), "tamper@politia.example.md")
    link = _reset_link("tamper@politia.example.md")
    assert app.test_client().get(link[:-2] + ("xy" if not link.endswith("xy") else "zz")).status_code == 400
    assert app.test_client().get("/password/reset/" + "a" * 2000).status_code == 400


def test_a_completed_reset_confirms_the_address(app, make, db):
    user = make.user(email="unconfirmed@politia.example.md", email_confirmed_at=None)
    _ask(app.test_client(), "unconfirmed@politia.example.md")
    client = app.test_client()
    assert client.post(_reset_link("unconfirmed@politia.example.md"), data={"password": NEW}).status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).is_confirmed
    assert client.get("/my/events").status_code == 200
