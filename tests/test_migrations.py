"""The Alembic history builds exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db, init_migrations
from config import TestingConfig

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def include_object(obj, name, type_, reflected, compare_to):
    """Full-text search objects are created by a migration and not mapped by the models."""
    if type_ == "table" and name and name.startswith("lessons_fts"):
        return False
    return not (type_ == "index" and name == "ix_lessons_fulltext")


@pytest.fixture
def migrated_url(database_url, tmp_path):
    """An empty database (a new SQLite file, or a fresh PostgreSQL schema) to migrate."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _diff(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": False, "include_object": include_object},
        )
        return compare_metadata(context, db.metadata)


def _migrating_app(url: str):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    init_migrations(app)  # Flask-Migrate loads on demand (web workers never import it)
    return app


def test_migrations_match_models(migrated_url):
    app = _migrating_app(migrated_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    differences = _diff(app)
    assert differences == [], f"models and migrations disagree: {differences}"
    with app.app_context():
        db.engine.dispose()


def test_migrations_downgrade_to_empty_and_back(migrated_url):
    app = _migrating_app(migrated_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade(directory=MIGRATIONS)
        assert "events" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrated_database_has_empact_priorities_and_full_text_search(migrated_url):
    from sqlalchemy import select

    from app.directory.empact import EMPACT_PRIORITIES
    from app.directory.models import Theme

    app = _migrating_app(migrated_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        seeded = set(db.session.execute(select(Theme.empact_cycle, Theme.name)).all())
        assert {(cycle, name) for cycle, name, _ in EMPACT_PRIORITIES} <= seeded
        assert {cycle for cycle, _ in seeded} == {"2022-2025", "2026-2029"}
        inspector = inspect(db.engine)
        if db.engine.dialect.name == "sqlite":
            assert "lessons_fts" in inspector.get_table_names()
        else:
            assert "ix_lessons_fulltext" in {ix["name"] for ix in inspector.get_indexes("lessons")}
        db.session.remove()
        db.engine.dispose()


def test_a_web_worker_does_not_load_alembic_but_flask_db_still_runs():
    """Flask-Migrate and Alembic cost every process about 11 MB: a web worker (the app, its CLI
    registered) never imports them; `flask db` loads them when it runs (issue 19: worker RSS)."""
    import subprocess
    import sys

    probe = ("import sys; from app import create_app; app = create_app(); "
             "print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules)); "
             "result = app.test_cli_runner().invoke(args=['db', 'heads']); "
             "print(result.exit_code, 'alembic' in sys.modules, '(head)' in result.output)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip().splitlines() == ["[]", "0 True True"]
