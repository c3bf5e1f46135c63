"""Signing out ends that session for good: a copy of its cookie, or of its remember-me cookie,
taken before signs nobody in afterwards, while the user's other sessions carry on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import RevokedSession
from app.timeutil import now, set_now
from tests.factories import PASSWORD


def _copy(app, client, *names):
    """Another browser holding a copy of `client`'s cookies called `names`."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def _signed_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_copied_session_cookie_stops_working_when_its_session_signs_out(app, login, make):
    user = make.user()
    web = login(user)
    web.get("/")
    copy = _copy(app, web, "session")
    assert _signed_in(copy)  # until sign-out, a copy works: that is what signing out must end

    assert web.post("/logout").status_code == 302
    assert not _signed_in(web)
    assert not _signed_in(copy)
    assert not _signed_in(_copy(app, copy, "session"))


def test_signing_out_one_browser_leaves_the_others_signed_in(app, login, make, db):
    user = make.user()
    office, phone = login(user), login(user)
    office.post("/logout")
    assert not _signed_in(office)
    assert _signed_in(phone)
    # Signing in again on the first browser starts a new session that works.
    office = login(user)
    assert _signed_in(office)
    assert db.session.scalars(select(RevokedSession.user_id)).all() == [user.id]


def test_a_copied_remember_me_cookie_stops_working_too(app, make):
    user = make.user()
    web = app.test_client()
    response = web.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    remembered = _copy(app, web, "remember_token")
    assert _signed_in(remembered)  # the remember-me cookie alone signs a browser in

    web.post("/logout")
    assert not _signed_in(_copy(app, web, "remember_token") if web.get_cookie("remember_token") else web)
    assert not _signed_in(remembered)  # the session it restored is the same session, revoked
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    assert not _signed_in(stolen)


def test_sessions_started_before_session_ids_still_sign_in(app, make):
    user = make.user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True
    assert _signed_in(client)
    client.post("/logout")
    assert not _signed_in(client)


def test_revocations_are_kept_as_long_as_a_cookie_could_be_and_no_longer(app, login, make, db):
    start = now()
    set_now(start)
    first = make.user()
    login(first).post("/logout")
    kept = db.session.scalars(select(RevokedSession)).all()
    assert [r.user_id for r in kept] == [first.id]
    # The remember-me cookie (365 days by default) outlives the session cookie (12 hours).
    assert kept[0].expires_at - kept[0].revoked_at == timedelta(days=365)

    set_now(start + timedelta(days=366))
    second = make.user()
    login(second).post("/logout")
    db.session.expire_all()
    assert db.session.scalars(select(RevokedSession.user_id)).all() == [second.id]


def test_a_password_change_keeps_this_session_and_its_revocability(app, login, make):
    user = make.user()
    web, other = login(user), login(user)
    response = web.post("/profile/password", data={
        "password-current_password": PASSWORD, "password-password": "a new long passphrase 2026"
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert _signed_in(web) and not _signed_in(other)
    copy = _copy(app, web, "session")
    web.post("/logout")
    assert not _signed_in(copy)
