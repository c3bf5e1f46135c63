"""The API's wiring: flask-smorest's Api (OpenAPI 3.1 description at /api/v1/openapi.json), the
resource blueprints, token authentication, rate limits, ETags, CORS; and the problem responses the
description promises for errors."""

from __future__ import annotations

import http
import importlib

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.api import auth
from app.api.problems import PROBLEM_TYPE, ProblemSchema
from app.api.views import docs
from app.extensions import csrf

RESOURCES = [
    "app.api.views.events",
    "app.api.views.registrations",
    "app.api.views.participants",
    "app.api.views.lessons",
    "app.api.views.actions",
    "app.api.views.summaries",
    "app.api.views.reports",
]

DESCRIPTION = """Liaison's JSON API. Authenticate with a personal access token (made on your profile
page): `Authorization: Bearer lsn_…`. A token acts as its owner, with the owner's permissions at the
moment of each request, within its scopes (`events:read`, `events:write`, `registrations:read`,
`registrations:write`, `lessons:read`, `lessons:write`, `reports:read`, `reports:write`; a write
scope includes the read scope). Errors are RFC 9457 problem details. Reads carry an ETag
(send `If-None-Match` to get 304). Lists are paged (`page`, `per_page`) with `links` and a `Link`
header. Session cookies do not authenticate API requests."""


class LiaisonApi(Api):
    """flask-smorest's Api with RFC 9457 problem details as every error response's body. Error
    handling itself is the site's (app.web hands /api/ errors to app.api.problems)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass  # app.web's handlers answer every error, as problem+json under /api/

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = LiaisonApi(spec_kwargs={"info": {"description": DESCRIPTION}})


def _configure(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Liaison API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", auth.API_V1)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })


def _add_etag(response):
    """A strong ETag on every successful read of the API; 304 when If-None-Match names it."""
    if (request.path.startswith(auth.API_V1) and request.method in ("GET", "HEAD") and response.status_code == 200
            and not response.direct_passthrough):
        response.add_etag()
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.make_conditional(request)
    return response


def install_api(app: Flask) -> None:
    """Register the API's blueprints, authentication and response headers (before the site's error
    handlers, which answer API errors as problem+json)."""
    _configure(app)
    # First of all before_request functions: Flask-Limiter's check (installed earlier, in create_app)
    # must know the token, so the limit is counted per token.
    app.before_request_funcs.setdefault(None, []).insert(0, auth.authenticate_request)
    api.init_app(app)
    for module_name in RESOURCES:
        blueprint = importlib.import_module(module_name).blp
        csrf.exempt(blueprint)
        auth.limit_blueprint(blueprint)
        api.register_blueprint(blueprint, url_prefix=auth.API_V1)
    app.register_blueprint(docs.bp)
    app.after_request(_add_etag)
    app.after_request(auth.add_rate_limit_headers)
    app.after_request(auth.add_cors_headers)
