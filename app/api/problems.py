"""Errors of the API as RFC 9457 problem details (application/problem+json), with field errors for
bad input. The site's error handlers (app/web.py) hand every error under /api/ to problem_response."""

from __future__ import annotations

import json

from flask import Response, abort, request
from flask_babel import gettext as _
from marshmallow import Schema, fields

API_PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _titles() -> dict[int, str]:
    """The status codes' own phrases: with type about:blank, RFC 9457 asks for exactly these."""
    return {
        400: _("Bad Request"),
        401: _("Unauthorized"),
        403: _("Forbidden"),
        404: _("Not Found"),
        405: _("Method Not Allowed"),
        406: _("Not Acceptable"),
        409: _("Conflict"),
        412: _("Precondition Failed"),
        413: _("Content Too Large"),
        415: _("Unsupported Media Type"),
        422: _("Unprocessable Content"),
        428: _("Precondition Required"),
        429: _("Too Many Requests"),
        500: _("Internal Server Error"),
        503: _("Service Unavailable"),
    }


def _details() -> dict[int, str]:
    return {
        401: _("Send a valid personal access token: Authorization: Bearer <token>."),
        403: _("Your token or its owner may not do this."),
        404: _("There is nothing here, or you may not see it."),
        405: _("This resource cannot be used with this method."),
        422: _("Some fields are not valid: see errors."),
        429: _("Too many requests for this token: wait and try again."),
        500: _("An unexpected error happened. It has been logged; please try again."),
        503: _("The database cannot be reached; try again soon."),
    }


class FieldErrorSchema(Schema):
    location = fields.String(metadata={"description": "json, query, path or headers"})
    field = fields.String()
    message = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


def _flatten(messages, location: str, prefix: str = "") -> list[dict]:
    """webargs' nested {"json": {"field": ["message"]}} as a flat list of field errors."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.extend(_flatten(value, location, name))
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            if isinstance(value, (dict, list, tuple)):
                found.extend(_flatten(value, location, prefix))
            else:
                found.append({"location": location, "field": prefix or "_", "message": str(value)})
    else:
        found.append({"location": location, "field": prefix or "_", "message": str(messages)})
    return found


def field_errors(messages: dict) -> list[dict]:
    """Field errors from webargs' messages ({location: {field: [message]}})."""
    found = []
    for location, by_field in (messages or {}).items():
        found.extend(_flatten(by_field, str(location)))
    return found


def problem_response(status: int, detail: str | None = None, *, errors: list[dict] | None = None,
                     headers: dict | None = None) -> Response:
    body = {
        "type": "about:blank",
        "title": _titles().get(status, "Error"),
        "status": status,
        "detail": detail or _details().get(status) or _titles().get(status, "Error"),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    # Messages from the services may be lazy (translated when shown): str() shows them now.
    response = Response(json.dumps(body, default=str), status, mimetype=PROBLEM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="liaison"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_for_exception(exc) -> Response:
    """An HTTPException (abort(), webargs' 422, routing's 404/405) as a problem response."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = field_errors(data.get("messages")) if status in (400, 422) and data.get("messages") else None
    detail = data.get("message") or (getattr(exc, "api_detail", None))
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 422 and errors is None and not detail:
        detail = _("The request could not be processed.")
    return problem_response(status, detail, errors=errors, headers=headers)


def refuse(status: int, detail: str | None = None, field: str | None = None):
    """Stop the operation with a problem (a broken rule's message, beside its field if it has one)."""
    errors = [{"location": "json", "field": field, "message": detail or ""}] if field else None
    abort(problem_response(status, detail, errors=errors))
