"""The owners' pages: the list, a new assessment, its page, its questions and recipients, open and close."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import login_required, role_required
from app.accounts.models import Role
from app.assessments import building, queries
from app.assessments.access import owned_or_404
from app.assessments.building import AssessmentError
from app.assessments.forms import AssessmentForm, CopyQuestionsForm, QuestionForm, RecipientsForm
from app.assessments.models import AssessmentStatus, QuestionKind
from app.assessments.views import bp
from app.forms_common import form_status, show_rule_error
from app.timeutil import now


@bp.get("/")
@login_required
def index():
    return render_template("assessments/index.html", page=queries.index_page(current_user), now=now())


def _assessment_form(**kwargs) -> AssessmentForm:
    return AssessmentForm(projects=queries.project_choices(), events=queries.event_choices(current_user), **kwargs)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER, Role.COORDINATOR)
def new():
    form = _assessment_form()
    if form.validate_on_submit():
        try:
            assessment = building.create_assessment(current_user, form.to_data(current_user.timezone))
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Assessment created. Add its questions and choose who it is sent to."), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    return render_template("assessments/form.html", form=form, assessment=None), form_status()


@bp.route("/<int:assessment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    form = _assessment_form(obj=assessment)
    if request.method == "GET":
        form.fill_deadline(assessment.closes_at, current_user.timezone)
    if form.validate_on_submit():
        try:
            building.update_assessment(current_user, assessment, form.to_data(current_user.timezone))
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Assessment saved."), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    return render_template("assessments/form.html", form=form, assessment=assessment), form_status()


def _detail(assessment, question_form=None, copy_form=None, recipients_form=None, status: int = 200):
    copy_form = copy_form or CopyQuestionsForm()
    copy_form.source.choices = [(None, "—"), *((a.id, a.title) for a in queries.earlier_assessments(
        current_user, assessment))]
    recipients_form = recipients_form or RecipientsForm()
    recipients_form.organisations.choices = queries.organisation_choices()
    return render_template(
        "assessments/detail.html", assessment=assessment, status=assessment.shown_status(now()),
        question_form=question_form or QuestionForm(), copy_form=copy_form, recipients_form=recipients_form,
        respondents=queries.respondents(assessment), counts=queries.counts([assessment.id]).get(assessment.id),
        needs=queries.needs_of(assessment), kinds=QuestionKind, statuses=AssessmentStatus,
    ), status


@bp.get("/<int:assessment_id>")
@login_required
def detail(assessment_id: int):
    return _detail(owned_or_404(assessment_id, current_user))


@bp.post("/<int:assessment_id>/questions")
@login_required
def add_question(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            building.add_question(current_user, assessment, QuestionKind(form.kind.data), form.text.data,
                                  options_text=form.options.data, help_text=form.help_text.data,
                                  is_required=form.is_required.data)
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(_("Question added."), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor="questions"))
    return _detail(assessment, question_form=form, status=422)


@bp.post("/<int:assessment_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(assessment_id: int, question_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    try:
        building.delete_question(current_user, assessment, question_id)
    except AssessmentError as error:
        flash(str(error), "error")
    else:
        flash(_("Question removed."), "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor="questions"))


@bp.post("/<int:assessment_id>/questions/copy")
@login_required
def copy_questions(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    form = CopyQuestionsForm()
    form.source.choices = [(None, "—"), *((a.id, a.title) for a in queries.earlier_assessments(
        current_user, assessment))]
    if form.validate_on_submit():
        try:
            count = building.copy_questions(current_user, assessment, form.source.data)
        except AssessmentError as error:
            show_rule_error(form, error)
        else:
            flash(ngettext("%(num)d question reused.", "%(num)d questions reused.", count), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor="questions"))
    return _detail(assessment, copy_form=form, status=422)


@bp.post("/<int:assessment_id>/recipients")
@login_required
def add_recipients(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    form = RecipientsForm()
    form.organisations.choices = queries.organisation_choices()
    if form.validate_on_submit():
        try:
            count = building.add_recipients(current_user, assessment, form.people.data or (),
                                            form.organisations.data or ())
        except AssessmentError as error:
            show_rule_error(form, error, "people")
        else:
            flash(ngettext("%(num)d person added.", "%(num)d people added.", count), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor="recipients"))
    return _detail(assessment, recipients_form=form, status=422)


@bp.post("/<int:assessment_id>/open")
@login_required
def open_assessment(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    try:
        count = building.open_assessment(current_user, assessment)
    except AssessmentError as error:
        flash(str(error), "error")
    else:
        flash(ngettext("The assessment is open: %(num)d invitation sent.", "The assessment is open: %(num)d invitations sent.", count), "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.post("/<int:assessment_id>/close")
@login_required
def close_assessment(assessment_id: int):
    assessment = owned_or_404(assessment_id, current_user)
    try:
        building.close_assessment(current_user, assessment)
    except AssessmentError as error:
        flash(str(error), "error")
    else:
        flash(_("The assessment is closed."), "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))
