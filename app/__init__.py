"""Liaison: create_app builds the application (extensions, blueprints, CLI, error handlers)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from app.jinja_env import GlobalsEnvironment
from app.memory import return_large_allocations
from config import Config, ProductionConfig, config_from_env

ROOT = Path(__file__).resolve().parent.parent


class Liaison(Flask):
    """Flask, remembering which callables are plain functions: Flask asks (inspect.iscoroutinefunction)
    each time it calls a hook, view or context processor, ~25 times a request."""

    _SYNC_KEPT_MAX = 4096

    def __init__(self, *args, **kwargs):
        self._sync_callables: set = set()
        super().__init__(*args, **kwargs)

    def ensure_sync(self, func):
        kept = self._sync_callables
        try:
            if func in kept:
                return func
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
        made = super().ensure_sync(func)
        if made is func and len(kept) < self._SYNC_KEPT_MAX:
            kept.add(func)
        return made


def create_app(config: type[Config] | None = None, overrides: dict | None = None) -> Flask:
    app = Liaison(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=os.environ.get("LIAISON_INSTANCE_DIR", str(ROOT / "instance")),
    )
    app.jinja_environment = GlobalsEnvironment  # before anything makes app.jinja_env (app.jinja_env)
    _configure(app, config or config_from_env(), overrides)
    return_large_allocations()

    from app import models  # noqa: F401  (registers every table)
    from app.extensions import csrf, db, limiter, login_manager

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app.i18n import install as install_i18n

    install_i18n(app)
    _install_database_hooks(app, db)

    if app.config.get("TRUSTED_PROXIES"):
        # Behind a load balancer: trust its X-Forwarded-* headers (client IP for rate limits, https).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app import subscribers  # noqa: F401  (connects the signal subscribers once)
    from app.web import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _configure(app: Flask, config_class: type[Config], overrides: dict | None) -> None:
    if config_class is ProductionConfig or issubclass(config_class, ProductionConfig):
        config_class.validate()
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "connect_args": {"timeout": 30},
        }
    else:
        # Reuse the most recently returned connection: under load the same few stay busy (and need
        # no liveness test, app.db_events.install_idle_ping) while spare ones age out.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_use_lifo": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _install_database_hooks(app: Flask, db) -> None:
    from app.cache import dependencies, stamps, timing
    from app.db_events import (
        install_idle_ping,
        install_postgresql_read_mode,
        install_sqlite_pragmas,
        keep_long_statements_parsed,
    )

    stamps.install()
    if app.config.get("CACHE_CHECK_DEPENDENCIES"):  # (its listeners do nothing otherwise, on every statement)
        dependencies.install()
    with app.app_context():
        install_sqlite_pragmas(db.engine)
        install_postgresql_read_mode(db.engine)
        if db.engine.dialect.name == "postgresql":
            keep_long_statements_parsed()
        install_idle_ping(db.engine, app.config["DATABASE_IDLE_PING_SECONDS"])
    timing.install(app)
