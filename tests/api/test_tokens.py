"""Personal access tokens: made on the profile's token page (shown once, stored hashed), used as
Authorization: Bearer, last use recorded, revoked by the owner or an admin; a session cookie does
not authenticate the API; the owner's state is read at every request."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from app.accounts.api_tokens import hash_secret
from app.accounts.models import ApiToken, Role
from app.timeutil import now
from tests import factories
from tests.api.conftest import ApiClient, token_for


def test_token_is_made_on_the_page_shown_once_and_stored_hashed(app, db, make, login):
    user = make.user()
    client = login(user)
    response = client.post("/profile/api-tokens", data={"name": "Website", "scopes": ["events:read"]})
    assert response.status_code == 201
    secret = re.search(r"(lsn_[A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.scopes, token.hint}
    assert secret not in client.get("/profile/api-tokens").get_data(as_text=True)  # never again
    assert token.last_used_at is None
    assert ApiClient(app.test_client(), secret).get("/api/v1/events").status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_the_form_refuses_a_token_without_name_or_scope(app, make, login):
    client = login(make.user())
    response = client.post("/profile/api-tokens", data={"name": "", "scopes": []})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Give the token a name." in text and "Choose at least one scope." in text


def test_the_forms_own_messages_speak_the_persons_language(app, make, login):
    """The token form is on the app's form base (app.forms_base): WTForms' own messages come from
    our catalogs, in Georgian and Macedonian too (WTForms has no catalog of theirs)."""
    for language, too_long, refused in (
            ("ka", "ველი არ შეიძლება იყოს 100 სიმბოლოზე გრძელი.", "&#39;nope&#39; ამ ველისთვის დასაშვები არჩევანი არ არის."),
            ("mk", "Полето не смее да има повеќе од 100 знаци.", "&#39;nope&#39; не е валиден избор за ова поле."),
            ("en", "Field cannot be longer than 100 characters.", "&#39;nope&#39; is not a valid choice for this field.")):
        client = login(make.user(language=language))
        response = client.post("/profile/api-tokens", data={"name": "x" * 101, "scopes": ["events:read", "nope"]})
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert too_long in text and refused in text, language


def test_owner_revokes_and_the_token_stops_at_once(app, db, make, login):
    user = make.user()
    secret = token_for(user)
    api = ApiClient(app.test_client(), secret)
    assert api.get("/api/v1/me/registrations").status_code == 200
    token = db.session.scalars(select(ApiToken)).one()
    assert login(user).post(f"/profile/api-tokens/{token.id}/revoke").status_code == 302
    response = api.get("/api/v1/me/registrations")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_someone_else_cannot_revoke_my_token_but_an_admin_can(app, db, make, login):
    owner, other, admin = make.user(), make.user(), make.user(role=Role.ADMIN)
    secret = token_for(owner)
    token_id = db.session.scalars(select(ApiToken.id)).one()
    assert login(other).post(f"/profile/api-tokens/{token_id}/revoke").status_code == 404
    assert login(other).post(f"/admin/api-tokens/{token_id}/revoke").status_code == 403
    admin_client = login(admin)
    assert owner.email in admin_client.get("/admin/api-tokens").get_data(as_text=True)
    assert admin_client.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 302
    assert ApiClient(app.test_client(), secret).get("/api/v1/me/registrations").status_code == 401


def test_a_deactivated_deleted_or_unconfirmed_owner_makes_the_token_answer_401(app, db, make):
    for change in ({"is_active_account": False}, {"deleted_at": now()}, {"email_confirmed_at": None}):
        user = make.user()
        api = ApiClient(app.test_client(), token_for(user))
        assert api.get("/api/v1/me/registrations").status_code == 200
        for name, value in change.items():
            setattr(user, name, value)
        db.session.commit()
        assert api.get("/api/v1/me/registrations").status_code == 401, change


def test_a_session_cookie_does_not_authenticate_the_api(app, make, login):
    client = login(make.user())
    assert client.get("/profile").status_code == 200
    response = client.get("/api/v1/me/registrations")
    assert response.status_code == 401


def test_a_malformed_or_unknown_bearer_is_401_even_on_public_reads(app, make):
    for header in ("Bearer nope", "Bearer lsn_" + "x" * 43, "Basic dXNlcjpwYXNz", "Bearer "):
        response = app.test_client().get("/api/v1/events", headers={"Authorization": header})
        assert response.status_code == 401, header
    assert app.test_client().get("/api/v1/events").status_code == 200  # no token: a visitor


def test_a_token_without_the_scope_is_refused_403(app, make):
    user = make.user()
    api = ApiClient(app.test_client(), token_for(user, ["events:read"]))
    assert api.get("/api/v1/events").status_code == 200
    response = api.get("/api/v1/me/registrations")
    assert response.status_code == 403
    assert "registrations:read" in response.json["detail"]
    # a write scope includes its read scope
    writer = ApiClient(app.test_client(), token_for(user, ["registrations:write"]))
    assert writer.get("/api/v1/me/registrations").status_code == 200


def test_only_the_hash_is_looked_up(app, db, make):
    user = make.user()
    secret = token_for(user)
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.secret_hash == hash_secret(secret)))
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.secret_hash == secret)) is None


def test_an_owner_asked_for_consent_still_gets_data_not_the_consent_page(app, db, make):
    organiser, person = make.user(role=Role.ORGANISER), make.user()
    event = make.event("Imported")
    make.registration(event, person, added_by_id=organiser.id, consented_at=None)
    response = ApiClient(app.test_client(), token_for(person)).get("/api/v1/events", headers={"Accept": "*/*"})
    assert response.status_code == 200 and response.json["total"] == 1


def test_my_data_lists_my_tokens_and_deleting_the_account_revokes_them(app, db, make, login):
    user = make.user()
    secret = token_for(user, ["events:read"], name="Dashboard")
    client = login(user)
    exported = client.get("/profile/my-data.json").get_data(as_text=True)
    assert '"Dashboard"' in exported and "events:read" in exported
    assert secret not in exported and hash_secret(secret) not in exported
    answer = client.post("/profile/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().revoked_at is not None
    assert ApiClient(app.test_client(), secret).get("/api/v1/events").status_code == 401


def test_an_error_of_the_whole_form_is_shown_once(app, make):
    from flask_login import login_user

    from app.accounts.token_forms import ApiTokenForm
    from app.accounts.token_views import _page

    user = make.user()
    with app.test_request_context("/profile/api-tokens"):
        login_user(user)
        form = ApiTokenForm(formdata=None)
        form.form_errors.append("Tokens cannot be made right now.")
        html, status = _page(form, status=422)
    assert status == 422
    assert html.count("Tokens cannot be made right now.") == 1
