"""Sign up, sign in, sign out: a fresh session, safe `next`, rate limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from config import TestingConfig
from tests import mailbox
from tests.factories import PASSWORD

GOOD = "a quiet river at dawn"


def _signup(client, **overrides):
    data = {"name": "Olena Kovalenko", "email": "olena@npu.example.gov.ua", "organisation_id": "0",
            "country": "UA", "password": GOOD}
    data.update(overrides)
    return client.post("/signup", data=data)


def test_sign_up_creates_an_unconfirmed_member_who_confirms_by_the_emailed_link(client, db):
    response = _signup(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/check-email")
    assert "Check your email" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "olena@npu.example.gov.ua"))
    assert user.role.value == "member" and user.country == "UA" and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$") and GOOD not in user.password_hash
    # Following the link confirms the address; then the member signs in.
    assert client.get(mailbox.confirm_link("olena@npu.example.gov.ua")).status_code == 302
    assert client.post("/login", data={"email": "olena@npu.example.gov.ua", "password": GOOD}).status_code == 302
    assert "Welcome, Olena Kovalenko" in client.get("/").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, user.id).is_confirmed


def test_sign_up_with_a_taken_address_answers_as_for_a_new_one_and_tells_its_owner(client, make, db):
    make.user(email="ion.rusu@politia.example.md")
    response = _signup(client, email="Ion.RUSU@Politia.example.md")
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/check-email")
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert mailbox.last("ion.rusu@politia.example.md", "account.signup_exists")


@pytest.mark.parametrize("password, message", [
    ("short", "at least 8 characters"),
    ("password", "too common"),
    ("qwertyuiop", "too common"),
    ("olena@npu.example.gov.ua", "Do not use your name"),
])
def test_weak_passwords_are_refused_beside_the_field(client, db, password, message):
    response = _signup(client, password=password)
    html = response.get_data(as_text=True)
    errors = re.search(r'id="password-errors"[^>]*>(.*?)</div>\s*</div>', html, re.S)
    assert errors and message in errors.group(1)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_long_passphrase_without_composition_rules_is_accepted(client):
    assert _signup(client, password="correct horse battery staple").status_code == 302


def test_sign_in_and_sign_out(client, auth, make):
    make.user(name="Nino Beridze", email="nino@police.example.ge")
    assert auth.login("NINO@police.example.ge").status_code == 302
    assert "Welcome, Nino Beridze" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/profile").status_code == 302
    assert "Welcome to Liaison" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_give_the_same_answer(client, make):
    make.user(email="nino@police.example.ge")
    wrong = client.post("/login", data={"email": "nino@police.example.ge", "password": "not the one"})
    unknown = client.post("/login", data={"email": "nobody@police.example.ge", "password": "not the one"})
    assert wrong.status_code == unknown.status_code == 200
    assert "The email address or password is not right." in wrong.get_data(as_text=True)
    assert "The email address or password is not right." in unknown.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, make):
    make.user(email="gone@police.example.ge", is_active_account=False)
    assert client.post("/login", data={"email": "gone@police.example.ge", "password": PASSWORD}).status_code == 200


def _session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_sign_in_starts_a_new_session(app, client, make):
    user = make.user(email="giorgi@bpg.example.ge")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = _session_cookie(client)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    after = _session_cookie(client)
    assert before and after and before != after
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    # The pre-sign-in cookie carries no identity: replaying it gives an anonymous visitor.
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert replay.get("/profile").status_code == 302


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "/\\evil.com", "\\\\evil.com", "javascript:alert(1)",
    "http:/evil.com", "/\r\nLocation: https://evil.com", "///evil.com", " //evil.com", "/\t/evil.com",
])
def test_next_only_redirects_inside_this_site(client, make, target):
    user = make.user()
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/"), location


def test_next_to_a_local_page_is_followed(client, make):
    user = make.user()
    response = client.post("/login?next=/profile", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/profile"


def test_protected_page_sends_anonymous_visitor_to_sign_in_and_back(client, make):
    user = make.user()
    response = client.get("/profile")
    assert response.status_code == 302 and "/login?next=/profile" in response.headers["Location"]
    back = client.post(response.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert back.headers["Location"] == "/profile"



def test_sign_in_attempts_are_rate_limited(app, make, database_url, isolated_limiter):
    make.user(email="target@police.example.md")
    limited = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "LOGIN_RATE_LIMIT": "5 per minute",
    })
    client = limited.test_client()
    codes = [client.post("/login", data={"email": "target@police.example.md", "password": f"guess {n}"}).status_code
             for n in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    blocked = client.post("/login", data={"email": "target@police.example.md", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many requests" in blocked.get_data(as_text=True)
    # Reading the sign-in page is not limited.
    assert client.get("/login").status_code == 200
