"""The ceiling endpoint renders the base layout and touches no database."""

from __future__ import annotations

from sqlalchemy import event

from app import create_app
from app.extensions import db as _db
from bench.ceiling import bp as ceiling_bp
from config import TestingConfig


def test_ceiling_renders_the_base_template_without_any_query(database_url, tmp_path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_FILE_DIR": str(tmp_path)})
    app.register_blueprint(ceiling_bp)
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = app.test_client().get("/bench/ceiling")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Ceiling</h1>" in page and 'class="navbar' in page  # the real base layout
    assert statements == []


def test_the_ceiling_is_not_part_of_the_application(client):
    assert client.get("/bench/ceiling").status_code == 404
