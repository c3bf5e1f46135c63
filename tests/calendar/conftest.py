"""Helpers for calendar tests: a SQL statement counter and a fresh feed cache for each test.
Registrations and session sign-ups are made directly with make.registration / make.signup
(tests.factories): the calendar must not depend on how the registration rules create them."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import event as sa_event

from app.extensions import db


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
    return SimpleNamespace(count_queries=count_queries)


@pytest.fixture(autouse=True)
def _fresh_feed_cache(app):
    """The cache lives as long as the (session-wide) app; tests reuse ids and frozen clocks across a
    cleaned database, so each starts with an empty cache."""
    from app.cache import fragments

    fragments.clear(app)
    yield
    fragments.clear(app)
