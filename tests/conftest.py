"""Fixtures: `app`, `client`, `runner`, `auth`, `live_server` (the app over real HTTP), and factories. Each test
starts from a clean database.

By default the suite runs on a temporary SQLite file; when TEST_DATABASE_URL names a PostgreSQL
database it runs there. The schema is created from the models once per run; tests/test_migrations.py checks that the
Alembic migrations build exactly that schema.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.cache import fragments
from app.extensions import db as _db
from app.extensions import limiter
from config import TestingConfig, normalise_database_url
from tests import factories

STRICT = os.environ.get("LIAISON_STRICT_SKIPS") == "1"


def pytest_configure(config):
    # The catalogs' .mo files are built, not committed: build them when a .po is newer (as make does).
    from tools.i18n import compile_all

    compile_all()


def require(condition: bool, reason: str) -> None:
    """Skip with a visible reason on a laptop; fail in CI (LIAISON_STRICT_SKIPS=1)."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required tool missing in CI: {reason}")
    pytest.skip(reason)


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _worker_database(normalise_database_url(url))
    return f"sqlite:///{tmp_dir / 'test.db'}"


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside TEST_DATABASE_URL's
    (`liaison_ci` → `liaison_ci_gw0`, `liaison_ci_gw1`, ...), created on first use: the workers drop
    and truncate tables and must not share them. Without xdist the named database is used."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _session_dir():
    path = Path(tempfile.mkdtemp(prefix="liaison-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(_session_dir) -> str:
    return _database_url(_session_dir)


def _reset_schema(app) -> None:
    """Drop everything and create the schema from the models (tests/test_migrations.py proves the
    Alembic migrations build the same schema, on SQLite and on PostgreSQL)."""
    with app.app_context():
        engine = _db.engine
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                _db.metadata.drop_all(connection)
        _db.metadata.create_all(engine)
        _db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context (its own db session and `g`), as in
    production, even though the test itself holds an application context open."""

    def open(self, *args, **kwargs):
        # End the test's own transaction first: on SQLite (WAL) a test that read before a request
        # wrote would otherwise hold a stale snapshot and fail its next write with "database is
        # locked". Committing also makes the test's pending setup visible to the request.
        from flask import has_app_context

        if has_app_context():
            _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(_session_dir, database_url):
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_FILE_DIR": str(_session_dir / "mail")},
    )
    app.test_client_class = IsolatedClient
    _reset_schema(app)
    return app


def _clean(app) -> None:
    with app.app_context():
        engine = _db.engine
        tables = [t for t in reversed(_db.metadata.sorted_tables)]
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        _db.session.remove()


@pytest.fixture
def app(_app):
    """The application with a clean database and an application context open for the test."""
    _clean(_app)
    from app import timeutil
    from app.cache import fragments

    fragments.clear(_app)  # the stamps start again from 0 with the emptied tables

    timeutil.set_now(None)
    with _app.app_context():
        yield _app
        _db.session.rollback()
        _db.session.remove()
    timeutil.set_now(None)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def mail_dir(app) -> Path:
    path = Path(app.config["MAIL_FILE_DIR"])
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = factories.PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login(app):
    """login(user) -> a new client signed in as `user` (several users can act in one test)."""

    def _login(user):
        new_client = app.test_client()
        response = AuthActions(new_client).login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return new_client

    return _login


@pytest.fixture
def make():
    """Factories: make.user(role=...), make.organisation(), make.event(...), ..."""
    return factories


@pytest.fixture
def isolated_limiter():
    """create_app() re-initialises the shared Limiter object; put the test app's state back after."""
    saved = dict(limiter.__dict__)
    yield
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


@pytest.fixture
def cold(app, monkeypatch):
    """Every cache off for the test (CACHE_TYPE=NullCache): what a page costs built from nothing."""
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
    yield
    app.extensions.pop(fragments.EXTENSION, None)
