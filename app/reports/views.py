"""Dashboard, participation report and their exports (CSV, XLSX, PDF).

Coordinators and admins report on the whole network; organisers on the events they organise;
members may not see reports (403)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.reports import cache, charts, exports, queries
from app.reports.forms import ReportFilterForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

REPORTS = {
    "dashboard": ("reports/dashboard.html", queries.dashboard_report),
    "participation": ("reports/participation.html", queries.participation_report),
}
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
}


def _report(name: str, filters: queries.ReportFilter) -> queries.Report:
    build = REPORTS[name][1]
    key = (name, cache.scope_key(current_user), filters)
    return cache.get_or_build(key, lambda: build(current_user, filters))


def _render(name: str):
    template = REPORTS[name][0]
    form = ReportFilterForm(request.args)
    if not form.validate():
        return render_template(template, form=form, report=None, svgs={}, rules=queries.COUNTING_RULES), 422
    report = _report(name, form.to_filter())
    svgs = {chart.key: charts.svg(chart) for chart in report.charts}
    return render_template(
        template, form=form, report=report, svgs=svgs, rules=queries.COUNTING_RULES,
        export_args=report.filters.query_args(),
    )


@bp.get("/")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def dashboard():
    return _render("dashboard")


@bp.get("/participation")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def participation():
    return _render("participation")


@bp.get("/<any(dashboard, participation):name>.<any(csv, xlsx, pdf):fmt>")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def export(name: str, fmt: str):
    form = ReportFilterForm(request.args)
    if not form.validate():
        errors = "; ".join(f"{form[key].label.text}: {' '.join(msgs)}" for key, msgs in form.errors.items())
        return Response(f"The filter is not valid. {errors}\n", status=422, mimetype="text/plain")
    report = _report(name, form.to_filter())
    mimetype, build = EXPORTS[fmt]
    table_key = request.args.get("table") if fmt == "csv" else None
    if table_key is not None and table_key not in report.tables:
        abort(404)
    body = build(report, table_key) if table_key else build(report)
    stamp = report.produced_at.strftime("%Y%m%d-%H%M")
    filename = f"liaison-{name}{'-' + table_key if table_key else ''}-{stamp}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
