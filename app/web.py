"""Web wiring: blueprints, security headers, error pages, template helpers."""

from __future__ import annotations

import importlib
import json
import secrets
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from app.accounts.auth import install_login
from app.api.problems import is_api_request, problem_for_exception, problem_response
from app.api.spec import install_api
from app.db import begin_write
from app.extensions import db, limiter
from app.i18n import DEFAULT, html_lang, supported
from app.library_hooks import install as install_library_hooks
from app.negotiation import wants_json
from app.templating import install_template_helpers

BLUEPRINTS = [
    "app.main.views",
    "app.accounts.views",
    "app.accounts.membership_views",
    "app.accounts.identity_views",
    "app.accounts.token_views",
    "app.directory.views",
    "app.directory.lookup_views",
    "app.facilities.views",
    "app.events.views",
    "app.registrations.views",
    "app.contributions.views",
    "app.calendar.views",
    "app.calendar.reply_views",
    "app.lessons.views",
    "app.assessments.views",
    "app.reports.assessment_views",
    "app.scheduler.views",
    "app.travel.views",
    "app.reports.views",
    "app.certificates.views",
    "app.learning.views",
    "app.privacy.views",
]


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in every route: a number the database's INTEGER columns can hold (PostgreSQL's
    int4), so an id beyond that range is not found (404) instead of failing in the database."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # Not found, whatever the method: matching on would answer 405 where another rule
            # serves the same path with other methods (GET /lessons/actions/<id> beside its POST).
            raise NotFound() from None


def register_web(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added
    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)
    install_api(app)

    @app.before_request
    def _sqlite_writes_take_the_lock_first():
        # Requests that change data start with SQLite's write lock (BEGIN IMMEDIATE), so a request
        # that reads (the signed-in user) and then writes queues behind other writers instead of
        # failing with "database is locked". A no-op on PostgreSQL.
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if db.engine.dialect.name == "sqlite":
                begin_write(db.session)

    install_login(app)
    _install_security_headers(app)
    _install_error_handlers(app)

    install_template_helpers(app)
    install_library_hooks(app, limiter)  # (last: after every hook they sit among)


def _has_nul(values) -> bool:
    return any("\x00" in value for items in values.listvalues() for value in items if isinstance(value, str))


def _install_security_headers(app: Flask) -> None:
    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.before_request
    def _refuse_nul_bytes():
        # No legitimate text contains NUL, and PostgreSQL refuses it in text columns (a 500 later).
        asked = request._get_current_object()  # (each look through the proxy finds the request again)
        if "\x00" in asked.path or _has_nul(asked.args):
            abort(400)
        if asked.method in ("POST", "PUT", "PATCH", "DELETE") and asked.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ) and _has_nul(asked.form):
            abort(400)

    @app.after_request
    def _headers(response):
        # Each header unless the view set its own (as Headers.setdefault, in this order), with one
        # look at the response's headers instead of two scans for each of them.
        headers = response.headers
        present = {key.lower() for key, _value in headers}
        for lower, name, value in _SECURITY_HEADERS:
            if lower not in present:
                headers.add(name, value)
        if app.config.get("SESSION_COOKIE_SECURE") and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


_CSP = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
# (lower-case name, name, value) of the headers every response carries.
_SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in (
    ("Content-Security-Policy", _CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
))


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see or do this.")),
    404: (_l("Not found"), _l("There is nothing here. The link may be old, or the page was removed.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (_l("Too many requests"), _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened. It has been logged; please try again.")),
}
FORM_EXPIRED = _l("Your form expired or was sent from elsewhere. Please reload the page and try again.")


# Shown when the database cannot be reached: a static file, because every rendered page touches the
# database (the signed-in user, the change stamps, the navigation).
UNAVAILABLE_PAGE = Path(__file__).resolve().parent / "static" / "errors" / "unavailable.html"
UNAVAILABLE_RETRY_SECONDS = 30


def _is_database_unavailable(exc: BaseException | None) -> bool:
    """A database that cannot be reached (or is locked, or the pool is exhausted), anywhere in the chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable_response() -> Response:
    """503 with Retry-After and a page that needs no database, no template and no session."""
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS), "Cache-Control": "no-store"}
    if wants_json():
        body = {"code": 503, "title": "Unavailable", "message": "The database cannot be reached; try again soon."}
        return Response(json.dumps({"error": body}), 503, headers, mimetype="application/json")
    return Response(_unavailable_html(), 503, headers, mimetype="text/html")


_UNAVAILABLE_BY_LANGUAGE: dict[tuple[str, str], str] = {}


def _unavailable_html() -> str:
    """The 503 page in the visitor's language, chosen without the database (?lang, the session cookie,
    Accept-Language) and rendered once per language; the static English file if even that fails."""
    language = (supported(request.args.get("lang")) or supported(session.get("language"))
                or next((supported(v) for v, _q in request.accept_languages if supported(v)), None) or DEFAULT)
    key = (language, request.script_root)
    if key not in _UNAVAILABLE_BY_LANGUAGE:
        try:
            with force_locale(language):
                template = current_app.jinja_env.get_template("errors/unavailable.html")
                _UNAVAILABLE_BY_LANGUAGE[key] = template.render(lang=html_lang(language), root=request.script_root)
        except Exception:  # noqa: BLE001 - the page of last resort must not fail
            return UNAVAILABLE_PAGE.read_text(encoding="utf-8").replace('"/', f'"{request.script_root}/')
    return _UNAVAILABLE_BY_LANGUAGE[key]


def _install_error_handlers(app: Flask) -> None:
    def render_error(code: int, description: str | None = None):
        try:
            return _render_error(code, description)
        except Exception as exc:  # noqa: BLE001 - the error page itself failed: never a bare 500
            app.logger.exception("The error page failed (database unavailable: %s)", _is_database_unavailable(exc))
            _forget_session()
            return unavailable_response()

    def _forget_session():
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - best effort: the connection may be gone
            pass

    def _render_error(code: int, description: str | None = None):
        title, text = ERROR_TEXT.get(code, (_l("Error"), description or ""))
        if code == 400 and description and "CSRF" in description:
            text = FORM_EXPIRED
        title, text = str(title), str(text)
        if wants_json():
            return jsonify(error={"code": code, "title": title, "message": text}), code
        return render_template("errors/error.html", code=code, title=title, text=text), code

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if is_api_request():
            return problem_for_exception(exc)
        response = render_error(exc.code or 500, exc.description)
        if exc.code == 405 and getattr(exc, "valid_methods", None) and isinstance(response, tuple):
            body, code = response
            return body, code, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        _forget_session()
        if is_api_request():
            if _is_database_unavailable(exc):
                return problem_response(503, headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)})
            return problem_response(500)
        if _is_database_unavailable(exc):
            return unavailable_response()
        return render_error(500)
