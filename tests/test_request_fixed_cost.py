"""What every request pays, made cheaper without changing what it does: the session cookie's serializer
built once per secret key, CSRF tokens signed as flask_wtf signs them, argument-less addresses
remembered (app.accounts.auth, app.templating)."""

from __future__ import annotations

import re
import time

from flask import g, session, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import URLSafeTimedSerializer

from app.templating import csrf_token
from app.templating import url_for as remembered_url_for


def test_session_cookie_follows_a_new_secret_key(app, make, login):
    user = make.user()
    client = login(user)
    assert client.get("/profile").status_code == 200
    saved = app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")
    try:
        # A new key with the old one as a fallback: the cookie is still read; without it, it is not.
        app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-for-this-test", [saved[0]]
        assert client.get("/profile").status_code == 200
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert client.get("/profile").status_code == 302
    finally:
        app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = saved


def test_page_csrf_token_is_flask_wtf_token(app, make, login):
    client = login(make.user())
    with client:
        html = client.get("/").get_data(as_text=True)
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert len(tokens) == 1
        token = tokens.pop()
        assert g.csrf_token == token and generate_csrf() == token
        validate_csrf(token)


def test_csrf_token_on_a_first_visit_goes_through_flask_wtf(app):
    with app.test_request_context("/"):
        token = csrf_token()
        assert token == generate_csrf()
        validate_csrf(token)


def test_remembered_addresses_are_flask_addresses(app):
    for base in ("/", "/sub/path"):
        with app.test_request_context("/", base_url=f"http://example.test{base}"):
            for endpoint, values in (("events.index", {}), ("static", {"filename": "css/app.css"}),
                                     ("events.detail", {"event_id": 7}), ("events.index", {"q": "x"}),
                                     ("events.index", {"_external": True})):
                assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values)
                assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values)


def test_remembered_addresses_with_arguments_are_flask_addresses(app):
    cases = (("events.index", {"country": "BE", "page": 2}), ("events.index", {"page": 2, "country": "BE"}),
             ("events.index", {"flag": True}), ("events.index", {"flag": 1}), ("events.index", {"q": "a&b=c <x>"}),
             ("events.detail", {"event_id": 7, "_anchor": "register"}), ("events.index", {"_external": True, "tab": "past"}),
             ("events.index", {"_external": True, "_scheme": "https", "tab": "past"}),
             ("lessons.library", {"status": "submitted"}), ("events.index", {"country": None}),
             ("events.index", {"theme": ["1", "2"]}))  # (a list: not a key, built as before)
    for _round in range(2):
        for base in ("/", "/sub/path", "https://other.test:8443/x"):
            url = base if "://" in base else f"http://example.test{base}"
            with app.test_request_context("/", base_url=url):
                for endpoint, values in cases:
                    assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values), (base, values)
    with app.test_request_context("/"):
        assert remembered_url_for("events.index", flag=True) == "/events?flag=True"
        assert remembered_url_for("events.index", flag=1) == "/events?flag=1"


def test_remembered_navigation_is_the_viewers(app, make, login):
    """The navigation is remembered per (what the viewer may see, language, site address): whatever
    was remembered before, each viewer gets the entries built afresh for them."""
    from app import templating

    viewers = [None, make.user(), make.user(email_confirmed_at=None), make.user(role="organiser"),
               make.user(role="coordinator"), make.user(role="admin"), make.organisation_admin(make.organisation())]
    seen = set()
    for language in ("en", "uk"):
        for viewer in viewers:
            client = login(viewer) if viewer is not None else app.test_client()
            with client:
                assert client.get(f"/?lang={language}").status_code == 200
                remembered = [dict(item) for item in templating.nav_items()]
                kept = dict(templating._NAV_BUILT)
                templating._NAV_BUILT.clear()
                fresh = templating.nav_items()
                templating._NAV_BUILT.update(kept)  # the next viewers find every list built so far
                assert remembered == fresh
                seen.add(tuple((item["endpoint"], str(item["label"]), item["manage"]) for item in fresh))
    assert len(seen) == 12  # (the unconfirmed account's is the visitor's; each role's its own, per language)


def test_signed_in_user_is_a_persistent_user_read_in_one_statement(app, make, login):
    """The signed-in user's row is read as plain columns and made a User without the ORM's loading
    (app.accounts.auth._as_user): a persistent, unchanged User of this request's session, with the
    facts page views ask (organisation admin, consent awaited) read in the same statement."""
    from flask_login import current_user
    from sqlalchemy import inspect

    from app.accounts.models import User
    from app.extensions import db
    from tests.querycount import QueryCounter

    organisation = make.organisation()
    user = make.organisation_admin(organisation, name="Olena")
    organisation_id = organisation.id
    client = login(user)
    with client:
        with QueryCounter(db.engine) as counter:
            assert client.get("/bench-nothing-here").status_code == 404
            signed_in = current_user._get_current_object()
            assert signed_in.administers_organisation and not signed_in.awaits_consent
        # the user, its facts and the change stamps in one statement (SQLite's BEGIN aside)
        assert [sql for sql in counter.statements if not sql.startswith("BEGIN")] == counter.statements[-1:]
        assert type(signed_in) is User and inspect(signed_in).persistent
        assert signed_in in db.session and not db.session.dirty and not db.session.new
        assert inspect(signed_in).attrs.name.history.unchanged == ["Olena"]
        with QueryCounter(db.engine) as counter:
            assert signed_in.organisation.id == organisation_id  # loaded when first touched
        assert counter.count == 1
    with client:  # a request that changes data reads the user alone; the consent fact when asked
        client.post("/bench-nothing-here")
        signed_in = current_user._get_current_object()
        with QueryCounter(db.engine) as counter:
            assert signed_in.awaits_consent is False
        assert counter.count == 1


