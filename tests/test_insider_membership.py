"""Insider attacks on membership, each reproduced and shown blocked: claiming an organisation to read
what is shared with it, forging the organisation into a form, deciding one's own request."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import Membership, Role, User
from app.accounts.signals import email_confirmed
from app.extensions import db as _db
from app.lessons.models import TLP
from app.registrations.models import Invitation
from app.timeutil import now
from tests.factories import PASSWORD
from tests.factories import lesson as make_lesson


def _ids(client) -> set[int]:
    response = client.get("/lessons/")
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', response.get_data(as_text=True))}


def _amber_entry(make, organisation):
    organiser = make.user(Role.ORGANISER)
    event = make.past_event(organisers=[organiser])
    make.attendee(event, make.user(organisation=organisation))
    return make_lesson(event, organiser, tlp=TLP.AMBER, title="Shared with the attending organisations")


def _statuses(user_id: int) -> list[str]:
    _db.session.commit()
    return [m.status.value for m in _db.session.scalars(select(Membership).where(Membership.user_id == user_id))]


def test_a_fresh_account_naming_an_organisation_at_sign_up_does_not_see_its_amber_entries(client, login, make, db):
    target = make.organisation(name="Security Service")
    amber = _amber_entry(make, target)
    response = client.post("/signup", data={"name": "Eve Insider", "email": "eve@attacker.example",
                                            "organisation_id": str(target.id), "password": PASSWORD})
    assert response.status_code == 302
    eve = db.session.scalar(select(User).where(User.email == "eve@attacker.example"))
    # Even with a confirmed address, the claim is only a request.
    eve.email_confirmed_at = now()
    email_confirmed.send(eve)
    db.session.commit()
    assert db.session.get(User, eve.id).organisation_id is None
    assert _statuses(eve.id) == ["pending"]
    assert amber.id not in _ids(login(eve))


def test_an_invited_person_naming_an_organisation_only_requests_it(client, make, db):
    target = make.organisation(name="Security Service")
    organiser = make.user(Role.ORGANISER)
    event = make.event(organisers=[organiser])
    invitation = Invitation(event_id=event.id, email="guest@attacker.example", token="insider-token",
                            invited_by_id=organiser.id)
    db.session.add(invitation)
    db.session.commit()
    response = client.post("/invitations/insider-token/signup", data={
        "name": "Guest Insider", "email": "guest@attacker.example", "organisation_id": str(target.id),
        "password": PASSWORD})
    assert response.status_code == 302
    guest = db.session.scalar(select(User).where(User.email == "guest@attacker.example"))
    assert guest.organisation_id is None
    assert _statuses(guest.id) == ["pending"]


def test_a_forged_organisation_field_on_the_profile_forms_grants_nothing(login, make, db):
    target = make.organisation(name="Security Service")
    amber = _amber_entry(make, target)
    eve = make.user()
    client = login(eve)
    base = {"profile-name": eve.name, "profile-timezone": "Europe/Brussels", "profile-language": "en"}
    for forged in ({"profile-organisation_id": str(target.id)}, {"organisation_id": str(target.id)},
                   {"profile-organisation": str(target.id)}):
        assert client.post("/profile", data={**base, **forged}).status_code == 302
    client.post("/profile/email", data={"email-email": eve.email, "organisation_id": str(target.id)})
    assert db.session.get(User, eve.id).organisation_id is None
    assert _statuses(eve.id) == []
    assert amber.id not in _ids(client)


def test_a_member_of_one_organisation_cannot_approve_their_own_request_for_another(login, make, db):
    org_a, org_b = make.organisation(name="Police A"), make.organisation(name="Security Service B")
    amber_b = _amber_entry(make, org_b)
    admin_a = make.organisation_admin(org_a, name="Admin of A")
    own_request = make.membership(admin_a, org_b)  # a request that (somehow) left A's membership in place
    client = login(admin_a)
    assert client.post(f"/memberships/{own_request.id}/approve").status_code == 403
    assert client.get(f"/memberships/{own_request.id}/reject").status_code == 403
    assert f'request-{own_request.id}"' not in client.get("/memberships").get_data(as_text=True)
    assert _statuses(admin_a.id) == ["approved", "pending"]
    # Through the rules, asking for B ends A's membership (and its admin role) at once.
    other = make.organisation_admin(org_a, name="Second admin of A")
    client = login(other)
    assert client.post("/profile/membership", data={"organisation_id": str(org_b.id)}).status_code == 302
    request_b = db.session.scalar(select(Membership).where(Membership.user_id == other.id,
                                                           Membership.organisation_id == org_b.id))
    assert client.get("/memberships").status_code == 403
    assert client.post(f"/memberships/{request_b.id}/approve").status_code == 403
    assert amber_b.id not in _ids(client)
    assert _statuses(other.id) == ["ended", "pending"]


def test_an_organisation_admin_cannot_make_anyone_an_admin(login, make, db):
    org = make.organisation(name="Police A")
    admin = make.organisation_admin(org)
    member = make.user(organisation=org)
    item = db.session.scalar(select(Membership).where(Membership.user_id == member.id))
    assert login(admin).post(f"/memberships/{item.id}/admin", data={"is_admin": "1"}).status_code == 403
    db.session.commit()
    assert db.session.get(Membership, item.id).is_admin is False
