"""JSON for the directory pickers (issue 23): GET /organisations/search, /projects/search, /themes/search
with `q` (part of a name) and `limit` (at most 20). Any signed-in member: the answers hold only what
event and facility pages already show them."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.directory import lookup
from app.extensions import login_manager
from app.roles import is_signed_in

bp = Blueprint("lookup", __name__)


def _answer(kind: str):
    if not is_signed_in(current_user):
        return login_manager.unauthorized()
    results = lookup.SEARCHES[kind](request.args.get("q", ""), request.args.get("limit", lookup.LOOKUP_LIMIT))
    response = jsonify(results=results)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/organisations/search")
def organisations():
    return _answer("organisations")


@bp.get("/projects/search")
def projects():
    return _answer("projects")


@bp.get("/themes/search")
def themes():
    return _answer("themes")
