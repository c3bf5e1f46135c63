"""A person's organisation is a membership granted by the organisation's admins (or a network admin,
or the verified email's domain), never chosen: what a person sees of the entries shared with an
organisation changes only with a decision, and everyone involved is told and every decision audited."""

from __future__ import annotations

import re
import threading

from sqlalchemy import select

from app.accounts import membership as rules
from app.accounts.models import Membership, MembershipStatus, Role, User
from app.accounts.signals import email_confirmed
from app.audit.models import AuditEntry
from app.directory.models import OrganisationDomain
from app.extensions import db as _db
from app.lessons.models import TLP
from app.notifications.models import OutboxMessage
from app.timeutil import now
from tests.factories import PASSWORD
from tests.factories import lesson as make_lesson


def _ids(client) -> set[int]:
    response = client.get("/lessons/")
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', response.get_data(as_text=True))}


def _mail(user, kind: str) -> list[OutboxMessage]:
    return list(_db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_user_id == user.id, OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _actions() -> list[str]:
    return list(_db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("membership.%"))
                                    .order_by(AuditEntry.id)))


def _memberships(user) -> list[tuple[int, str]]:
    _db.session.commit()  # a fresh snapshot: see what the requests (and other threads) committed
    return [(m.organisation_id, m.status.value) for m in _db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))]


def _amber_entry(make, organisation):
    """An AMBER entry of a past event attended by someone of `organisation`."""
    organiser = make.user(Role.ORGANISER)
    event = make.past_event(organisers=[organiser])
    make.attendee(event, make.user(name="Colleague who attended", organisation=organisation))
    return make_lesson(event, organiser, tlp=TLP.AMBER, title="Border radio codes")


def _confirm(user) -> None:
    user.email_confirmed_at = now()
    email_confirmed.send(user)
    _db.session.commit()


