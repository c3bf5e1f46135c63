"""The API's protocol: the OpenAPI 3.1 description and its page (under the CSP), problem details,
CORS off unless configured per origin, per-token rate limits with RateLimit headers, no CSRF on
bearer requests, summaries' exports."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.accounts.models import Role
from config import TestingConfig
from tests.api.conftest import ApiClient, token_for


def test_openapi_31_description_lists_every_operation_with_bearer_security(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    operations = [(path, method) for path, item in spec["paths"].items() for method in item if method != "parameters"]
    assert len(operations) >= 25
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_docs_page_uses_vendored_assets_and_no_inline_script(app, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html and "js/api-docs.js" in html
    assert "<script>" not in html and "style=" not in html
    # Nothing from another host (a random CSRF token once held the letters "cdn": look at addresses only).
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_unknown_path_and_method_are_problems(app, client):
    missing = client.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.json["status"] == 404 and missing.json["instance"] == "/api/v1/nowhere"
    wrong = client.put("/api/v1/events")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]


def test_cors_is_off_by_default(app, client):
    response = client.get("/api/v1/events", headers={"Origin": "https://project.example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_answers_only_the_configured_origins(app):
    app.config["API_CORS_ORIGINS"] = ("https://project.example.org",)
    try:
        client = app.test_client()
        allowed = client.options("/api/v1/events", headers={
            "Origin": "https://project.example.org", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://project.example.org"
        assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
        other = client.get("/api/v1/events", headers={"Origin": "https://evil.example.com"})
        assert "Access-Control-Allow-Origin" not in other.headers
        assert "Access-Control-Allow-Origin" not in client.get("/events", headers={
            "Origin": "https://project.example.org"}).headers
    finally:
        app.config["API_CORS_ORIGINS"] = ()


@pytest.fixture
def limited_app(_app, isolated_limiter):
    """The test app's database with the rate limiter on (3 requests a minute per token)."""
    limited = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                         "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"})
    with limited.app_context():
        yield limited


def test_rate_limit_is_per_token_with_ratelimit_headers(app, make, limited_app):
    first = ApiClient(limited_app.test_client(), token_for(make.user()))
    second = ApiClient(limited_app.test_client(), token_for(make.user()))
    answers = [first.get("/api/v1/events") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[3].mimetype == "application/problem+json"
    assert second.get("/api/v1/events").status_code == 200  # another token has its own budget


def test_csrf_does_not_apply_to_bearer_requests(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        event = make.event("Open")
        api = ApiClient(app.test_client(), token_for(make.user()))
        response = api.post(f"/api/v1/events/{event.id}/registration", json={"consent": True})
        assert response.status_code == 201
        # the site's forms still need their token
        assert app.test_client().post("/login", data={"email": "x@example.org"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_summaries_list_and_export_for_coordinators(app, make):
    from app.lessons.summaries.store import SummaryDraft, save

    coordinator = make.user(role=Role.COORDINATOR)
    event = make.past_event()
    lesson = make.lesson(event, coordinator, title="Shared")
    summary = save(coordinator, SummaryDraft("Network summary", {}, "theme", [lesson.id], "Intro", "End")).summary
    api = ApiClient(app.test_client(), token_for(coordinator))
    listed = api.get("/api/v1/summaries").json
    assert listed[0]["title"] == "Network summary" and set(listed[0]["exports"]) == {"pdf", "docx", "md", "html"}
    markdown = api.get(listed[0]["exports"]["md"])
    assert markdown.status_code == 200 and "Network summary" in markdown.get_data(as_text=True)
    member = ApiClient(app.test_client(), token_for(make.user()))
    assert member.get("/api/v1/summaries").status_code == 403
    assert member.get(f"/api/v1/summaries/{summary.id}/export/md").status_code == 403
