"""Event pages: finding events (list, month calendar, event page) and planning them (forms, agenda)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.accounts.permissions import can_create_events
from app.cache import fragments
from app.events import agenda, planning, queries, signals
from app.events.access import get_managed_or_404, get_visible_or_404, is_organiser_of
from app.events.errors import EventError
from app.events.forms import CancelForm, CloneForm, EventForm, SeriesForm, SessionForm
from app.events.models import Session
from app.events.queries import EventFilters
from app.events.times import local_date, local_naive
from app.pagination import paginate
from app.timeutil import now, to_local

bp = Blueprint("events", __name__)
# POST-only actions (publish, delete, move...) are covered by the app-wide CSRFProtect.

ORGANISER_ROLES = (Role.ORGANISER, Role.COORDINATOR)


@bp.app_template_filter("clock")
def clock(instant, tz_name: str | None, fmt: str = "%H:%M") -> str:
    """A time of day in a zone, without the zone's name (the page says which zone once)."""
    return to_local(instant, tz_name).strftime(fmt) if instant is not None else ""


@bp.app_template_global("upcoming_events")
def upcoming_events(limit: int = 5):
    """For the home page: the next published events the viewer may see."""
    return queries.upcoming(current_user, limit)


# What the list of events shows and selects by; any change to these tables rebuilds it.
LIST_TABLES = ("events", "event_themes", "themes", "event_projects", "projects", "event_organisers",
               "organisations")


def _filter_form(filters: EventFilters, extra_hidden: dict, show_dates: bool):
    """The filter form (shared by the list and the month calendar), cached: it lists every project
    and theme. It differs only by the query string and whether the viewer may tick "mine"."""
    may_pick_mine = bool(current_user.is_authenticated and current_user.is_organiser)
    return fragments.cached(
        "events.filters",
        (request.endpoint, fragments.query_key(), may_pick_mine, tuple(sorted(extra_hidden.items())), show_dates),
        ("projects", "themes"),
        lambda: render_template("events/_filters.html", filters=filters, extra_hidden=extra_hidden,
                                show_dates=show_dates, **queries.filter_choices()),
    )


@bp.get("/events")
def index():
    filters = EventFilters.from_args(request.args)
    # The same list for every viewer of the same visibility class; "upcoming" and "past" move with
    # the clock, so the minute is part of the key.
    key = (fragments.query_key(), queries.visibility_key(current_user, filters), now().replace(second=0, microsecond=0))

    def build() -> str:
        page = paginate(queries.list_query(filters, current_user), request.args.get("page"), per_page=20)
        return render_template("events/_list.html", page=page, filters=filters)

    listing = fragments.cached("events.list", key, LIST_TABLES, build)
    filter_form = _filter_form(filters, {"tab": "past"} if filters.tab == "past" else {}, True)
    return render_template("events/index.html", listing=listing, filter_form=filter_form, filters=filters)


@bp.get("/events/calendar")
def calendar_month():
    filters = EventFilters.from_args(request.args)
    today = to_local(now(), getattr(current_user, "timezone", None)).date()
    try:
        year = int((request.args.get("year") or str(today.year))[:6])
        month = int((request.args.get("month") or str(today.month))[:4])
    except ValueError:
        year, month = today.year, today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        year, month = today.year, today.month
    events = queries.month_events(filters, current_user, year, month)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return render_template(
        "events/calendar.html", weeks=queries.month_grid(events, year, month), year=year, month=month,
        month_start=date(year, month, 1), previous=previous, following=following, filters=filters,
        today=today, filter_form=_filter_form(filters, {"year": year, "month": month}, False),
    )


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    organiser = is_organiser_of(current_user, event)
    # What the registrations package adds (registration facts, seats taken, the viewer's
    # registration, whether the viewer sees the online link): see signals.event_page_context.
    extra = {"show_online_link": False,
             **signals.values_from_signal(signals.event_page_context.send(event, user=current_user))}
    show_online_link = extra.pop("show_online_link")
    signed_in = bool(current_user.is_authenticated)
    viewer_tz = getattr(current_user, "timezone", None) if signed_in else None

    def build_main() -> str:
        full = queries.load_event(event_id)  # the agenda, speakers, organisers, projects, themes
        return render_template("events/_detail_main.html", event=full, is_organiser=organiser,
                               show_online_link=show_online_link, days=queries.timetable(full),
                               viewer_tz=viewer_tz)

    if organiser:  # with the organiser's forms (CSRF tokens): never cached
        main_column = Markup(build_main())
    else:
        main_column = fragments.cached("events.detail_main", (event.id, viewer_tz, show_online_link), DETAIL_TABLES,
                                       build_main)
    calendar_box = fragments.cached(
        "events.calendar_links", (event.id, signed_in), ("events", "sessions"),
        lambda: render_template("calendar/_event_links.html", event=event),
    )
    return render_template(
        "events/detail.html",
        event=event,
        is_organiser=organiser,
        main_column=main_column,
        calendar_box=calendar_box,
        lesson_entries=_lesson_entries(event),
        **extra,
    )


