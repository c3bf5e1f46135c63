"""The Flask extensions, created once and initialised in create_app."""

from pathlib import Path

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

MIGRATIONS_DIRECTORY = str(Path(__file__).resolve().parent.parent / "migrations")


def init_migrations(app) -> None:
    """Flask-Migrate, and Alembic with it (about 11 MB of every process that imports them), load only
    where migrations run: the `flask db` commands (app.cli) and code that calls flask_migrate's
    upgrade() or downgrade(), which calls this first. Web workers never import them."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=MIGRATIONS_DIRECTORY, compare_type=True, render_as_batch=True)
