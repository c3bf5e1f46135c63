"""The participants' pages: taking a test (one page, big touch targets), reading one's own results
once the post-test has closed, answering the follow-up survey."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.access import get_visible_or_404
from app.learning import followup, queries, results, taking
from app.learning.banks import LearningError
from app.learning.forms import EmptyForm, FollowUpAnswerForm
from app.learning.views import bp


def _check_or_404(event, check_id: int):
    check = queries.check_of_event(event, check_id)
    if check is None:
        abort(404)
    return check


@bp.route("/events/<int:event_id>/tests/<int:check_id>", methods=["GET", "POST"])
@login_required
def take(event_id: int, check_id: int):
    event = get_visible_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    problem = taking.take_problem(check, current_user)
    form = EmptyForm()
    errors: dict[int, str] = {}
    if problem is None and form.validate_on_submit():
        answers, errors = taking.read_answers(check, request.form)
        if not errors:
            try:
                taking.submit(check, current_user, answers)
            except LearningError as error:
                flash(str(error), "warning")
            else:
                flash(_("Thank you: your answers are saved. You will see your results when the post-test closes."),
                      "success")
            return redirect(url_for("events.detail", event_id=event.id))
    chosen = {key: request.form.getlist(key) for key in request.form} if request.method == "POST" else {}
    code = 422 if (errors or form.errors) else (403 if problem and request.method == "POST" else 200)
    return render_template("learning/take.html", event=event, check=check, problem=problem, form=form,
                           errors=errors, chosen=chosen,
                           results_at=results.results_open_at(check)), code


@bp.get("/events/<int:event_id>/tests/<int:check_id>/result")
@login_required
def my_result(event_id: int, check_id: int):
    event = get_visible_or_404(event_id, current_user)
    check = _check_or_404(event, check_id)
    submission = queries.own_answers(check, current_user)
    visible = submission is not None and results.may_see_own_results(check)
    answers = {answer.question_id: answer for answer in submission.answers} if visible else {}
    return render_template("learning/result.html", event=event, check=check, submission=submission,
                           visible=visible, answers=answers, results_at=results.results_open_at(check))


@bp.route("/events/<int:event_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    survey = followup.survey_of(event)
    problem = followup.answer_problem(survey, current_user)
    form = FollowUpAnswerForm()
    if problem is None and form.validate_on_submit():
        try:
            followup.answer(survey, current_user, int(form.applied.data), form.how.data)
        except LearningError as error:
            flash(str(error), "warning")
        else:
            flash(_("Thank you for telling us how the training served you."), "success")
        return redirect(url_for("registrations.my_events"))
    code = 422 if form.errors else (403 if problem and request.method == "POST" else 200)
    return render_template("learning/follow_up.html", event=event, form=form, problem=problem), code
