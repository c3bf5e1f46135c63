"""Who is asking: the bearer token of an API request, its scopes, its rate limit, and CORS.

Only `Authorization: Bearer <token>` authenticates an API request: a session cookie is ignored under
/api/ (the request runs as a visitor, whatever the browser holds), so a page's cookie can never be
ridden by another site, and CSRF tokens do not apply to the API (app.api.spec exempts it). The token
acts as its owner, loaded fresh on every request: the owner's role, memberships and appointments
are read by the same rules the pages use, at the moment of the request."""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _

from app.accounts.api_tokens import authenticate, grants
from app.api.problems import problem_response, refuse
from app.extensions import limiter, login_manager

API_V1 = "/api/v1"
# The description and its page need no token.
OPEN_PATHS = (f"{API_V1}/openapi.json", f"{API_V1}/docs")


def _is_api(path: str) -> bool:
    return path == API_V1 or path.startswith(API_V1 + "/")


def authenticate_request():
    """before_request: set the acting user (the token's owner, or a visitor) for API requests."""
    if not _is_api(request.path):
        return None
    g.api_token = None
    g._login_user = login_manager.anonymous_user()  # never the session cookie's user
    if request.method == "OPTIONS" or request.path in OPEN_PATHS:
        return None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, secret = header.partition(" ")
    token = authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return problem_response(401, _("The token is not valid: it may be mistyped, revoked, or its "
                                       "owner's account is no longer active."))
    g.api_token = token
    g._login_user = token.user
    return None


def current_token():
    return g.get("api_token")


def needs(scope: str, *, public: bool = False):
    """Guard an operation: a token holding `scope` (write includes read). `public`: a request
    without any token also goes through, as a visitor (the page is open to visitors too)."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            token = current_token()
            if token is None and not public:
                refuse(401)
            if token is not None and not grants(token, scope):
                refuse(403, _("This token lacks the %(scope)s scope.", scope=scope))
            return view(*args, **kwargs)

        guarded._api_scope = scope  # read by the documentation (app.api.spec)
        return guarded

    return decorate


def rate_limit_key() -> str:
    token = current_token()
    return f"token:{token.id}" if token is not None else f"ip:{request.remote_addr}"


def rate_limit_value() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


def limit_blueprint(blueprint) -> None:
    """Every operation of the blueprint counts against its token's limit (a visitor's: its address)."""
    limiter.limit(rate_limit_value, key_func=rate_limit_key)(blueprint)


def add_rate_limit_headers(response):
    """RateLimit-* headers (IETF draft) beside Flask-Limiter's X-RateLimit-* ones."""
    if not _is_api(request.path):  # (first: asking the limiter makes it note the request: app.library_hooks)
        return response
    current = getattr(limiter, "current_limit", None)
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(current.remaining, 0))
        response.headers["RateLimit-Reset"] = str(max(int(current.reset_at - _epoch_now()), 0))
        response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={current.limit.get_expiry()}"
    return response


def _epoch_now() -> float:
    return time.time()


def add_cors_headers(response):
    """CORS: off unless API_CORS_ORIGINS lists the asking origin (exact match)."""
    origin = request.headers.get("Origin")
    if not origin:  # (first: most requests carry none)
        return response
    allowed = current_app.config.get("API_CORS_ORIGINS") or ()
    if not _is_api(request.path) or origin not in allowed:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, If-None-Match"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, Location, Link, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy")
    response.headers["Access-Control-Max-Age"] = "600"
    return response