def test_sign_up_requests_membership_and_amber_entries_wait_for_approval(client, login, make, db):
    org = make.organisation(name="State Border Guard Service")
    org_admin = make.organisation_admin(org, name="Contact Person")
    amber = _amber_entry(make, org)
    response = client.post("/signup", data={"name": "Olena Kovalenko", "email": "olena@mail.example",
                                            "organisation_id": str(org.id), "country": "UA", "password": PASSWORD})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "olena@mail.example"))
    assert user.organisation_id is None
    assert _memberships(user) == [(org.id, "pending")]
    assert _mail(org_admin, "membership_requested") == []  # not announced before the address is confirmed
    _confirm(user)
    [announced] = _mail(org_admin, "membership_requested")
    assert "Olena Kovalenko" in announced.subject and org.name in announced.subject

    member = login(user)
    assert amber.id not in _ids(member)
    assert "waits for its admins" in member.get("/profile").get_data(as_text=True)

    pending = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    page = login(org_admin).get("/memberships").get_data(as_text=True)
    assert f'data-testid="request-{pending.id}"' in page
    assert login(org_admin).post(f"/memberships/{pending.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).organisation_id == org.id
    assert amber.id in _ids(member)
    [told] = _mail(user, "membership_decided")
    assert f"You are a member of {org.name}" == told.subject
    assert _actions() == ["membership.request", "membership.approve"]


def test_a_rejection_needs_a_reason_and_the_requester_is_told_it(login, make, db):
    org = make.organisation(name="Financial Intelligence Unit")
    org_admin = make.organisation_admin(org)
    requester = make.user(name="Someone Unknown")
    pending = make.membership(requester, org)
    decider = login(org_admin)
    assert decider.get(f"/memberships/{pending.id}/reject").status_code == 200
    response = decider.post(f"/memberships/{pending.id}/reject", data={"reason": "  "})
    assert response.status_code == 422
    assert 'id="reason-errors"' in response.get_data(as_text=True)
    assert _memberships(requester) == [(org.id, "pending")]
    reason = "We could not find you in our staff list; ask your head of unit to confirm."
    assert decider.post(f"/memberships/{pending.id}/reject", data={"reason": reason}).status_code == 302
    assert _memberships(requester) == [(org.id, "rejected")]
    [told] = _mail(requester, "membership_decided")
    assert "was not approved" in told.subject and reason in told.text_body
    assert reason in login(requester).get("/profile").get_data(as_text=True)
    assert _actions() == ["membership.reject"]
    # Decided once: a second decision is refused, nothing changes.
    assert decider.post(f"/memberships/{pending.id}/approve").status_code == 302
    assert _memberships(requester) == [(org.id, "rejected")]


def test_organisation_admins_decide_only_their_organisation_and_never_their_own_request(login, make, db):
    org_a, org_b = make.organisation(name="Police A"), make.organisation(name="Police B")
    admin_a = make.organisation_admin(org_a)
    request_b = make.membership(make.user(), org_b)
    client = login(admin_a)
    assert client.post(f"/memberships/{request_b.id}/approve").status_code == 403
    assert client.post(f"/memberships/{request_b.id}/reject", data={"reason": "no"}).status_code == 403
    assert client.post(f"/memberships/{request_b.id}/end").status_code == 403
    assert f'request-{request_b.id}"' not in client.get("/memberships").get_data(as_text=True)
    assert client.get(f"/memberships/{request_b.id}/reject").status_code == 403
    # Their own request (even to the organisation they administer) is decided by someone else.
    own = make.membership(admin_a, org_a)
    assert client.post(f"/memberships/{own.id}/approve").status_code == 403
    assert _memberships(admin_a) == [(org_a.id, "approved"), (org_a.id, "pending")]
    # A coordinator is not an organisation admin by role.
    coordinator = login(make.user(Role.COORDINATOR))
    assert coordinator.get("/memberships").status_code == 403
    assert coordinator.post(f"/memberships/{request_b.id}/approve").status_code == 403
    assert _memberships(request_b.user) == [(org_b.id, "pending")]


def test_a_network_admin_decides_for_every_organisation_and_is_told_when_it_has_no_admin(login, make, db):
    network_admin = make.user(Role.ADMIN)
    org = make.organisation(name="Customs Service")
    requester = make.user()
    client = login(requester)
    response = client.post("/profile/membership", data={"organisation_id": str(org.id)})
    assert response.status_code == 302
    [announced] = _mail(network_admin, "membership_requested")  # no organisation admin: the network admins
    assert org.name in announced.subject
    pending = db.session.scalar(select(Membership).where(Membership.user_id == requester.id))
    admin_client = login(network_admin)
    page = admin_client.get("/memberships").get_data(as_text=True)
    assert f'data-testid="request-{pending.id}"' in page
    assert admin_client.post(f"/memberships/{pending.id}/approve").status_code == 302
    assert _memberships(requester) == [(org.id, "approved")]
    assert db.session.get(User, requester.id).organisation_id == org.id


def test_network_admins_appoint_organisation_admins_who_then_see_the_requests(login, make, db):
    network_admin = make.user(Role.ADMIN)
    org = make.organisation(name="Prosecutor's Office")
    person = make.user(organisation=org)
    item = db.session.scalar(select(Membership).where(Membership.user_id == person.id))
    person_client = login(person)
    assert "Membership requests" not in person_client.get("/profile").get_data(as_text=True)
    assert person_client.post(f"/memberships/{item.id}/admin", data={"is_admin": "1"}).status_code == 403
    assert login(network_admin).post(f"/memberships/{item.id}/admin", data={"is_admin": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, item.id).is_admin is True
    assert _mail(person, "membership_admin")[0].subject == f"You are now an admin of {org.name}"
    assert "Membership requests" in person_client.get("/profile").get_data(as_text=True)  # in the nav
    assert person_client.get("/memberships").status_code == 200
    assert _actions() == ["membership.admin"]


def test_changing_organisation_ends_the_old_membership_at_once(login, make, db):
    org_a, org_b = make.organisation(name="Police A"), make.organisation(name="Police B")
    amber = _amber_entry(make, org_a)
    member = make.user(organisation=org_a)
    client = login(member)
    assert amber.id in _ids(client)
    assert client.post("/profile/membership", data={"organisation_id": str(org_b.id)}).status_code == 302
    assert _memberships(member) == [(org_a.id, "ended"), (org_b.id, "pending")]
    assert db.session.get(User, member.id).organisation_id is None
    assert amber.id not in _ids(client)
    assert _actions() == ["membership.end", "membership.request"]


def test_a_member_leaves_and_withdraws_a_request_from_the_profile(login, make, db):
    org, other = make.organisation(name="Police A"), make.organisation(name="Police B")
    member = make.user(organisation=org)
    item = db.session.scalar(select(Membership).where(Membership.user_id == member.id))
    client = login(member)
    assert f"Leave {org.name}" in client.get("/profile").get_data(as_text=True)
    assert client.post(f"/memberships/{item.id}/end").status_code == 302
    assert db.session.get(User, member.id).organisation_id is None
    assert 'data-testid="membership-none"' in client.get("/profile").get_data(as_text=True)
    assert client.get("/profile/membership").status_code == 200
    client.post("/profile/membership", data={"organisation_id": str(other.id)})
    pending = db.session.scalar(select(Membership).where(Membership.status == MembershipStatus.PENDING))
    assert client.post(f"/memberships/{pending.id}/end").status_code == 302
    assert _memberships(member) == [(org.id, "ended"), (other.id, "ended")]
    assert _actions() == ["membership.end", "membership.request", "membership.withdraw"]


def test_a_confirmed_email_on_an_organisation_domain_grants_membership(login, make, db):
    org, other = make.organisation(name="National Police of Ukraine"), make.organisation(name="Customs")
    admin = login(make.user(Role.ADMIN))
    response = admin.post(f"/directory/organisations/{org.id}", data={
        "name": org.name, "type": "law_enforcement", "country": "UA", "domains": "Police.GOV.UA.\n\nnpu.example\n"})
    assert response.status_code == 302
    assert set(db.session.scalars(select(OrganisationDomain.domain))) == {"police.gov.ua", "npu.example"}
    matched = make.user(email="ivan@police.gov.ua", email_confirmed_at=None)
    elsewhere = make.user(email="petro@kyiv.police.gov.ua", email_confirmed_at=None)  # a subdomain: no match
    other_request = make.membership(matched, other)
    _confirm(matched)
    _confirm(elsewhere)
    assert _memberships(matched) == [(other.id, "pending"), (org.id, "approved")]  # the other request stays
    assert db.session.get(User, matched.id).organisation_id == org.id
    assert db.session.scalar(select(Membership.via).where(Membership.user_id == matched.id,
                                                          Membership.status == MembershipStatus.APPROVED)) == "domain"
    assert _mail(matched, "membership_granted")[0].subject == f"You are a member of {org.name}"
    assert _memberships(elsewhere) == []
    assert db.session.get(Membership, other_request.id).status == MembershipStatus.PENDING
    assert "organisation.domains" in db.session.scalars(select(AuditEntry.action))
    assert _actions() == ["membership.approve", "membership.grant"]


def test_a_pending_request_for_the_domain_organisation_is_approved_on_confirmation(make, db):
    org = make.organisation(name="Border Police")
    db.session.add(OrganisationDomain(organisation_id=org.id, domain="border.example"))
    person = make.user(email="ana@border.example", email_confirmed_at=None)
    pending = make.membership(person, org)
    _confirm(person)
    assert _memberships(person) == [(org.id, "approved")]
    assert db.session.get(Membership, pending.id).via == "domain"


def test_the_domain_list_refuses_what_is_not_an_exact_domain_of_this_organisation(login, make, db):
    org, taken_by = make.organisation(name="Police A"), make.organisation(name="Police B")
    db.session.add(OrganisationDomain(organisation_id=taken_by.id, domain="police-b.example"))
    db.session.commit()
    admin = login(make.user(Role.ADMIN))
    for domains, message in (("ivan@police.example", "without a name"), ("gmail.com", "public mail service"),
                             ("*.police.example", "not an exact domain"), ("police-b.example", "Police B"),
                             ("nodot", "not a valid domain")):
        response = admin.post(f"/directory/organisations/{org.id}", data={
            "name": org.name, "type": "law_enforcement", "country": "UA", "domains": domains})
        assert response.status_code == 422, domains
        html = response.get_data(as_text=True)
        assert 'id="domains-errors"' in html and message in html, domains
    assert db.session.scalar(select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == org.id)) is None
    # A coordinator manages the directory but cannot set domains (a domain grants membership).
    coordinator = login(make.user(Role.COORDINATOR))
    page = coordinator.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert 'name="domains"' not in page
    response = coordinator.post(f"/directory/organisations/{org.id}", data={
        "name": org.name, "type": "law_enforcement", "country": "UA", "domains": "coordinator.example"})
    assert response.status_code == 302
    assert db.session.scalar(select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == org.id)) is None


