"""Insider attacks on identity (issue 16), each reproduced and shown blocked: a fresh account that
claims what was addressed to someone else's email, an unconfirmed account reading GREEN entries, a
reset link used twice, and finding out who has an account through sign-up or reset."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.accounts.models import User
from app.lessons.models import TLP
from app.registrations import invitations
from app.registrations.models import Invitation, Registration
from tests import mailbox

GOOD = "a quiet river at dawn"
VICTIM = "victim@npu.example.gov.ua"


def _squat(app, email=VICTIM):
    """The attacker signs up with an address that is not theirs and signs in (no link needed for that)."""
    client = app.test_client()
    client.post("/signup", data={"name": "Mallory", "email": email, "organisation_id": "0", "password": GOOD})
    assert client.post("/login", data={"email": email, "password": GOOD}).status_code == 302
    return client


def _text(response) -> str:
    page = re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()


def test_fresh_account_claims_an_invitation_addressed_to_someone_elses_email(app, make, db):
    organiser = make.user(role="organiser")
    event = make.event("RED-level study visit", organisers=[organiser])
    attacker = _squat(app)
    invitations.invite(event, [(VICTIM, "The Victim")], organiser)
    invitation = db.session.scalar(select(Invitation))
    # The invitation went to the victim's mailbox; suppose the attacker learned its link anyway.
    assert invitation.user_id is None
    assert attacker.post(f"/invitations/{invitation.token}/accept", data={"consent": "y"}).status_code == 403
    assert attacker.get("/my/events").status_code == 302
    assert "You are invited" not in attacker.get(f"/events/{event.id}").get_data(as_text=True)
    squatter = db.session.scalar(select(User).where(User.email == VICTIM))
    assert not invitations.accept_invitation(invitation, squatter, consent=True).ok
    db.session.rollback()
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    # The real owner takes the address back with a reset (it reaches only their mailbox); the
    # attacker's session ends with it.
    app.test_client().post("/password/forgot", data={"email": VICTIM})
    owner = app.test_client()
    link = mailbox.link(mailbox.last(VICTIM, "account.password_reset"), "/password/reset/")
    assert owner.post(link, data={"password": "the owner's own passphrase"}).status_code == 302
    assert attacker.get("/profile").status_code == 302


def test_unconfirmed_account_sees_green_entries(app, make, db):
    event = make.past_event(title="Cross-border drone workshop")
    lesson = make.lesson(event, make.user(), title="Jammer settings that worked", tlp=TLP.GREEN)
    attacker = _squat(app, "someone@police.example.md")
    visitor = app.test_client()
    assert "Jammer settings that worked" not in attacker.get("/lessons/").get_data(as_text=True)
    detail, anonymous = attacker.get(f"/lessons/{lesson.id}"), visitor.get(f"/lessons/{lesson.id}")
    assert "Jammer settings that worked" not in detail.get_data(as_text=True)
    assert detail.status_code in (302, 403, 404) and anonymous.status_code in (302, 403, 404)
    assert "Jammer settings that worked" not in attacker.get(f"/events/{event.id}").get_data(as_text=True)
    # A confirmed member of the network does see it.
    member = app.test_client()
    member.post("/login", data={"email": make.user(email="member@police.example.md").email,
                                "password": "correct horse battery staple"})
    assert "Jammer settings that worked" in member.get("/lessons/").get_data(as_text=True)


def test_reset_link_reused(app, make):
    make.user(email="target@police.example.md")
    app.test_client().post("/password/forgot", data={"email": "target@police.example.md"})
    link = mailbox.link(mailbox.last("target@police.example.md", "account.password_reset"), "/password/reset/")
    assert app.test_client().post(link, data={"password": "the owner's new passphrase"}).status_code == 302
    # Someone who saw the link (a shared mailbox, a proxy log) tries it afterwards.
    replay = app.test_client()
    assert replay.get(link).status_code == 400
    assert replay.post(link, data={"password": "the attacker's passphrase"}).status_code == 400
    assert replay.post("/login", data={"email": "target@police.example.md",
                                       "password": "the attacker's passphrase"}).status_code == 200


def test_enumeration_via_sign_up_and_reset(app, make):
    make.user(email="exists@police.example.md", name="Existing Person")

    def signup(email):
        client = app.test_client()
        response = client.post("/signup", data={"name": "Probe", "email": email, "organisation_id": "0",
                                                "password": GOOD})
        return response, client.get(response.headers["Location"])

    (taken, taken_page), (free, free_page) = signup("EXISTS@police.example.md"), signup("fresh@police.example.md")
    assert taken.status_code == free.status_code == 302 and taken.headers["Location"] == free.headers["Location"]
    assert _text(taken_page) == _text(free_page)
    assert mailbox.last("exists@police.example.md", "account.signup_exists")  # the owner is told instead

    def forgot(email):
        client = app.test_client()
        response = client.post("/password/forgot", data={"email": email})
        return response, client.get(response.headers["Location"])

    (known, known_page), (unknown, unknown_page) = forgot("exists@police.example.md"), forgot("nobody@police.example.md")
    assert known.status_code == unknown.status_code == 302 and known.headers["Location"] == unknown.headers["Location"]
    assert known_page.status_code == unknown_page.status_code == 200 and _text(known_page) == _text(unknown_page)

    def resend(email):
        return _text(app.test_client().post("/confirm/resend", data={"email": email}, follow_redirects=True))

    assert resend("exists@police.example.md") == resend("nobody@police.example.md")
