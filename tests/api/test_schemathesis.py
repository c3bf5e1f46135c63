"""Schemathesis fuzzes every operation of the API's own OpenAPI description (in-process, WSGI): valid
and invalid generated input, as a member, an organiser and a coordinator of the authorisation
world (tests/authz_world.py). No answer may be a server error, and every answer must match the
description (status, content type, body schema, headers).

Path parameters hit the world's real objects half the time (the event, its session, the RED entry,
its action, a registration, the summary), so operations go past "not found". The number of
examples is bounded (SCHEMATHESIS_EXAMPLES, default 10) so the whole run stays well within the CI
time on SQLite and PostgreSQL."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.timeutil import set_now
from config import TestingConfig
from tests.api.conftest import token_for
from tests.authz_world import NOW, build_once, restore
from tests.conftest import _clean

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
ROLES = {"member": "participant", "organiser": "owner", "coordinator": "coordinator"}
# Path parameter -> key of World.ids it is pointed at (half the time).
REAL_IDS = {"event_id": "event_id", "session_id": "session_id", "lesson_id": "lesson_id",
            "action_id": "action_id", "registration_id": "registration_id", "summary_id": "summary_id"}


@pytest.fixture(scope="module")
def fuzz_world(_app):
    world, rows = build_once(_app, _clean)
    with _app.app_context():
        secrets = {}
        for role, name in ROLES.items():
            user = db.session.query(User).filter_by(email=world.emails[name]).one()
            secrets[role] = token_for(user, name=f"fuzz {role}")
        db.session.remove()
    rows = _snapshot(_app)  # with the tokens
    yield world, rows, secrets
    print(f"\nschemathesis: {CALLS['cases']} cases, {CALLS['restores']} world restores")
    _clean(_app)


def _snapshot(app):
    with app.app_context():
        with db.engine.connect() as connection:
            return {table: [dict(row._mapping) for row in connection.execute(table.select())]
                    for table in db.metadata.sorted_tables}


def _load_schema():
    """The description, read from an application of its own (no database needed to describe the
    API); the requests go to the test application (`app=` at each call)."""
    describing = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", describing)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=EXAMPLES, deterministic=True, allow_x00=False)
    return loaded


schema = _load_schema()


def _point_at_world(case, world) -> None:
    for name, value in list((case.path_parameters or {}).items()):
        if name in REAL_IDS and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = world.ids[REAL_IDS[name]]


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])


# Operations whose valid-looking input can still break a rule no schema can state (an event one
# may not record on, a day outside the event, an address with no account, a period that ends
# before it starts): there, 422 with field errors is the right answer to schema-valid input.
SEMANTIC_422 = {
    ("POST", "/api/v1/lessons"), ("PATCH", "/api/v1/actions/{action_id}"),
    ("POST", "/api/v1/events/{event_id}/participants"),
    ("POST", "/api/v1/events/{event_id}/participants/{registration_id}/check-in"),
    ("GET", "/api/v1/reports/{name}"),
}


CALLS = {"cases": 0, "restores": 0}


def _check(case, role: str, fuzz_world, app) -> None:
    world, rows, secrets = fuzz_world
    set_now(NOW)
    _point_at_world(case, world)
    semantic = (case.method.upper(), case.path) in SEMANTIC_422
    CALLS["cases"] += 1
    response = None
    try:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {secrets[role]}"}, app=app,
                                          excluded_checks=[positive_data_acceptance] if semantic else None)
        if semantic and response.status_code == 422:
            assert response.json()["errors"], "a semantic refusal names its field"
    finally:
        # A refused request changed nothing (each service rolls back); a done one is undone, so
        # every case meets the same world.
        if case.method.upper() != "GET" and (response is None or response.status_code < 400):
            CALLS["restores"] += 1
            restore(app, rows)


@schema.parametrize()
@SETTINGS
def test_api_as_a_member(case, fuzz_world, _app):
    _check(case, "member", fuzz_world, _app)


@schema.parametrize()
@SETTINGS
def test_api_as_an_organiser(case, fuzz_world, _app):
    _check(case, "organiser", fuzz_world, _app)


@schema.parametrize()
@SETTINGS
def test_api_as_a_coordinator(case, fuzz_world, _app):
    _check(case, "coordinator", fuzz_world, _app)