# What the main column of an event page shows (facts, people, agenda).
DETAIL_TABLES = ("events", "sessions", "session_speakers", "users", "organisations", "event_organisers",
                 "event_projects", "projects", "event_themes", "themes")


def _lesson_entries(event):
    """The event's lessons box (the lessons capability), as this viewer may see it: cached per viewer,
    rebuilt whenever an entry, the viewer's attendance or the event's organisers change."""
    viewer = ("user", current_user.id) if current_user.is_authenticated else ("public",)
    # The clock matters too: whether one may record an entry yet depends on when the event starts.
    key = (event.id, viewer, now().replace(second=0, microsecond=0))
    return fragments.cached("events.lesson_entries", key, LESSON_BOX_TABLES,
                            lambda: render_template("lessons/_event_entries.html", event=event))


LESSON_BOX_TABLES = ("lessons", "lesson_themes", "themes", "users", "organisations", "events", "event_organisers",
                     "registrations", "attendance_days", "session_attendance")


def _apply_error(form, error: EventError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))


def _flash_overlaps(outcome) -> None:
    if outcome.overlaps:
        names = "; ".join(
            f"“{other.title}” ({to_local(other.starts_at, other.timezone):%d %b %Y})" for other in outcome.overlaps
        )
        flash(f"Heads-up: this event overlaps with {names} (same country or organisers).", "warning")


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(*ORGANISER_ROLES)
def new():
    form = EventForm()
    if request.method == "GET" and current_user.timezone:
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        try:
            outcome = planning.create_event(
                current_user, form.values(), form.organiser_ids.data, form.project_ids.data, form.theme_ids.data
            )
        except EventError as error:
            _apply_error(form, error)
        else:
            flash("The event is saved as a draft. Add its agenda, then publish it.", "success")
            _flash_overlaps(outcome)
            return redirect(url_for("events.detail", event_id=outcome.event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    if event.is_cancelled:
        flash("A cancelled event cannot be edited.", "warning")
        return redirect(url_for("events.detail", event_id=event.id))
    form = EventForm(obj=event)
    if request.method == "GET":
        for name, value in planning.local_form_values(event).items():
            getattr(form, name).data = value
        form.host_organisation_id.data = event.host_organisation_id or 0
        form.project_ids.data = [p.id for p in event.projects]
        form.theme_ids.data = [t.id for t in event.themes]
        form.organiser_ids.data = [u.id for u in event.organisers]
        form.kind.data, form.format.data = event.kind.value, event.format.value
        form.registration_mode.data = event.registration_mode.value
    if form.validate_on_submit():
        try:
            outcome = planning.update_event(
                current_user, event, form.values(), form.organiser_ids.data, form.project_ids.data,
                form.theme_ids.data,
            )
        except EventError as error:
            _apply_error(form, error)
        else:
            flash("The event is saved." if outcome.changes else "Nothing changed.", "success")
            _flash_overlaps(outcome)
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event), status


@bp.post("/events/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    try:
        outcome = planning.publish(current_user, event)
    except EventError as error:
        flash(str(error), "danger")
    else:
        flash("The event is published.", "success")
        _flash_overlaps(outcome)
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            planning.cancel(current_user, event, form.reason.data)
        except EventError as error:
            _apply_error(form, error)
        else:
            flash("The event is cancelled. Participants are told.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/cancel.html", form=form, event=event), status


@bp.post("/events/<int:event_id>/delete")
@login_required
def delete(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    try:
        planning.delete_draft(current_user, event)
    except EventError as error:
        flash(str(error), "danger")
        return redirect(url_for("events.detail", event_id=event_id))
    flash("The draft is deleted.", "success")
    return redirect(url_for("events.index"))


def _managed_by_event_creator(event_id: int):
    """Clone and series make new events: the event's organisers who may also create events."""
    event = get_managed_or_404(event_id, current_user)
    if not can_create_events(current_user):
        abort(403)
    return event


@bp.route("/events/<int:event_id>/clone", methods=["GET", "POST"])
@login_required
def clone(event_id: int):
    event = _managed_by_event_creator(event_id)
    form = CloneForm()
    if form.validate_on_submit():
        copy = planning.clone(current_user, event, form.starts_on.data)
        flash("A draft copy is ready; its sessions moved with it. Check it, then publish it.", "success")
        return redirect(url_for("events.detail", event_id=copy.id))
    if request.method == "GET":
        form.starts_on.data = local_date(event.starts_at, event.timezone)
    status = 422 if request.method == "POST" else 200
    return render_template("events/clone.html", form=form, event=event), status


@bp.route("/events/<int:event_id>/series", methods=["GET", "POST"])
@login_required
def series(event_id: int):
    event = _managed_by_event_creator(event_id)
    form = SeriesForm()
    if request.method == "GET":
        first = local_date(event.starts_at, event.timezone)
        form.weekday.data = first.weekday()
        form.nth.data = min((first.day - 1) // 7 + 1, 4)
    if form.validate_on_submit():
        weekly = form.rule.data == "weekly"
        try:
            copies = planning.create_series(
                current_user, event, form.count.data,
                every_weeks=form.every_weeks.data if weekly else None,
                weekday=None if weekly else form.weekday.data,
                nth=None if weekly else form.nth.data,
            )
        except EventError as error:
            _apply_error(form, error)
        else:
            flash(f"{len(copies)} draft events created in the series. Publish each when ready.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/series.html", form=form, event=event), status


# --- agenda -------------------------------------------------------------------------------------


def _session_or_404(event, session_id: int) -> Session:
    item = queries.session_of(event, session_id)
    if item is None:
        abort(404)
    return item


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def session_new(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = SessionForm(event=event)
    if request.method == "GET":
        last = max(event.sessions, key=lambda s: s.ends_at, default=None)
        start = local_naive(last.ends_at if last and last.ends_at < event.ends_at else event.starts_at, event.timezone)
        form.starts_at.data = start
    if form.validate_on_submit():
        try:
            agenda.add_session(current_user, event, form.values(), form.speaker_ids.data,
                                 form.external_speakers.data)
        except EventError as error:
            _apply_error(form, error)
        else:
            flash("The session is added to the agenda.", "success")
            return redirect(url_for("events.detail", event_id=event.id, _anchor="agenda"))
    status = 422 if request.method == "POST" else 200
    return render_template("events/session_form.html", form=form, event=event, item=None), status


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id)
    form = SessionForm(obj=item, event=event)
    if request.method == "GET":
        form.starts_at.data = local_naive(item.starts_at, event.timezone)
        form.ends_at.data = local_naive(item.ends_at, event.timezone)
        form.kind.data = item.kind.value
        form.speaker_ids.data = [s.user_id for s in item.speakers if s.user_id]
        form.external_speakers.data = agenda.external_speakers_text(item)
    if form.validate_on_submit():
        try:
            agenda.update_session(current_user, item, form.values(), form.speaker_ids.data,
                                    form.external_speakers.data)
        except EventError as error:
            _apply_error(form, error)
        else:
            flash("The session is saved.", "success")
            return redirect(url_for("events.detail", event_id=event.id, _anchor="agenda"))
    status = 422 if request.method == "POST" else 200
    return render_template("events/session_form.html", form=form, event=event, item=item), status


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/delete")
@login_required
def session_delete(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id)
    try:
        agenda.delete_session(current_user, item)
    except EventError as error:
        flash(str(error), "danger")
    else:
        flash("The session is removed from the agenda.", "success")
    return redirect(url_for("events.detail", event_id=event_id, _anchor="agenda"))


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/move")
@login_required
def session_move(event_id: int, session_id: int):
    event = get_managed_or_404(event_id, current_user)
    item = _session_or_404(event, session_id)
    if not agenda.move_session(current_user, item, request.form.get("direction", "")):
        flash("That session cannot move further.", "info")
    return redirect(url_for("events.detail", event_id=event_id, _anchor="agenda"))
