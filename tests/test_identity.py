"""Identity (issue 16): an account is confirmed by a signed, expiring link sent to its address;
until then it sees only what visitors see and owns nothing addressed to that email."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import default

import pytest
from sqlalchemy import select

from app import timeutil
from app.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from app.accounts.models import User
from app.accounts.signals import email_confirmed
from app.audit.models import AuditEntry
from app.demo.data import load_demo
from app.lessons import permissions as lesson_permissions
from app.lessons import queries as lesson_queries
from app.lessons.models import TLP
from app.notifications.mime import build_email
from app.registrations import invitations
from app.registrations.models import Invitation, Registration
from tests import mailbox

GOOD = "a quiet river at dawn"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _signup(client, email="olena@npu.example.gov.ua", name="Olena Kovalenko", password=GOOD):
    return client.post("/signup", data={"name": name, "email": email, "organisation_id": "0", "country": "UA",
                                        "password": password})


def _signed_up_client(app, email="olena@npu.example.gov.ua"):
    client = app.test_client()
    assert _signup(client, email=email).status_code == 302
    assert client.post("/login", data={"email": email, "password": GOOD}).status_code == 302
    return client


@pytest.fixture
def organiser(make):
    return make.user(role="organiser", name="Olga Organiser")


def _user(db, email) -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def test_unconfirmed_account_sees_what_visitors_see_until_it_follows_the_link(app, make, db):
    event = make.event("Border cooperation workshop")
    make.lesson(event, make.user(), title="Shared radio channel worked", tlp=TLP.GREEN)
    client = _signed_up_client(app)
    visitor = app.test_client()

    library = client.get("/lessons/").get_data(as_text=True)
    assert "Shared radio channel worked" not in library
    assert library.count("Shared radio channel worked") == visitor.get("/lessons/").get_data(as_text=True).count(
        "Shared radio channel worked")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="confirm-banner"' in home and "My events" not in home
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="confirm-to-register"' in page and "/register" not in page
    assert client.post(f"/events/{event.id}/register", data={"consent": "y"}).status_code == 403
    assert client.get("/my/events").headers["Location"].endswith("/confirm")
    assert 'data-testid="confirm-needed"' in client.get("/confirm").get_data(as_text=True)
    assert db.session.scalar(select(Registration.id)) is None
    # The pages an unconfirmed account needs stay open.
    assert client.get("/profile").status_code == 200

    assert client.get(mailbox.confirm_link("olena@npu.example.gov.ua")).headers["Location"].endswith("/")
    assert "Shared radio channel worked" in client.get("/lessons/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="confirm-banner"' not in home and "My events" in home
    assert client.get("/my/events").status_code == 200


def test_confirming_sends_email_confirmed_inside_the_transaction_and_is_audited(app, client, db):
    seen = []

    def receiver(sender, **_):
        seen.append((sender.email, sender.email_confirmed_at is not None))

    _signup(client)
    with email_confirmed.connected_to(receiver):
        response = client.get(mailbox.confirm_link("olena@npu.example.gov.ua"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")  # not signed in by a link
    assert seen == [("olena@npu.example.gov.ua", True)]
    user = _user(db, "olena@npu.example.gov.ua")
    assert user.is_confirmed
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.email_confirmed"))
    again = client.get(mailbox.confirm_link("olena@npu.example.gov.ua"))  # a used link: a clear answer
    assert again.status_code == 302


def test_expired_confirmation_link_gets_a_clear_page_and_a_new_link(app, client, db):
    timeutil.set_now(T0)
    _signup(client)
    link = mailbox.confirm_link("olena@npu.example.gov.ua")
    timeutil.set_now(T0 + timedelta(hours=app.config["EMAIL_CONFIRM_HOURS"], minutes=1))
    response = client.get(link)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "expired" in page and 'data-testid="resend-form"' in page
    assert not _user(db, "olena@npu.example.gov.ua").is_confirmed
    # Signed out, the person asks for a new link by address.
    assert client.post("/confirm/resend", data={"email": "olena@npu.example.gov.ua"}).status_code == 302
    assert len(mailbox.messages("olena@npu.example.gov.ua", "account.confirm_email")) == 2
    assert client.get(mailbox.confirm_link("olena@npu.example.gov.ua")).status_code == 302
    assert _user(db, "olena@npu.example.gov.ua").is_confirmed


def test_a_link_just_inside_its_lifetime_still_works(app, client, db):
    timeutil.set_now(T0)
    _signup(client)
    timeutil.set_now(T0 + timedelta(hours=app.config["EMAIL_CONFIRM_HOURS"]) - timedelta(minutes=1))
    assert client.get(mailbox.confirm_link("olena@npu.example.gov.ua")).status_code == 302
    assert _user(db, "olena@npu.example.gov.ua").is_confirmed


def test_tampered_or_garbage_confirmation_links_get_a_clear_page_never_a_500(app, client, db):
    _signup(client)
    link = mailbox.confirm_link("olena@npu.example.gov.ua")
    token = link.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for path in (f"/confirm/{tampered}", "/confirm/abc", "/confirm/" + "x" * 3000):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "not valid" in response.get_data(as_text=True) and 'data-testid="resend-form"' in response.get_data(
            as_text=True)
    assert client.get("/confirm/%00%ff").status_code == 400  # refused before any route
    assert not _user(db, "olena@npu.example.gov.ua").is_confirmed


def test_resend_for_a_signed_in_unconfirmed_account(app, db):
    client = _signed_up_client(app)
    assert client.post("/confirm/resend").status_code == 302
    assert len(mailbox.messages("olena@npu.example.gov.ua", "account.confirm_email")) == 2


def test_unconfirmed_admin_is_refused_admin_pages(make, login):
    admin = make.user(role="admin", email_confirmed_at=None)
    client = login(admin)
    assert client.get("/admin/users").headers["Location"].endswith("/confirm")
    assert client.post(f"/admin/users/{admin.id}", data={"name": "x"}).status_code == 403
    assert client.get("/directory/").headers["Location"].endswith("/confirm")
    assert client.get("/reports/").headers["Location"].endswith("/confirm")
    # A confirmed admin sees which accounts are not confirmed yet.
    page = login(make.user(role="admin")).get("/admin/users").get_data(as_text=True)
    assert "not confirmed" in page
    edit = login(make.user(role="admin")).get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "not confirmed yet" in edit


def test_invitation_is_not_owned_by_an_unconfirmed_account_with_that_address(app, make, db, organiser):
    event = make.event("Study visit to Europol", organisers=[organiser])
    client = _signed_up_client(app, "invitee@police.example.md")
    invitations.invite(event, [("invitee@police.example.md", "Invitee")], organiser)
    invitation = db.session.scalar(select(Invitation))
    assert invitation.user_id is None  # not tied to the unconfirmed account
    page = client.get(f"/invitations/{invitation.token}").get_data(as_text=True)
    assert 'data-testid="confirm-to-accept"' in page
    assert client.post(f"/invitations/{invitation.token}/accept", data={"consent": "y"}).status_code == 403
    user = _user(db, "invitee@police.example.md")
    outcome = invitations.accept_invitation(db.session.get(Invitation, invitation.id), user, consent=True)
    assert not outcome.ok
    assert "You are invited" not in client.get(f"/events/{event.id}").get_data(as_text=True)

    client.get(mailbox.confirm_link("invitee@police.example.md"))
    assert "You are invited" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert client.post(f"/invitations/{invitation.token}/accept", data={"consent": "y"}).status_code == 302
    assert db.session.scalar(select(Registration.user_id)) == user.id


def test_follow_up_action_addressed_to_an_unconfirmed_email_is_not_owned(app, make, db):
    event = make.event()
    action = make.action(title="Share the radio plan", event=event, owner_contact="olena@npu.example.gov.ua")
    client = _signed_up_client(app)
    user = _user(db, "olena@npu.example.gov.ua")
    assert client.get("/lessons/my-actions").headers["Location"].endswith("/confirm")
    assert lesson_queries.my_actions(user, True, None, 20).total == 0
    assert not lesson_permissions.can_update_action(user, db.session.get(type(action), action.id))

    client.get(mailbox.confirm_link("olena@npu.example.gov.ua"))
    assert "Share the radio plan" in client.get("/lessons/my-actions").get_data(as_text=True)


def test_accounts_from_the_cli_and_from_an_invitation_are_confirmed(app, make, db, runner, organiser):
    result = runner.invoke(args=["users", "create", "--email", "Cli@Police.example.md", "--name", "Cli User",
                                 "--password", GOOD])
    assert result.exit_code == 0, result.output
    assert _user(db, "cli@police.example.md").is_confirmed
    event = make.event(organisers=[organiser])
    invitations.invite(event, [("new@police.example.md", "New Person")], organiser)
    token = db.session.scalar(select(Invitation.token))
    client = app.test_client()
    response = client.post(f"/invitations/{token}/signup", data={
        "name": "New Person", "email": "new@police.example.md", "organisation_id": "0", "password": GOOD})
    assert response.status_code == 302
    assert _user(db, "new@police.example.md").is_confirmed
    assert 'data-testid="confirm-banner"' not in client.get("/").get_data(as_text=True)


def test_demo_logins_still_work_with_confirmed_demo_accounts(app, db):
    load_demo()
    app.config["DEMO_MODE"] = True
    try:
        client = app.test_client()
        assert 'data-testid="demo-logins"' in client.get("/login").get_data(as_text=True)
        email = DEMO_LOGINS[-1][0]
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        home = client.get("/").get_data(as_text=True)
        assert "My events" in home and 'data-testid="confirm-banner"' not in home
    finally:
        app.config["DEMO_MODE"] = False


def test_a_name_with_a_line_break_cannot_add_a_header_to_the_confirmation_mail(client, db):
    response = _signup(client, name="Eve\r\nBcc: x@evil.example")
    assert response.status_code == 302
    message = mailbox.last("olena@npu.example.gov.ua", "account.confirm_email")
    assert all("\r" not in to and "\n" not in to for to in message.to)
    email = build_email(message, "Liaison <noreply@liaison.example>")
    assert email["Bcc"] is None and "x@evil.example" not in (email["To"] or "").split("<")[-1]
    assert email["To"].endswith("<olena@npu.example.gov.ua>")
    parsed = BytesParser(policy=default).parsebytes(email.as_bytes())
    assert "Bcc" not in parsed and parsed["To"].addresses[0].addr_spec == "olena@npu.example.gov.ua"
    assert len(parsed["To"].addresses) == 1
    assert _user(db, "olena@npu.example.gov.ua").name == "Eve Bcc: x@evil.example"  # stored on one line


def test_profile_pages_open_to_an_unconfirmed_account_and_sign_out_works(app, db):
    client = _signed_up_client(app)
    assert client.get("/profile").status_code == 200
    response = client.post("/profile/email", data={"email-email": "other@npu.example.gov.ua",
                                                   "email-current_password": GOOD})
    assert response.status_code == 302
    assert 'data-testid="pending-email"' in client.get("/profile").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/profile").headers["Location"].startswith("/login")


def test_import_does_not_register_an_unconfirmed_account_by_its_address(make, login, db, organiser):
    event = make.event(organisers=[organiser])
    make.user(email="squat@police.example.md", email_confirmed_at=None)
    make.user(email="real@police.example.md")
    data = b"email,name\nsquat@police.example.md,Squat\nreal@police.example.md,Real\n"
    response = login(organiser).post(f"/events/{event.id}/participants/import", data={
        "mode": "register", "encoding": "auto", "file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "1 valid row, 1 row with problems" in page
    assert "<td>2</td>" in page and "has not confirmed its email address" in page
