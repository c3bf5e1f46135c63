"""The authorisation matrix of the pages (tests/test_authorisation_matrix.py), mirrored for the API:
every API operation × every role of tests/authz_world.py (each with a token holding every scope;
"anonymous" sends none) × every TLP marking where an operation takes an entry or a follow-up action
— plus three tokens whose owners lost a permission after making them (an organiser removed from
event E, a member who left organisation A, a coordinator made a member). Every body is searched
for the world's marker strings: only the roles entitled to them on the pages may get them here.

Outcomes: "ok" (2xx) or the status code. Requests carry a valid body, so the rules (not the
input's validation) decide; a request that may have changed something restores the world."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.accounts import membership as memberships
from app.accounts.models import Membership, MembershipStatus, Role, User
from app.events.models import Event
from app.extensions import db
from app.lessons.models import TLP, Lesson
from app.timeutil import set_now
from tests import factories as make
from tests.api.api_matrix_expected import API_ROLES, EXPECTED, LOST
from tests.api.conftest import ApiClient, token_for
from tests.authz_world import FACILITY_CONTACT, FREE_TEXT, NOW, build_once, restore
from tests.conftest import _clean
from tests.test_authorisation_matrix import ENTITLED, GREEN_TITLE, PROPOSAL_TITLE, may_read

MARKINGS = [tlp.name for tlp in TLP]
# Every marker of the world is served by some operation (titles of entries and of the RED entry's
# action, the draft, needs, the online link).
# The API serves no facility, no proposal to a call for contributions and no needs assessment (issue 22):
# a facility's contact, a proposal's text and a free-text answer are never in an API answer (the leak
# search still looks for them).
SERVED_MARKERS = set(ENTITLED) - {FACILITY_CONTACT, PROPOSAL_TITLE, FREE_TEXT}  # CLEAR, GREEN, AMBER, AMBER_STRICT, RED


@dataclass(frozen=True)
class Case:
    key: str
    method: str
    path: str
    body: dict | None


def _world_extras(world) -> dict:
    """Ids the page world does not name: each marking's entry and an action on each."""
    owner = db.session.scalar(select(User).where(User.email == world.emails["owner"]))
    lessons = {lesson.tlp.name: lesson for lesson in db.session.scalars(select(Lesson))}
    actions = {}
    for name, lesson in lessons.items():
        action = make.action(owner, NOW.date(), f"Action on {name}", lesson=lesson, event=lesson.event)
        actions[name] = action.id
    return {"lessons": {name: lesson.id for name, lesson in lessons.items()}, "actions": actions}


def _lost_permission_tokens(world) -> dict:
    """Three people with a permission, each makes a token, then loses the permission."""
    event = db.session.get(Event, world.ids["event_id"])
    org_a_id = db.session.scalar(select(User.organisation_id).where(User.email == world.emails["participant"]))
    removed = make.user(email="removed-organiser@example.org", role=Role.ORGANISER)
    event.organisers.append(removed)
    leaver = make.user(email="leaver@example.org")
    db.session.add(Membership(user_id=leaver.id, organisation_id=org_a_id, status=MembershipStatus.APPROVED,
                              via="admin", requested_at=NOW, decided_at=NOW))
    leaver.organisation_id = org_a_id
    demoted = make.user(email="demoted@example.org", role=Role.COORDINATOR)
    db.session.commit()
    secrets = {"organiser_removed": token_for(removed), "member_left_org": token_for(leaver),
               "coordinator_demoted": token_for(demoted)}
    before = {role: ApiClient(_client(), secret) for role, secret in secrets.items()}
    # Each had the permission when the token was made (so losing it is what the matrix shows).
    assert before["organiser_removed"].get(f"/api/v1/events/{event.id}/participants").status_code == 200
    amber = db.session.scalar(select(Lesson.id).where(Lesson.tlp == TLP.AMBER))
    assert before["member_left_org"].get(f"/api/v1/lessons/{amber}").status_code == 200
    assert before["coordinator_demoted"].get("/api/v1/summaries").status_code == 200
    event.organisers.remove(removed)
    memberships.end(db.session.scalar(select(Membership).where(Membership.user_id == leaver.id)), leaver)
    demoted.role = Role.MEMBER
    db.session.commit()
    return secrets


_APP = {}


def _client():
    return _APP["app"].test_client()


@pytest.fixture(scope="module")
def api_world(_app):
    _APP["app"] = _app
    world, _rows = build_once(_app, _clean)
    with _app.app_context():
        set_now(NOW)
        extras = _world_extras(world)
        secrets = {role: token_for(db.session.scalar(select(User).where(User.email == email)), name=f"matrix {role}")
                   for role, email in world.emails.items()}
        secrets.update(_lost_permission_tokens(world))
        db.session.remove()
        with db.engine.connect() as connection:
            rows = {table: [dict(row._mapping) for row in connection.execute(table.select())]
                    for table in db.metadata.sorted_tables}
    yield world, extras, secrets, rows
    _clean(_app)
    set_now(None)


