"""A needs assessment's results page and its exports (CSV, XLSX, PDF): for the assessment's owners
only (its creator, the coordinators, the admins); anyone else is told it does not exist."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.assessments import queries
from app.assessments.access import owned_or_404
from app.assessments.models import AssessmentScope
from app.countries import country_name
from app.reports import assessment_results, charts, exports
from app.timeutil import now

bp = Blueprint("assessment_results", __name__, url_prefix="/reports/assessments")

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
}


def scope_line(assessment) -> str:
    if assessment.scope == AssessmentScope.PROJECT and assessment.project:
        return _("For the project %(name)s", name=assessment.project.acronym)
    if assessment.scope == AssessmentScope.EVENT and assessment.event:
        return _("For the event %(name)s", name=assessment.event.title)
    if assessment.scope == AssessmentScope.COUNTRY and assessment.country:
        return _("For %(country)s", country=country_name(assessment.country))
    return ""


def _results(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    counts = queries.counts([assessment.id]).get(assessment.id, queries.Counts())
    results = assessment_results.build(
        assessment, list(assessment.questions), queries.results_input(assessment), counts.invited,
        queries.theme_names(), scope_line(assessment), now())
    return assessment, results


@bp.get("/<int:assessment_id>")
@login_required
def results(assessment_id: int):
    assessment, built = _results(assessment_id)
    svgs = {chart.key: charts.svg(chart) for chart in built.report.charts}
    return render_template("reports/assessment_results.html", assessment=assessment, results=built,
                           report=built.report, svgs=svgs, charts_by_key={c.key: c for c in built.report.charts})


@bp.get("/<int:assessment_id>.<any(csv, xlsx, pdf):fmt>")
@login_required
def export(assessment_id: int, fmt: str):
    assessment, built = _results(assessment_id)
    mimetype, builder = EXPORTS[fmt]
    filename = f"liaison-assessment-{assessment.id}-{built.report.produced_at:%Y%m%d-%H%M}.{fmt}"
    return Response(builder(built.report), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
