"""Roles decide who may open the admin pages; `flask users create` makes accounts from the shell."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.accounts.passwords import verify_password
from app.accounts.permissions import (
    can_create_events,
    can_manage_users,
    has_role,
)
from app.directory.access import can_manage_directory


@pytest.mark.parametrize("role, status", [("member", 403), ("organiser", 403), ("coordinator", 403), ("admin", 200)])
def test_only_admins_open_the_user_list(make, login, role, status):
    user = make.user(role=role)
    assert login(user).get("/admin/users").status_code == status


def test_anonymous_visitor_is_sent_to_sign_in_from_admin_pages(client, make):
    target = make.user()
    assert client.get("/admin/users").status_code == 302
    assert client.get(f"/admin/users/{target.id}").status_code == 302
    assert client.post(f"/admin/users/{target.id}", data={"role": "admin"}).status_code == 403


def test_admin_changes_a_role_and_the_user_is_signed_out(make, login, db):
    admin, member = make.user(role="admin"), make.user(role="member", name="Bojan Trajkovski")
    member_client, admin_client = login(member), login(admin)
    response = admin_client.post(f"/admin/users/{member.id}", data={
        "name": "Bojan Trajkovski", "email": member.email, "role": "organiser", "organisation_id": "0",
        "is_active": "y"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, member.id).role == Role.ORGANISER
    assert member_client.get("/profile").status_code == 302


def test_admin_cannot_demote_themselves(make, login, db):
    admin = make.user(role="admin")
    response = login(admin).post(f"/admin/users/{admin.id}", data={
        "name": admin.name, "email": admin.email, "role": "member", "organisation_id": "0", "is_active": "y"})
    assert response.status_code == 200 and "cannot remove your own admin role" in response.get_data(as_text=True)


def test_permission_helpers_follow_the_roles(app, make):
    users = {role: make.user(role=role) for role in ("admin", "coordinator", "organiser", "member")}
    assert [can_manage_users(users[r]) for r in users] == [True, False, False, False]
    assert [can_manage_directory(users[r]) for r in users] == [True, True, False, False]
    assert [can_create_events(users[r]) for r in users] == [True, True, True, False]
    assert not has_role(None) and not can_manage_directory(None)


def test_users_create_command_makes_an_admin_and_refuses_a_duplicate(runner, db):
    args = ["users", "create", "--role", "admin", "--email", "Root@Liaison.example", "--name", "Hanna Weber",
            "--password", "a long admin passphrase", "--timezone", "Europe/Budapest"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Created admin root@liaison.example" in result.output
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "root@liaison.example"))
    assert user.role == Role.ADMIN and user.timezone == "Europe/Budapest"
    assert verify_password(user.password_hash, "a long admin passphrase")

    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "exists already" in again.output
    weak = runner.invoke(args=["users", "create", "--email", "x@liaison.example", "--name", "X", "--password", "password"])
    assert weak.exit_code != 0 and "too common" in weak.output
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == 1
