from __future__ import annotations

import pytest

from tests.notifications.smtp import RecordingHandler, SMTPServer, use_smtp


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server the application delivers to; `smtp.handler.reject` can refuse messages."""
    with SMTPServer(RecordingHandler()) as server:
        use_smtp(app, monkeypatch, server)
        yield server


@pytest.fixture
def login(app, db):
    """Like tests.conftest.login, then ends the test's own read transaction: on SQLite (WAL) a
    transaction that began before a request wrote keeps an old snapshot and cannot write."""
    from tests.conftest import AuthActions

    def _login(user):
        new_client = app.test_client()
        response = AuthActions(new_client).login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        db.session.rollback()
        return new_client

    return _login
