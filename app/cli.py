"""Command-line interface: `flask users ...`, `flask outbox ...`, `flask demo ...`, `flask scheduler ...`."""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import AppGroup

from app.accounts.confirmation import mark_confirmed
from app.accounts.passwords import hash_password, password_problem
from app.accounts.services import AccountError, NewUser, create_user, find_by_email
from app.extensions import db, init_migrations
from app.roles import Role

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "coordinator", "organiser", "member"]), default="member")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--timezone", default="Europe/Brussels")
def create_user_command(email, name, role, password, timezone):
    """Create a user (prompts for the password unless --password is given). Its address counts as
    confirmed: whoever runs the server vouches for it."""
    try:
        user = create_user(NewUser(email=email, name=name, password=password, role=Role(role), timezone=timezone))
        mark_confirmed(user)
        db.session.commit()
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(email, password):
    """Set a user's password (for recovery by an administrator)."""
    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise click.ClickException(problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.commit()
    click.echo(f"Password set for {user.email}.")


# Capability packages contribute their own command groups through a `cli` module with `register(app)`.
CLI_MODULES = [
    "app.registrations.cli",
    "app.lessons.cli",
    "app.notifications.cli",
    "app.demo.cli",
    "app.directory.cli",
    "app.scheduler.cli",
    "app.backup",
]


class _MigrationsGroup(click.Group):
    """`flask db ...`: Flask-Migrate's command group, imported when it runs
    (app.extensions.init_migrations), so that the web workers, which load this CLI too, never do."""

    def __init__(self, app: Flask):
        super().__init__("db", help="Database migrations (Flask-Migrate, Alembic): upgrade, downgrade, current...")
        self._app = app

    def _group(self) -> click.Group:
        init_migrations(self._app)
        from flask_migrate.cli import db as group

        return group

    def make_context(self, info_name, args, parent=None, **extra):
        return self._group().make_context(info_name, args, parent=parent, **extra)


class _CommandsOnDemand(AppGroup):
    """The app's command group (`app.cli`). The capability packages' commands are imported the first
    time a command is looked up or listed: a web worker creates the app too, and would otherwise
    hold the demo data, the scheduler with APScheduler and the backup code it never runs (~5 MB of
    its memory, issue 19)."""

    def __init__(self, app: Flask):
        super().__init__(app.name)
        self._app = app
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module_name in CLI_MODULES:
                importlib.import_module(module_name).register(self._app)

    def get_command(self, ctx, cmd_name):
        self._load()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        self._load()
        return super().list_commands(ctx)


def register_cli(app: Flask) -> None:
    app.cli = _CommandsOnDemand(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(_MigrationsGroup(app))
