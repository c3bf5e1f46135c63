"""The API's documentation page: Swagger UI (vendored from npm, app/static/vendor/swagger-ui) over
/api/v1/openapi.json, under the site's CSP (no inline script or style)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs_page", __name__)


@bp.get("/api/docs")
def docs():
    return render_template("api/docs.html")
