"""The organiser's participant list: a page of it, bulk actions, one participant, export, import
and a message to participants."""

from __future__ import annotations

import functools

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from app.accounts.auth import login_required
from app.events.access import get_managed_or_404
from app.i18n import catalog
from app.pagination import Page, parse_page
from app.registrations import exports, imports, manage, queries
from app.registrations.answers import answer_columns, answers_for
from app.registrations.forms import BulkForm, ConfirmImportForm, ImportForm, MessageForm
from app.registrations.models import RegistrationStatus
from app.registrations.notices import write_to_participants
from app.registrations.participant_list import participant_page
from app.registrations.questions import event_questions
from app.registrations.retention import needs_notice
from app.registrations.rules import RegistrationError, may_see_needs
from app.registrations.views import bp
from app.registrations.views.helpers import next_or, url_maker
from app.registrations.views.participant_rows import write_rows
from app.registrations.waitlist import waitlist_position


def status_filters() -> list[tuple[str, str]]:
    """The status filter's options, in the page's language (worked out once per language)."""
    return _status_filters_in(catalog())


@functools.lru_cache(maxsize=16)
def _status_filters_in(_catalog) -> tuple[tuple[str, str], ...]:
    """The status filter's options in the current language, whose catalog is the key."""
    return (("", _("All")),) + tuple((s.value, s.label) for s in RegistrationStatus)


def bulk_fieldset() -> Markup:
    """The list's bulk actions (BulkForm's fields, no CSRF token: the page writes it), the same on
    every list: rendered once per language."""
    return _bulk_fieldset_in(catalog())


@functools.lru_cache(maxsize=16)
def _bulk_fieldset_in(_catalog) -> Markup:
    """bulk_fieldset in the current language, whose catalog is the key."""
    return Markup(render_template("registrations/participants_bulk.html",
                                  bulk_form=BulkForm(formdata=None, meta={"csrf": False})))


def table_head() -> Markup:
    """The list's table head: rendered once per language."""
    return _table_head_in(catalog())


@functools.lru_cache(maxsize=16)
def _table_head_in(_catalog) -> Markup:
    return Markup(render_template("registrations/participants_head.html"))


def column_choices(columns: dict[str, str]) -> Markup:
    """The export's column choices for `columns` ({key: label}, exports.column_labels): rendered once
    per language and set of columns (the labels of an event's questions are a part of the key)."""
    return _column_choices_in(catalog(), tuple(columns.items()))


@functools.lru_cache(maxsize=64)
def _column_choices_in(_catalog, columns: tuple[tuple[str, str], ...]) -> Markup:
    return Markup(render_template("registrations/participants_columns.html", columns=dict(columns),
                                  default_columns=exports.DEFAULT_COLUMNS))


# A page of the list: 50 by default (as Indico's and pretix's lists), more on request; the search
# and the status filter find anyone in a 2,000-person event.
PARTICIPANTS_PER_PAGE = 50
PARTICIPANTS_PAGE_SIZES = (50, 100, 200)


def registration_or_404(event, registration_id: int):
    registration = queries.registration_of(event.id, registration_id)
    if registration is None:
        abort(404)
    return registration


