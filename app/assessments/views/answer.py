"""The respondent's questionnaire: only the person it was sent to opens it (everyone else: 404);
"Save draft" keeps the answers, "Submit" makes them final."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.assessments import answering, queries
from app.assessments.building import AssessmentError
from app.assessments.models import AssessmentStatus, QuestionKind
from app.assessments.views import bp
from app.forms_base import Form
from app.timeutil import now


def _page(assessment, respondent, errors=None, values=None, status: int = 200):
    answers = values if values is not None else {
        f"q{key}": value if isinstance(value, list) else [str(value)]
        for key, value in (respondent.answers or {}).items()}
    themes = queries.theme_choices() if any(q.kind == QuestionKind.THEMES for q in assessment.questions) else []
    return render_template(
        "assessments/answer.html", assessment=assessment, respondent=respondent, form=Form(),
        answers=answers, errors=errors or {}, kinds=QuestionKind, themes=themes,
        accepting=assessment.is_accepting(now()),
    ), status


def _respondent_or_404(assessment_id: int):
    assessment = queries.get_or_404(assessment_id)
    respondent = answering.respondent_for(assessment, current_user)
    if respondent is None or assessment.status == AssessmentStatus.DRAFT:
        abort(404)
    return assessment, respondent


@bp.get("/<int:assessment_id>/answer")
@login_required
def answer(assessment_id: int):
    return _page(*_respondent_or_404(assessment_id))


@bp.post("/<int:assessment_id>/answer")
@login_required
def save_answer(assessment_id: int):
    assessment, respondent = _respondent_or_404(assessment_id)
    if not Form().validate_on_submit():
        abort(400)
    values = {key: request.form.getlist(key) for key in request.form if key.startswith("q")}
    submit = request.form.get("action") == "submit"
    try:
        cleaned = answering.save_answers(respondent, assessment, values, submit=submit)
    except AssessmentError as error:
        flash(str(error), "error")
        return redirect(url_for("assessments.answer", assessment_id=assessment_id))
    if cleaned.errors:
        flash(_("Please correct the answers marked below."), "error")
        return _page(assessment, respondent, cleaned.errors, values, 422)
    if submit:
        flash(_("Thank you: your answers are submitted."), "success")
    else:
        flash(_("Draft saved. You can come back and submit it before the deadline."), "success")
    return redirect(url_for("assessments.answer", assessment_id=assessment_id))
