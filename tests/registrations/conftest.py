"""Helpers for the registration tests."""

from __future__ import annotations

import pytest

from app.calendar import itip


@pytest.fixture
def itip_calls(monkeypatch):
    """Record the iTIP producers the registration rules call (the calendar issue implements them)."""
    calls: list[tuple[str, int, str]] = []

    def invitation(registration, *, sessions=True):
        calls.append(("invitation", registration.user_id, registration.status.value))

    def cancel(registration, signups=None):
        calls.append(("cancel", registration.user_id, registration.status.value))

    def session_invitation(signup):
        calls.append(("session_invitation", signup.user_id, signup.status.value))

    def session_cancel(session, user_ids=None):
        calls.extend(("session_cancel", user_id, "cancelled") for user_id in user_ids or [])

    monkeypatch.setattr(itip, "queue_invitation", invitation)
    monkeypatch.setattr(itip, "queue_registration_cancel", cancel)
    monkeypatch.setattr(itip, "queue_session_invitation", session_invitation)
    monkeypatch.setattr(itip, "queue_session_cancel", session_cancel)
    return calls


@pytest.fixture
def organiser(make):
    return make.user(role="organiser", name="Olga Organiser")


@pytest.fixture
def members(make):
    def _members(count: int, **kw):
        return [make.user(**kw) for _ in range(count)]

    return _members


@pytest.fixture
def login(login, db):
    """The shared login fixture, then end the test's own read transaction: on SQLite (WAL) a test
    that read before a request wrote (sign-in stamps last_login_at) could not write afterwards."""

    def _login(user):
        client = login(user)
        db.session.commit()
        return client

    return _login