def test_changes_to_the_signed_in_user_are_saved(app, make, login):
    from flask_login import current_user

    from app.accounts.models import User
    from app.extensions import db

    user = make.user(name="Before")
    client = login(user)
    with client:
        client.get("/bench-nothing-here")
        current_user.name = "After"
        assert current_user._get_current_object() in db.session.dirty
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "After"


def test_permission_checks_look_the_signed_in_user_up_once(app, make, login):
    """is_signed_in and has_role take current_user (a proxy) or a user: the same answers, the proxy
    resolved once (app.roles.unproxied)."""
    from flask_login import current_user

    from app.roles import Role, has_role, is_signed_in, unproxied

    user = make.user(role="organiser")
    client = login(user)
    with client:
        client.get("/bench-nothing-here")
        real = current_user._get_current_object()
        assert unproxied(current_user) is real and unproxied(real) is real and unproxied(None) is None
        assert is_signed_in(current_user) and has_role(current_user, Role.ORGANISER)
        assert not has_role(current_user, Role.COORDINATOR)
    with app.test_client() as visitor:
        visitor.get("/bench-nothing-here")
        assert not is_signed_in(current_user) and not has_role(current_user, Role.ORGANISER)


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_session_cookie_is_checked_once_and_its_age_on_every_request(app, make, login, monkeypatch):
    """The session cookie a browser sends again and again is verified and decoded once (its signature
    is the same string under the same keys); its age is still checked on every request, as
    itsdangerous checks it, and each request gets a session of its own."""
    client = login(make.user())
    assert client.get("/profile").status_code == 200
    cookie = _session_cookie(client)
    interface = app.session_interface
    headers = {"Cookie": f"session={cookie}"}
    with app.test_request_context("/", headers=headers):
        from flask import request

        assert interface.open_session(app, request)["_user_id"]  # its first request
    serializer = interface.get_signing_serializer(app)
    checked = []
    real_loads = serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda *a, **k: checked.append(a) or real_loads(*a, **k))
    with app.test_request_context("/", headers=headers):
        from flask import request

        first = interface.open_session(app, request)
        second = interface.open_session(app, request)
        assert dict(first) == dict(second) and first["_user_id"]
        first["language"] = "uk"  # one request's change is not another's
        assert "language" not in interface.open_session(app, request)
        assert not second.modified
    assert checked == []  # remembered from its first request

    lifetime = app.permanent_session_lifetime.total_seconds()
    signed_at = time.time()
    monkeypatch.setattr(time, "time", lambda: signed_at + lifetime + 60)
    with app.test_request_context("/", headers=headers):
        from flask import request

        assert dict(interface.open_session(app, request)) == {}  # expired, as itsdangerous says
    monkeypatch.setattr(time, "time", lambda: signed_at - 3600)
    with app.test_request_context("/", headers=headers):
        from flask import request

        assert dict(interface.open_session(app, request)) == {}  # signed in the future: refused too


def test_a_changed_session_cookie_is_refused(app, make, login):
    client = login(make.user())
    assert client.get("/profile").status_code == 200
    cookie = _session_cookie(client)
    payload, _sep, signature = cookie.rpartition(".")
    forged = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    client.set_cookie("session", forged)
    assert client.get("/profile").status_code == 302  # sent to sign in


def test_csrf_token_is_what_flask_wtf_signs(app, make, login, monkeypatch):
    """The token a page carries is itsdangerous' URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
    .dumps(raw), as flask_wtf's generate_csrf makes it, byte for byte at the same second."""
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.25)
    client = login(make.user())
    for _ in range(2):  # built, then from what was kept
        with client:
            client.get("/")
            raw = session["csrf_token"]
            del g.csrf_token
            token = csrf_token()
            expected = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
            assert token == expected
            validate_csrf(token)


def test_a_remembered_label_is_the_lazy_strings_translation(app):
    """app.i18n.translated answers a lazy_gettext string from the remembered catalog: the same text
    flask_babel gives, in every language."""
    from flask_babel import force_locale

    from app.i18n import LANGUAGES, translated
    from app.roles import Role

    with app.test_request_context("/"):
        for code, _name in LANGUAGES:
            with force_locale(code):
                for lazy in Role.__labels__.values():
                    assert translated(lazy) == str(lazy)
