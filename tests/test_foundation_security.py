"""Foundation security: CSRF, cookies, production settings, CSP, error pages, no inline scripts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app import create_app
from app.extensions import limiter
from config import ProductionConfig, TestingConfig
from tests.factories import PASSWORD
from tests.test_hostile_forms import id_values, routes, seed_small, url_candidates


@pytest.fixture
def extra_app(database_url):
    """Build another app on the test database; the shared Limiter object is restored afterwards."""
    saved = dict(limiter.__dict__)

    def build(config=TestingConfig, **overrides):
        return create_app(config, {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})

    yield build
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# ------------------------------------------------------------------------------ CSRF


def test_csrf_is_enforced_when_enabled(app, make, extra_app):
    user = make.user(email="csrf@police.example.ge")
    protected = extra_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "Your form expired" in response.get_data(as_text=True)

    as_json = client.post("/login", data={"email": user.email, "password": PASSWORD},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.get_json()["error"]["code"] == 400

    wrong = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert wrong.status_code == 400

    token = _csrf_token(client.get("/login").get_data(as_text=True))
    signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302
    # The sign-out button carries its own token; without it sign-out is refused.
    assert client.post("/logout").status_code == 400
    token = _csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


# ------------------------------------------------------------------------------ cookies and production


def _set_cookie(response, name="session") -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = _set_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, extra_app):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    for bad in (None, "", "dev", "change-me", "dev-insecure-secret-key", "short-but-not-empty"):
        if bad is None:
            monkeypatch.delenv("SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("SECRET_KEY", bad)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            ProductionConfig.validate()
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            extra_app(ProductionConfig)


def test_production_cookies_are_secure_and_signed_with_the_real_key(monkeypatch, extra_app):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "BASE_URL", ProductionConfig.BASE_URL)
    key = "9f" * 32
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("BASE_URL", "https://liaison.example/")
    production = extra_app(ProductionConfig)
    assert production.config["SECRET_KEY"] == key
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["DEMO_MODE"] is False
    assert production.config["BASE_URL"] == "https://liaison.example"
    response = production.test_client().get("/login", base_url="https://liaison.example")
    cookie = _set_cookie(response)  # the CSRF token lives in the session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


# ------------------------------------------------------------------------------ headers and error pages


def test_content_security_policy_forbids_inline_scripts(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def boom_app(extra_app):
    fresh = extra_app()

    @fresh.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    return fresh


@pytest.mark.parametrize("code, make_request", [
    (400, lambda client, member_client: client.get("/?q=a%00b")),
    (403, lambda client, member_client: member_client.get("/admin/users")),
    (404, lambda client, member_client: client.get("/no/such/page")),
    (405, lambda client, member_client: client.get("/logout")),
])
def test_error_pages_are_html(client, make, login, code, make_request):
    member_client = login(make.user(role="member"))
    response = make_request(client, member_client)
    assert response.status_code == code
    assert "text/html" in response.content_type
    html = response.get_data(as_text=True)
    assert f"Error {code}" in html and "Go to the home page" in html


@pytest.mark.parametrize("code, path", [(400, "/?q=a%00b"), (403, "/admin/users"), (404, "/no/such/page"),
                                        (405, "/logout")])
def test_error_pages_are_json_when_json_is_asked_for(make, login, code, path):
    member_client = login(make.user(role="member"))
    response = member_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == code
    assert response.is_json and response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_405_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert "POST" in response.headers["Allow"]


def test_unexpected_error_gives_a_500_page_without_details(boom_app):
    client = boom_app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500 and "text/html" in response.content_type
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "kaboom" not in html and "Traceback" not in html
    as_json = client.get("/boom", headers={"Accept": "application/json"})
    assert as_json.status_code == 500 and as_json.get_json()["error"]["code"] == 500
    assert "kaboom" not in as_json.get_data(as_text=True)


# ------------------------------------------------------------------------------ every page: CSP-clean HTML


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
        href = (names.get("href") or "").strip().lower()
        if href.startswith("javascript:"):
            self.problems.append(f"<{tag} href=javascript:...>")


def test_every_page_is_free_of_inline_scripts_handlers_and_styles(app, make, login):
    data = seed_small(make)
    values = id_values(data)
    clients = {"anonymous": app.test_client()}
    for role in ("admin", "organiser", "member"):
        clients[role] = login(data["users"][role])
    problems, pages = [], 0
    for rule in routes(app, "GET"):
        for url in url_candidates(app, rule, values, missing=False):
            for who, client in clients.items():
                response = client.get(url)
                if response.status_code != 200 or "text/html" not in (response.content_type or ""):
                    continue
                pages += 1
                finder = _InlineFinder()
                finder.feed(response.get_data(as_text=True))
                problems += [f"{who} {url}: {p}" for p in dict.fromkeys(finder.problems)]
    assert pages >= 10
    assert not problems, "\n".join(problems[:40])


def test_ids_beyond_the_database_integer_range_answer_404_on_every_route(app, client):
    """Every `<int:…>` in the URL map, given a number PostgreSQL's INTEGER cannot hold: a 404, never
    a 500 from the database (GET, and POST for the routes that only take POST)."""
    from werkzeug.routing import IntegerConverter

    too_big = str(10**20)  # beyond 64 bits too: the drivers cannot even send it
    checked = 0
    for rule in app.url_map.iter_rules():
        names = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if not names:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", too_big if name in names else "1").replace(f"<{name}>", "x")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code in (404, 405), (rule.rule, response.status_code)
        checked += 1
    assert checked > 40
