"""Reports: the dashboard's and the participation report's figures, with the report pages' filters
— built (and cached) by app.reports exactly as the pages build them, over the events the reader may
report on (coordinators: the network; organisers: their own events)."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.auth import needs
from app.api.problems import refuse
from app.api.schemas import ReportArgs, ReportSchema
from app.events.models import EventKind
from app.reports import cache
from app.reports.scope import ReportFilter
from app.roles import Role, has_role

blp = Blueprint("api_reports", __name__, description="Participation figures (scope reports:read)")


def _cell(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _filter(args: dict) -> ReportFilter:
    if args.get("date_from") and args.get("date_to") and args["date_to"] < args["date_from"]:
        refuse(422, "The end of the period must be on or after its start.", "date_to")
    return ReportFilter(date_from=args.get("date_from"), date_to=args.get("date_to"),
                        project_id=args.get("project"), country=args.get("country"),
                        theme_id=args.get("theme"), kind=EventKind(args["kind"]) if args.get("kind") else None)


@blp.route("/reports/<any(dashboard, participation):name>")
@needs("reports:read")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportSchema)
def get_report(args, name: str):
    """The dashboard or participation report's tables for the filter (organisers and coordinators)."""
    if not has_role(current_user, Role.ORGANISER, Role.COORDINATOR):
        abort(403)
    report = cache.get(name, current_user, _filter(args))
    tables = [{"key": t.key, "title": t.title, "columns": t.columns, "note": t.note,
               "rows": [[_cell(cell) for cell in row] for row in t.rows]} for t in report.tables.values()]
    return {"title": report.title, "scope": report.scope, "filter_line": report.filter_line,
            "produced_at": report.produced_at, "tables": tables}
