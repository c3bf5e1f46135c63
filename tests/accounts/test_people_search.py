"""The people pickers' search (issue 23): GET /people/search for organisers, coordinators and admins,
name, organisation and country (no email), active and confirmed accounts only, at most 20, in a
number of statements that does not grow with the number of people."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.querycount import QueryCounter


@pytest.fixture
def organiser(make):
    return make.user(role=Role.ORGANISER, name="Oksana Organiser")


def _search(client, q, **params):
    response = client.get("/people/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_json()["results"]


def test_finds_by_part_of_name_or_organisation_case_insensitively(login, make, organiser):
    bureau = make.organisation("Moldovan Anti-Corruption Bureau", country="MD")
    taras = make.user(name="Taras Shevchenko", email="taras.private@example.org", organisation=bureau)
    make.user(name="Someone Else")
    client = login(organiser)
    by_name = _search(client, "SHEVCH")
    assert [p["id"] for p in by_name] == [taras.id]
    person = by_name[0]
    assert person["name"] == "Taras Shevchenko" and person["organisation"] == "Moldovan Anti-Corruption Bureau"
    assert person["country"] is None and "Moldovan Anti-Corruption Bureau" in person["label"]
    assert "email" not in person and "taras.private" not in str(by_name)
    assert [p["id"] for p in _search(client, "anti-corr")] == [taras.id]
    assert _search(client, "") == [] and _search(client, "   ") == []
    assert _search(client, "100%_") == []  # LIKE wildcards are searched literally


def test_inactive_unconfirmed_and_deleted_accounts_are_not_offered(login, make, organiser):
    from app.timeutil import now

    shown = make.user(name="Pickme Active")
    make.user(name="Pickme Inactive", is_active_account=False)
    make.user(name="Pickme Unconfirmed", email_confirmed_at=None)
    make.user(name="Pickme Deleted", deleted_at=now())
    assert [p["id"] for p in _search(login(organiser), "pickme")] == [shown.id]


def test_at_most_twenty_and_the_limit_is_honoured(login, make, organiser):
    for i in range(25):
        make.user(name=f"Many Person {i:02d}")
    client = login(organiser)
    assert len(_search(client, "many person")) == 20
    assert len(_search(client, "many person", limit=500)) == 20
    assert [p["name"] for p in _search(client, "many person", limit=3)] == [
        "Many Person 00", "Many Person 01", "Many Person 02"]
    assert len(_search(client, "many person", limit="lots")) == 20


@pytest.mark.parametrize("role, status", [
    (Role.MEMBER, 403), (Role.ORGANISER, 200), (Role.COORDINATOR, 200), (Role.ADMIN, 200),
])
def test_only_those_who_appoint_speakers_may_search(login, make, role, status):
    user = make.user(role=role)
    assert login(user).get("/people/search?q=test").status_code == status


def test_visitors_and_unconfirmed_accounts_may_not_search(client, login, make):
    assert client.get("/people/search?q=test").status_code == 302  # to sign in
    assert client.get("/people/search?q=test", headers={"Accept": "application/json"}).status_code == 401
    unconfirmed = make.user(role=Role.ORGANISER, email_confirmed_at=None)
    response = login(unconfirmed).get("/people/search?q=test", headers={"Accept": "application/json"})
    assert response.status_code == 403


def test_statements_do_not_grow_with_the_number_of_people(login, make, organiser, db):
    client = login(organiser)

    def count() -> int:
        with QueryCounter(db.engine) as counter:
            assert len(_search(client, "crowd")) == min(people, 20)
        return counter.count

    people = 3
    for i in range(people):
        make.user(name=f"Crowd {i}", organisation=make.organisation())
    db.session.rollback()
    small = count()
    for i in range(40):
        make.user(name=f"Crowd more {i}", organisation=make.organisation())
    people += 40
    db.session.rollback()
    assert count() == small