@bp.get("/events/<int:event_id>/participants")
@login_required
def participants(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    status_filter = request.args.get("status") or ""
    if status_filter not in {s.value for s in RegistrationStatus}:
        status_filter = ""
    q = (request.args.get("q") or "").strip()[:100]
    number = parse_page(request.args.get("page"))
    per_page = request.args.get("per_page", type=int)
    if per_page not in PARTICIPANTS_PAGE_SIZES:
        per_page = PARTICIPANTS_PER_PAGE
    participant_url = url_maker("registrations.participant", "registration_id", event_id=event.id)
    show_needs = may_see_needs(current_user, event)

    def rows_html(rows, answers) -> str:
        return write_rows(rows, answers, participant_url, show_needs)

    found = participant_page(event, status_filter, q, number, per_page, rows_html, show_needs)
    page = Page(items=[], page=number, per_page=per_page, total=found.total)
    return render_template(
        "registrations/participants.html", event=event, page=page, rows_html=found.rows_html, counts=found.counts,
        status_filter=status_filter, q=q, statuses=status_filters(), bulk_fieldset=bulk_fieldset(),
        csrf_enabled=current_app.config.get("WTF_CSRF_ENABLED", True),
        column_choices=column_choices(exports.column_labels(show_needs, answer_columns(found.questions, show_needs))),
        table_head=table_head(), seats_taken=found.seats_taken,
        page_sizes=PARTICIPANTS_PAGE_SIZES, needs_notice=needs_notice(event) if show_needs else None,
    )


@bp.post("/events/<int:event_id>/participants/bulk")
@login_required
def bulk(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    back = next_or(url_for("registrations.participants", event_id=event.id))
    form = BulkForm()
    ids = []
    for value in request.form.getlist("ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or _("Choose an action."), "danger")
        return redirect(back)
    try:
        result = manage.manage(event, ids, form.action.data, current_user, reason=form.reason.data,
                               role=form.role.data)
    except RegistrationError as error:
        flash(str(error), "danger")
        return redirect(back)
    if result.done:
        flash(ngettext("Done for %(num)d person.", "Done for %(num)d people.", len(result.done)), "success")
    for problem in result.problems:
        flash(problem, "warning")
    return redirect(back)


@bp.get("/events/<int:event_id>/participants/<int:registration_id>")
@login_required
def participant(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = registration_or_404(event, registration_id)
    signups, days = queries.participant_details(event.id, registration)
    return render_template("registrations/participant.html", event=event, registration=registration,
                           position=waitlist_position(registration), signups=signups, days=days,
                           bulk_form=BulkForm(formdata=None),
                           show_needs=may_see_needs(current_user, event), needs_notice=needs_notice(event),
                           answers=answers_for([registration.id], may_see_needs(current_user, event))
                           .get(registration.id, []))


@bp.get("/events/<int:event_id>/participants/export")
@login_required
def export(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    show_needs = may_see_needs(current_user, event)
    labels = answer_columns(event_questions(event.id), show_needs)
    columns = exports.choose_columns(request.args.getlist("columns"), show_needs, labels)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    status_filter = request.args.get("status") or ""
    q = (request.args.get("q") or "").strip()[:100]
    body, mimetype = manage.export_participants(event, columns, fmt, status_filter, q, current_user,
                                                labels)
    stem = f"participants-event-{event.id}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


@bp.route("/events/<int:event_id>/participants/import", methods=["GET", "POST"])
@login_required
def import_participants(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = ImportForm()
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = list(form.file.errors) + [_("Choose a CSV file.")]
        else:
            result = imports.check(event, upload.read(), form.mode.data, form.encoding.data)
            if result.problem:
                form.file.errors = list(form.file.errors) + [result.problem]
            else:
                confirm = ConfirmImportForm(formdata=None)
                confirm.payload.data = imports.sign(event.id, form.mode.data, result.valid)
                return render_template("registrations/import.html", event=event, form=form, result=result,
                                       confirm=confirm, mode=form.mode.data)
    return render_template("registrations/import.html", event=event, form=form, result=None, confirm=None,
                           mode=None), (422 if form.errors else 200)


@bp.post("/events/<int:event_id>/participants/import/confirm")
@login_required
def confirm_import(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = ConfirmImportForm()
    data = imports.unsign(event.id, form.payload.data) if form.validate() else None
    if data is None:
        flash(_("The import could not be confirmed (the form was changed or expired). Upload the file again."),
              "danger")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    mode, rows = data
    if not rows:
        flash(_("There were no valid rows to import. Nothing was changed."), "warning")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    # Check again: something may have changed since the preview. Any bad row -> nothing written.
    recheck = imports.validate(event, [(r.line, {"email": r.email, "name": r.name, "role": r.role}, r.email)
                                       for r in rows], mode)
    if recheck.bad:
        confirm = ConfirmImportForm(formdata=None)
        confirm.payload.data = imports.sign(event.id, mode, recheck.valid)
        flash(_("Some rows changed since the check. Nothing was imported; review the rows again."), "warning")
        return render_template("registrations/import.html", event=event, form=ImportForm(formdata=None),
                               result=recheck, confirm=confirm, mode=mode), 409
    try:
        count = manage.import_rows(event, mode, rows, current_user)
    except RegistrationError as error:
        flash(_("Nothing was imported: %(problem)s", problem=error), "danger")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    if mode == "invite":
        flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", count), "success")
    else:
        flash(ngettext("%(num)d person registered.", "%(num)d people registered.", count), "success")
    return redirect(url_for("registrations.participants", event_id=event.id))


@bp.route("/events/<int:event_id>/participants/message", methods=["GET", "POST"])
@login_required
def message(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = MessageForm()
    if form.validate_on_submit():
        count = write_to_participants(event, form.group.data, form.subject.data, form.body.data, current_user)
        flash(ngettext("Your message is on its way to %(num)d person.", "Your message is on its way to %(num)d people.",
                       count), "success" if count else "info")
        return redirect(url_for("registrations.participants", event_id=event.id))
    return render_template("registrations/message.html", event=event, form=form), (422 if form.errors else 200)
