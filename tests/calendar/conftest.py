"""Helpers for calendar tests: registrations and session sign-ups made directly (the calendar must
not depend on how the registration rules create them), and a SQL statement counter."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from app.extensions import db
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now


def register(event, user, status="confirmed", role="participant") -> Registration:
    registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus(status),
                                role=role, registered_at=now())
    if status == "confirmed":
        registration.confirmed_at = now()
    db.session.add(registration)
    db.session.commit()
    return registration


def signup(session, user, status="confirmed") -> SessionSignup:
    item = SessionSignup(session_id=session.id, user_id=user.id, status=SessionSignupStatus(status))
    db.session.add(item)
    db.session.commit()
    return item


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def cal():
    class Helpers:
        pass

    helpers = Helpers()
    helpers.register = register
    helpers.signup = signup
    helpers.count_queries = count_queries
    return helpers


@pytest.fixture(autouse=True)
def _fresh_feed_cache(app):
    """The cache lives as long as the (session-wide) app; tests reuse ids and frozen clocks across a
    cleaned database, so each starts with an empty cache."""
    from app.cache import fragments

    fragments.cache_for(app).clear()
    yield
    fragments.cache_for(app).clear()
