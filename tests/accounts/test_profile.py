"""Profile: name, organisation, time zone...; email and password changes need the current password."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEntry
from tests import mailbox
from tests.factories import PASSWORD


def _profile(**overrides):
    data = {"profile-name": "Tamar Lomidze", "profile-organisation_id": "0", "profile-position": "Prosecutor",
            "profile-country": "GE", "profile-timezone": "Asia/Tbilisi", "profile-language": "ka",
            "profile-submit": "1"}
    data.update(overrides)
    return data


def test_profile_update_is_saved_and_audited(make, login, db):
    org = make.organisation(name="Prosecution Service of Georgia", country="GE")
    user = make.user()
    client = login(user)
    # An organisation is a membership granted by its admins, not a profile field: a posted one is ignored.
    response = client.post("/profile", data=_profile(**{"profile-organisation_id": str(org.id)}))
    assert response.status_code == 302
    db.session.rollback()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.organisation_id, saved.country, saved.timezone, saved.language) == (
        "Tamar Lomidze", None, "GE", "Asia/Tbilisi", "ka")
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.subject_id == user.id)) == "user.profile"


def test_profile_refuses_an_unknown_time_zone_beside_the_field(make, login, db):
    user = make.user()
    response = login(user).post("/profile", data=_profile(**{"profile-timezone": "Mars/Olympus_Mons"}))
    assert response.status_code == 200
    assert 'id="profile-timezone-errors"' in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, user.id).timezone == "Europe/Brussels"


def test_email_change_needs_the_current_password_and_happens_when_the_new_address_confirms(make, login, db):
    user = make.user(email="old@mai.example.md")
    client = login(user)
    wrong = client.post("/profile/email", data={"email-email": "new@mai.example.md", "email-current_password": "nope nope"})
    assert wrong.status_code == 422 and 'id="email-current_password-errors"' in wrong.get_data(as_text=True)
    ok = client.post("/profile/email", data={"email-email": "New@Mai.example.md", "email-current_password": PASSWORD})
    assert ok.status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).email == "old@mai.example.md"  # not yet
    assert "new@mai.example.md" in client.get("/profile").get_data(as_text=True)  # shown as pending
    assert "new@mai.example.md" in mailbox.last("old@mai.example.md", "account.email_change_notice").text_body
    link = mailbox.link(mailbox.last("new@mai.example.md", "account.email_change"), "/confirm/")
    assert client.get(link).status_code == 302
    db.session.rollback()
    changed = db.session.get(User, user.id)
    assert changed.email == "new@mai.example.md" and changed.pending_email is None and changed.is_confirmed


def test_email_change_to_a_taken_address_says_nothing_and_never_switches(make, login, db):
    user = make.user(email="old@mai.example.md")
    make.user(email="taken@mai.example.md")
    client = login(user)
    taken = client.post("/profile/email", data={"email-email": "TAKEN@mai.example.md", "email-current_password": PASSWORD})
    assert taken.status_code == 302  # the same answer as for a free address: no enumeration
    link = mailbox.link(mailbox.last("taken@mai.example.md", "account.email_change"), "/confirm/")
    response = client.get(link)
    assert response.status_code == 400 and "Another account uses this address" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, user.id).email == "old@mai.example.md"


def test_password_change_needs_the_current_password_and_signs_out_other_sessions(app, make, login, db):
    user = make.user(email="pw@politia.example.md")
    laptop, phone = login(user), login(user)
    wrong = laptop.post("/profile/password", data={"password-current_password": "not mine!",
                                                    "password-password": "a brand new passphrase"})
    assert wrong.status_code == 422 and 'id="password-current_password-errors"' in wrong.get_data(as_text=True)
    weak = laptop.post("/profile/password", data={"password-current_password": PASSWORD, "password-password": "12345678"})
    assert weak.status_code == 422 and 'id="password-password-errors"' in weak.get_data(as_text=True)

    ok = laptop.post("/profile/password", data={"password-current_password": PASSWORD,
                                                 "password-password": "a brand new passphrase"})
    assert ok.status_code == 302
    assert laptop.get("/profile").status_code == 200          # this session stays signed in
    assert phone.get("/profile").status_code == 302           # the other one is signed out
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": user.email, "password": "a brand new passphrase"}).status_code == 302
