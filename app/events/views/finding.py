"""Finding events: the list, the month calendar, the event page, and the template helpers every page uses."""
from __future__ import annotations

from datetime import date

from flask import get_template_attribute, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.cache import fragments
from app.events import list_markup, list_rows, page_facts, page_main, page_times, queries, signals
from app.events.access import is_organiser_of
from app.events.place import place
from app.events.queries import EventFilters
from app.events.urls import event_path
from app.events.views import bp
from app.i18n import format_pattern
from app.roles import is_signed_in
from app.timeutil import now, to_local


@bp.app_template_filter("clock")
def clock(instant, tz_name: str | None, fmt: str = "%H:%M") -> str:
    """A time of day in a zone, without the zone's name (the page says which zone once)."""
    if instant is None:
        return ""
    local = to_local(instant, tz_name)
    if fmt in ("%Z", "%H:%M"):
        # "%H:%M" reads the same in every locale (Babel's "HH:mm" writes ASCII digits): an agenda
        # prints two a session, so the locale is not looked up for them.
        return local.strftime(fmt)
    return format_pattern(local, fmt)


bp.add_app_template_global(event_path, "event_path")  # the one way pages link to an event
bp.add_app_template_filter(place, "place")  # the one way pages print where an event is


@bp.app_template_global("upcoming_events")
def upcoming_events(limit: int = 5):
    """For the home page: the next published events the viewer may see."""
    return queries.upcoming(current_user, limit)


def _filter_form(filters: EventFilters, extra_hidden: dict, show_dates: bool, choices: dict | None = None):
    """The filter form (shared by the list and the month calendar), cached: it lists every project
    and theme. It differs only by the filters it shows (as read: a page number or an unreadable value
    makes no other form) and whether the viewer may tick "mine". `choices`: the projects and themes
    as the caller read them (queries.filter_choices)."""
    may_pick_mine = bool(is_signed_in(current_user) and current_user.is_organiser)
    return fragments.cached(
        "events.filters",
        (request.endpoint, tuple(sorted(filters.query_args().items())), may_pick_mine,
         tuple(sorted(extra_hidden.items())), show_dates),
        ("projects", "themes"),
        lambda: render_template("events/_filters.html", filters=filters, extra_hidden=extra_hidden,
                                show_dates=show_dates, **queries.filter_choices(filters, choices)),
    )


@bp.get("/events")
def index():
    filters = EventFilters.from_args(request.args)
    # The viewer's own time is shown beside the event's when their zones differ.
    viewer_tz = current_user.timezone if is_signed_in(current_user) else None
    # The page of events as plain rows, counted and with their themes, in one statement. Built on
    # each request: kept in the cache (per query string, visibility, zone and minute) it was found
    # about once in 18 builds on the mixed traffic, and each 30 kB copy pushed other entries out.
    # With the cache off the filter form is built on every view: its projects and themes are kept in
    # this worker under their change stamps, read with the list (with it on, under the cache's stamps).
    page, choices = list_rows.list_page(filters, current_user, request.args.get("page"), viewer_tz,
                                        with_choices=not fragments.enabled())
    listing = Markup(render_template("events/_list.html", page=page, rows=list_markup.written(page.items, viewer_tz),
                                     filters=filters))
    filter_form = _filter_form(filters, {"tab": "past"} if filters.tab == "past" else {}, True, choices)
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
    # One statement: the event, whether the viewer co-organises it, and the facts the boxes of the
    # packages above need (events.page_facts): a box with nothing to show asks nothing more.
    event = page_facts.load_visible_or_404(event_id, current_user)
    organiser = is_organiser_of(current_user, event)
    # What the registrations package adds (registration facts, seats taken, the viewer's
    # registration, whether the viewer sees the online link): see signals.event_page_context.
    extra = {"show_online_link": False,
             **signals.values_from_signal(signals.event_page_context.send(event, user=current_user))}
    show_online_link = extra.pop("show_online_link")
    signed_in = is_signed_in(current_user)
    viewer_tz = getattr(current_user, "timezone", None) if signed_in else None

    def build_main(kept: bool) -> page_times.SharedMain:
        # The agenda, speakers, organisers, projects, themes, as plain rows (app.events.page_main),
        # written once for every time zone: the viewer's own times fill its slots (app.events.page_times).
        # The calendar box rides along (the event and its agenda, the same for every viewer but for
        # its line on the personal feed): kept on its own per event and sign-in, it was built once in
        # 1.7 lookups on the mix, each lookup paying for its key and stamps.
        main = page_main.main_column(event)
        agenda = page_main.agenda_facts(main)
        return page_times.render_shared(
            lambda slot: render_template("events/_detail_main.html", event=event, main=main, is_organiser=organiser,
                                         show_online_link=show_online_link, viewer_slot=slot),
            agenda, lambda slot: _calendar_parts(event, bool(agenda), slot), kept)

    if organiser:
        # With the organisers' forms (each carrying the session's CSRF token): built on each view.
        # Kept with a mark where the token goes, it was found 9 times in 207 in the mix's replay
        # (organisers open their own events, each a few times) and held a tenth of the cache's bytes.
        shared = build_main(False)
    else:
        shared = fragments.remember("events.detail_main", (event.id, show_online_link), DETAIL_TABLES,
                                    lambda: build_main(fragments.enabled()), scope=event.id)
    page_main.keep_agenda(event.id, shared.agenda)  # for the boxes below: the certificate rule, sign-up sessions
    return render_template(
        "events/detail.html",
        event=event,
        is_organiser=organiser,
        main_column=page_times.for_viewer(shared, event, viewer_tz),
        calendar_box=page_times.calendar_box(shared, signed_in),
        lesson_entries=_lesson_entries(event),
        **extra,
    )


def _calendar_parts(event, has_sessions: bool, slot: Markup) -> tuple:
    """The calendar box with `slot` for its line on the personal feed, and that line for a signed-in
    viewer and for a visitor (app.events.page_times.render_shared)."""
    line = get_template_attribute("calendar/_subscribe_line.html", "subscribe_line")
    return (render_template("calendar/_event_links.html", event=event, has_sessions=has_sessions, subscribe_slot=slot),
            line(True), line(False))


# What the main column of an event page shows (facts, people, agenda) and its calendar box.
DETAIL_TABLES = ("events", "sessions", "session_speakers", "users", "organisations", "event_organisers",
                 "event_projects", "projects", "event_themes", "themes", "facilities")


def _lesson_entries(event):
    """The event's lessons box (the lessons capability) for anonymous visitors, who all see the same
    box (the public entries, no button: not a matter of the clock), kept until an entry, the event
    or its organisers change; None for a signed-in viewer, whose box the page asks of the lessons
    package (its template global event_lessons_box): it depends on who they are (their entries'
    visibility, whether they may record one yet) and, per person, was found about once in ten
    builds in the cache; the lessons package keeps the one box most viewers see."""
    def build() -> str:
        return render_template("lessons/_event_entries.html", event=event)

    if is_signed_in(current_user):
        return None
    return fragments.cached("events.lesson_entries", (event.id, ("public",)), LESSON_BOX_TABLES, build,
                            scope=event.id)


LESSON_BOX_TABLES = ("lessons", "lesson_themes", "themes", "users", "organisations", "events", "event_organisers",
                     "registrations", "attendance_days", "session_attendance")
