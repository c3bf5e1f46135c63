"""Helpers for the travel tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def organiser(make):
    return make.user(role="organiser", name="Olga Organiser")


@pytest.fixture
def login(login, db):
    """Sign in, then end the test's own read transaction (SQLite WAL: see tests/registrations)."""

    def _login(user):
        client = login(user)
        db.session.commit()
        return client

    return _login
