"""Lessons-learned summaries: the coordinators' list and a saved version's exports (PDF, DOCX,
Markdown, HTML) — the same rule as the summaries pages (coordinators; a version's marking decides
who may open it, app.lessons.summaries.store.can_open)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.auth import needs
from app.api.schemas import Overlay, SummarySchema
from app.lessons import export, queries
from app.lessons.summaries import store
from app.lessons.summaries.document import summary_document
from app.lessons.views.common import download
from app.roles import Role, has_role

blp = Blueprint("api_summaries", __name__, description="Lessons-learned summaries (scope lessons:read)")


def _coordinators_only() -> None:
    if not has_role(current_user, Role.COORDINATOR):
        abort(403)


def _exports(summary) -> dict:
    return {fmt: url_for("api_summaries.export_summary", summary_id=summary.id, fmt=fmt) for fmt in export.FORMATS}


@blp.route("/summaries")
@needs("lessons:read")
@blp.response(200, SummarySchema(many=True))
def list_summaries():
    """The summaries I may open, newest first, with their export links."""
    _coordinators_only()
    items = queries.summaries_newest_first()
    openable = store.openable_summary_ids(current_user, items)
    return [Overlay(s, exports=_exports(s)) for s in items if s.id in openable]


@blp.route("/summaries/<int:summary_id>/export/<any(pdf, docx, md, html):fmt>")
@needs("lessons:read")
@blp.response(200, description="The current version as a document", content_type="application/octet-stream")
def export_summary(summary_id: int, fmt: str):
    """The summary's current version as pdf, docx, md or html (an attachment)."""
    _coordinators_only()
    summary = queries.summary_with_versions(summary_id)
    if summary is None:
        abort(404)
    version = next((v for v in summary.versions if v.number == summary.current_version), None)
    if version is None or not store.can_open(current_user, version):
        abort(404 if version is None else 403)
    document = summary_document(summary.title, store.version_as_dict(version))
    return download(document, fmt, f"summary-{summary.id}-v{version.number}")
