import pytest

from tests.conftest import AuthActions


@pytest.fixture
def login(app, db):
    """Like tests.conftest.login, then ends the test's own read transaction: on SQLite (WAL) a
    transaction that began before a request wrote keeps an old snapshot and cannot write."""

    def _login(user):
        new_client = app.test_client()
        response = AuthActions(new_client).login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        db.session.rollback()
        return new_client

    return _login