def cases(world, extras) -> list[Case]:
    ids = world.ids
    e, d, s, r = ids["event_id"], ids["draft_event_id"], ids["session_id"], ids["registration_id"]
    found = [
        Case("events.list GET", "GET", "/api/v1/events", None),
        Case("events.list_mine GET", "GET", "/api/v1/events?mine=true&tab=past", None),
    ]
    for tag, event in (("", e), ("[D]", d)):
        found += [
            Case(f"events.get{tag} GET", "GET", f"/api/v1/events/{event}", None),
            Case(f"events.sessions{tag} GET", "GET", f"/api/v1/events/{event}/sessions", None),
            Case(f"registrations.mine_for_event{tag} GET", "GET", f"/api/v1/events/{event}/registration", None),
            Case(f"participants.list{tag} GET", "GET", f"/api/v1/events/{event}/participants", None),
            Case(f"participants.get{tag} GET", "GET", f"/api/v1/events/{event}/participants/{r}", None),
        ]
    found += [
        Case("events.session GET", "GET", f"/api/v1/sessions/{s}", None),
        Case("registrations.mine GET", "GET", "/api/v1/me/registrations", None),
        Case("registrations.register POST", "POST", f"/api/v1/events/{e}/registration", {"consent": True}),
        Case("registrations.cancel DELETE", "DELETE", f"/api/v1/events/{e}/registration", None),
        Case("registrations.signup POST", "POST", f"/api/v1/sessions/{s}/signup", {}),
        Case("registrations.signup_cancel DELETE", "DELETE", f"/api/v1/sessions/{s}/signup", None),
        Case("participants.add POST", "POST", f"/api/v1/events/{e}/participants",
             {"email": "member-no-org@example.org"}),
        Case("participants.approve POST", "POST", f"/api/v1/events/{e}/participants/{r}/approve", {}),
        Case("participants.reject POST", "POST", f"/api/v1/events/{e}/participants/{r}/reject", {"reason": "x"}),
        Case("participants.check_in POST", "POST", f"/api/v1/events/{e}/participants/{r}/check-in", {}),
        Case("lessons.search GET", "GET", "/api/v1/lessons", None),
        Case("lessons.create POST", "POST", "/api/v1/lessons", {"event_id": e, "kind": "lesson", "title": "New"}),
        Case("actions.mine GET", "GET", "/api/v1/me/actions?all=true", None),
        Case("summaries.list GET", "GET", "/api/v1/summaries", None),
        Case("summaries.export GET", "GET", f"/api/v1/summaries/{ids['summary_id']}/export/md", None),
        Case("reports.participation GET", "GET", "/api/v1/reports/participation", None),
        Case("reports.dashboard GET", "GET", "/api/v1/reports/dashboard", None),
    ]
    for marking in MARKINGS:
        lesson, action = extras["lessons"][marking], extras["actions"][marking]
        found += [
            Case(f"lessons.get[{marking}] GET", "GET", f"/api/v1/lessons/{lesson}", None),
            Case(f"lessons.submit[{marking}] POST", "POST", f"/api/v1/lessons/{lesson}/submit", {}),
            Case(f"actions.get[{marking}] GET", "GET", f"/api/v1/actions/{action}", None),
            Case(f"actions.update[{marking}] PATCH", "PATCH", f"/api/v1/actions/{action}", {"note": "Progress"}),
        ]
    return found


def outcome(response) -> str:
    return "ok" if 200 <= response.status_code < 300 else str(response.status_code)


def _entitled(role: str, marker: str) -> bool:
    if role in LOST:  # signed-in members now, and nothing more
        return marker == GREEN_TITLE
    return may_read(role, marker)


def _walk(app, world, extras, secrets, rows):
    observed, leaks, restores, seen = {}, [], 0, set()
    clients = {role: ApiClient(app.test_client(), secrets.get(role)) for role in API_ROLES}
    for case in cases(world, extras):
        for role in API_ROLES:
            client = clients[role]
            if case.method == "GET":
                response = client.get(case.path)
            else:
                response = client.client.open(case.path, method=case.method, json=case.body,
                                              headers=client._headers(None))
            observed.setdefault(case.key, {})[role] = outcome(response)
            body = response.get_data(as_text=True)
            leaks += [(case.key, role, m) for m in ENTITLED if m in body and not _entitled(role, m)]
            seen |= {m for m in ENTITLED if m in body and _entitled(role, m)}
            if case.method != "GET" and response.status_code < 400:
                restore(app, rows)
                restores += 1
    return observed, leaks, restores, seen


def _as_row(found: dict) -> str:
    values = [found[role] for role in API_ROLES if role != "unconfirmed"]
    default = max(set(values), key=values.count)
    named = {role: value for role, value in found.items() if value != default and role != "unconfirmed"}
    return f"row({default!r}" + "".join(f", {role}={value!r}" for role, value in named.items()) + ")"


def test_every_api_operation_answers_every_role_and_marking_as_the_table_says(api_world, _app, capsys):
    world, extras, secrets, rows = api_world
    with _app.app_context():
        set_now(NOW)
        observed, leaks, restores, seen = _walk(_app, world, extras, secrets, rows)
    cells = sum(len(found) for found in observed.values())
    with capsys.disabled():
        print(f"\nAPI authorisation matrix: {len(observed)} operations × {len(API_ROLES)} roles = {cells} cells, "
              f"{restores} restores")
    problems = [f"unclassified: {key!r}: {_as_row(found)}," for key, found in observed.items() if key not in EXPECTED]
    for key, found in observed.items():
        if key in EXPECTED:
            problems += [f"{key} as {role}: expected {EXPECTED[key][role]}, got {found[role]}"
                         for role in API_ROLES if EXPECTED[key][role] != found[role]]
    problems += [f"{key} as {role} shows {marker}" for key, role, marker in leaks]
    problems += [f"{key} as {role}: 500" for key, found in observed.items() for role, v in found.items() if v == "500"]
    # The search can fail: each marker the API serves reaches a role entitled to it somewhere.
    problems += [f"{marker} reached no entitled role: the search proves nothing" for marker in SERVED_MARKERS
                 if marker not in seen]
    assert not problems, "\n".join(problems)
    assert json.dumps(EXPECTED)  # the table is plain data
