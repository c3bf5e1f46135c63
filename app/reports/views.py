"""Dashboard, participation report and their exports (CSV, XLSX, PDF).

Coordinators and admins report on the whole network; organisers on the events they organise;
members may not see reports (403)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.i18n import current_language
from app.reports import cache, charts, exports
from app.reports.counting import COUNTING_RULES
from app.reports.forms import RefreshForm, ReportFilterForm
from app.reports.localise import localise
from app.reports.page_html import TableWriter
from app.reports.results import Report

bp = Blueprint("reports", __name__, url_prefix="/reports")

REFRESHED = "reports_refreshed"
TEMPLATES = {"dashboard": "reports/dashboard.html", "participation": "reports/participation.html"}
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
}


def _body(name: str, form: ReportFilterForm, report: Report | None):
    """The page below its title: the filter form and the report, rendered once per report and
    filter input (the HTML depends on nothing else; the signed-in user is outside it)."""
    body_template = f"reports/_{name}_body.html"

    def render():
        if report is None:
            return render_template(body_template, form=form, report=None, name=name)
        shown = localise(report, current_user)
        svgs = {chart.key: charts.svg(chart) for chart in shown.charts}
        export_args = report.filters.query_args()
        return render_template(
            body_template, form=form, report=shown, svgs=svgs, rules=COUNTING_RULES,
            export_args=export_args, name=name, tables=TableWriter(name, export_args),
        )

    if report is None:
        return Markup(render())
    key = (
        name, current_language(), cache.scope_key(current_user), report.filters, report.produced_at,
        tuple((field.name, tuple(field.raw_data or ())) for field in form),
        tuple(form.project.choices), tuple(form.theme.choices),
    )
    return cache.fragment(key, render)


def _render(name: str):
    form = ReportFilterForm(request.args)
    if not form.validate():
        return render_template(TEMPLATES[name], body=_body(name, form, None), report=None), 422
    # Right after a refresh (maybe answered by another worker), look for the new figures at once.
    report = cache.get(name, current_user, form.to_filter(), recheck=session.pop(REFRESHED, False))
    return render_template(
        TEMPLATES[name], body=_body(name, form, report), report=report,
        export_args=report.filters.query_args(), refresh_form=RefreshForm(),
    )


@bp.get("/")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def dashboard():
    return _render("dashboard")


@bp.get("/participation")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def participation():
    return _render("participation")


@bp.post("/<any(dashboard, participation):name>/refresh")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def refresh(name: str):
    """Build the figures again now (otherwise they are rebuilt about every REPORTS_CACHE_SECONDS)."""
    form = ReportFilterForm(request.args)
    if not RefreshForm().validate_on_submit() or not form.validate():
        flash(_("The request could not be processed. Please reload the page and try again."), "error")
    else:
        cache.refresh_for(name, current_user, form.to_filter())
        session[REFRESHED] = True
        flash(_("The figures were produced again just now."), "success")
    return redirect(url_for(f"reports.{name}", **{k: v for k, v in request.args.items() if k in form.data}))


@bp.get("/<any(dashboard, participation):name>.<any(csv, xlsx, pdf):fmt>")
@role_required(Role.ORGANISER, Role.COORDINATOR)
def export(name: str, fmt: str):
    form = ReportFilterForm(request.args)
    if not form.validate():
        errors = "; ".join(f"{form[key].label.text}: {' '.join(str(message) for message in msgs)}" for key, msgs in form.errors.items())
        return Response(_("The filter is not valid. %(errors)s", errors=errors) + "\n", status=422, mimetype="text/plain")
    report = localise(cache.get(name, current_user, form.to_filter()), current_user)
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