def test_the_admin_user_form_grants_an_approved_membership(login, make, db):
    org = make.organisation(name="Interior Ministry")
    person = make.user(name="Nino Beridze")
    response = login(make.user(Role.ADMIN)).post(f"/admin/users/{person.id}", data={
        "name": person.name, "email": person.email, "role": "member", "organisation_id": str(org.id),
        "is_active": "y"})
    assert response.status_code == 302
    assert _memberships(person) == [(org.id, "approved")]
    assert db.session.scalar(select(Membership.via).where(Membership.user_id == person.id)) == "admin"
    assert db.session.get(User, person.id).organisation_id == org.id
    assert _mail(person, "membership_decided")
    assert _actions() == ["membership.approve"]


def test_two_approvals_of_one_person_at_once_leave_one_approved_membership(app, make, db):
    org_a, org_b = make.organisation(name="Police A"), make.organisation(name="Police B")
    network_admin = make.user(Role.ADMIN)
    person = make.user()
    first, second = make.membership(person, org_a), make.membership(person, org_b)
    ids, admin_email = [first.id, second.id], network_admin.email
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(membership_id: int) -> None:
        client = app.test_client()
        client.post("/login", data={"email": admin_email, "password": PASSWORD})
        barrier.wait(timeout=30)
        statuses.append(client.post(f"/memberships/{membership_id}/approve").status_code)

    threads = [threading.Thread(target=approve, args=(membership_id,)) for membership_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    states = _memberships(person)
    assert [status for _, status in states].count("approved") == 1
    approved_org = next(org_id for org_id, status in states if status == "approved")
    assert db.session.get(User, person.id).organisation_id == approved_org


def test_the_service_serialises_decisions_about_one_person(make, db):
    org_a, org_b = make.organisation(name="Police A"), make.organisation(name="Police B")
    network_admin = make.user(Role.ADMIN)
    person = make.user()
    first, second = make.membership(person, org_a), make.membership(person, org_b)
    rules.approve(first, network_admin)
    rules.approve(second, network_admin)
    assert _memberships(person) == [(org_a.id, "ended"), (org_b.id, "approved")]
    assert db.session.get(User, person.id).organisation_id == org_b.id
    try:
        rules.approve(first, network_admin)
    except rules.MembershipError as error:
        assert "decided" in str(error)
    else:  # pragma: no cover
        raise AssertionError("an ended membership was approved again")
    assert _actions() == ["membership.approve", "membership.end", "membership.approve"]


def test_a_domain_membership_ends_when_the_account_confirms_an_address_elsewhere(make, db):
    org = make.organisation(name="Border Police")
    db.session.add(OrganisationDomain(organisation_id=org.id, domain="border.example"))
    person = make.user(email="ana@border.example", email_confirmed_at=None)
    _confirm(person)
    assert db.session.get(User, person.id).organisation_id == org.id
    person.email = "ana@private.example"  # the identity flow's confirmed change of address
    _confirm(person)
    assert _memberships(person) == [(org.id, "ended")]
    assert db.session.get(User, person.id).organisation_id is None
    assert _mail(person, "membership_lapsed")[0].subject == f"Your membership of {org.name} has ended"
    # A membership approved by a person does not depend on the address.
    other = make.organisation(name="Customs")
    make.membership(person, other, status="approved")
    _confirm(person)
    assert db.session.get(User, person.id).organisation_id == other.id
