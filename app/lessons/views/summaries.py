"""Coordinators' summaries: the list, compiling a new summary or version (filter → preview →
choose → save), reading a saved version and exporting it."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.assessments import queries as assessment_queries
from app.lessons import export, queries
from app.lessons.forms import SummaryForm
from app.lessons.models import Summary, SummaryVersion
from app.lessons.search import LibraryFilter
from app.lessons.summaries import store
from app.lessons.summaries.compile import (
    GROUPINGS,
    group_entries,
    key_figures,
    localised_figures,
    matching_entries,
    most_restrictive,
    recommendations_by_addressee,
)
from app.lessons.summaries.document import summary_document
from app.lessons.views import bp
from app.lessons.views.common import download, filter_context, form_status


@role_required(Role.COORDINATOR)
def summaries_index():
    items = queries.summaries_newest_first()
    openable = store.openable_summary_ids(current_user, items)
    return render_template("lessons/summaries.html", summaries=items, openable=openable)


# The nav lists the endpoint "lessons.summaries".
bp.add_url_rule("/lessons/summaries", endpoint="summaries", view_func=summaries_index)


def _parse_filter_json(raw: str | None) -> LibraryFilter:
    try:
        args = json.loads(raw or "{}")
        if not isinstance(args, dict):
            args = {}
    except (ValueError, TypeError):
        args = {}
    return LibraryFilter.from_args({str(k): str(v) for k, v in args.items()})


def _requested_filter(version: SummaryVersion | None) -> LibraryFilter:
    """The posted filter, else the version's own (when the page opens without arguments), else
    the query string's."""
    if request.method == "POST":
        return _parse_filter_json(request.form.get("filters"))
    if version is not None and not request.args:
        return LibraryFilter.from_args({k: str(v) for k, v in (version.filters or {}).items()})
    return LibraryFilter.from_args(request.args)


def _prefill(form: SummaryForm, filter_args: dict, summary: Summary | None, version: SummaryVersion | None):
    form.filters.data = json.dumps(filter_args)
    if version is not None:
        form.title.data = summary.title
        form.group_by.data = version.group_by
        form.introduction.data = version.introduction
        form.conclusions.data = version.conclusions
    if request.args.get("group_by") in GROUPINGS:
        form.group_by.data = request.args["group_by"]


def _save(form: SummaryForm, filter_args: dict, chosen, summary: Summary | None):
    """Save the version; a redirect to it, or None (the error is on the form)."""
    draft = store.SummaryDraft(
        title=form.title.data, filters=filter_args, group_by=form.group_by.data,
        lesson_ids=sorted(chosen or ()), introduction=form.introduction.data, conclusions=form.conclusions.data,
    )
    try:
        saved = store.save(current_user, draft, summary)
    except store.SummaryError as error:
        form.form_errors.append(str(error))
        return None
    flash(_("Summary saved (version %(number)s).", number=saved.number), "success")
    return redirect(url_for("lessons.summary_detail", summary_id=saved.summary_id))


def _compile_page(summary: Summary | None, version: SummaryVersion | None):
    """New summary (summary=None) or a new version of one: filter → preview → choose → save."""
    f = _requested_filter(version)
    filter_args = f.to_args()
    form = SummaryForm()
    if request.method == "GET":
        _prefill(form, filter_args, summary, version)
    previous = set(version.lesson_ids or []) if version is not None else None
    if request.method == "POST":
        chosen = {int(i) for i in request.form.getlist("lesson_ids") if i.isdigit() and len(i) < 10}
    else:
        chosen = previous  # None: a new summary starts with every matching entry
    if form.validate_on_submit():
        saved = _save(form, filter_args, chosen, summary)
        if saved is not None:
            return saved
    entries = matching_entries(current_user, f)
    if chosen is None:
        chosen = {entry["id"] for entry in entries}
    included = [entry for entry in entries if entry["id"] in chosen]
    group_by = form.group_by.data if form.group_by.data in GROUPINGS else "theme"
    return render_template(
        "lessons/summary_compile.html",
        form=form, f=f, summary=summary, version=version, previous=previous,
        groups=group_entries(entries, group_by), chosen=chosen,
        figures=localised_figures(key_figures(included)), matching=len(entries),
        tlp=most_restrictive(entry["tlp"] for entry in included),
        **filter_context(),
    ), form_status(form)


@bp.route("/lessons/summaries/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def summary_new():
    return _compile_page(None, None)


def _summary_or_404(summary_id: int) -> Summary:
    summary = queries.summary_with_versions(summary_id)
    if summary is None:
        abort(404)
    return summary


def _version(summary: Summary, number_arg) -> SummaryVersion:
    try:
        number = int(number_arg) if number_arg else summary.current_version
    except ValueError:
        abort(404)
    version = next((v for v in summary.versions if v.number == number), None)
    if version is None:
        abort(404)
    if not store.can_open(current_user, version):
        abort(403)
    return version


@bp.route("/lessons/summaries/<int:summary_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def summary_edit(summary_id: int):
    summary = _summary_or_404(summary_id)
    version = _version(summary, None)
    return _compile_page(summary, version)


@bp.get("/lessons/summaries/<int:summary_id>")
@role_required(Role.COORDINATOR)
def summary_detail(summary_id: int):
    summary = _summary_or_404(summary_id)
    version = _version(summary, request.args.get("version"))
    data = store.version_as_dict(version)
    entries = data["snapshot"].get("entries", [])
    return render_template(
        "lessons/summary_detail.html", summary=summary, version=version, data=data,
        groups=group_entries(entries, version.group_by),
        recommendations=recommendations_by_addressee(entries),
        figures=localised_figures(data["snapshot"].get("figures", {})), formats=export.FORMATS,
        needs=_addressed_needs(entries),
    )


def _addressed_needs(entries: list[dict]) -> list:
    """The identified needs (app.assessments) that the summary's events address, each once."""
    event_ids = {entry["event"]["id"] for entry in entries if entry.get("event")}
    found = {need.id: need for needs in assessment_queries.needs_for_events(current_user, event_ids).values()
             for need in needs}
    return list(found.values())


@bp.get("/lessons/summaries/<int:summary_id>/export/<fmt>")
@role_required(Role.COORDINATOR)
def summary_export(summary_id: int, fmt: str):
    summary = _summary_or_404(summary_id)
    version = _version(summary, request.args.get("version"))
    document = summary_document(summary.title, store.version_as_dict(version))
    return download(document, fmt, f"summary-{summary.id}-v{version.number}")
