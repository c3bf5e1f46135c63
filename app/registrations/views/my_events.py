"""The participant's "my events": registrations upcoming and past, sign-ups, open invitations."""

from __future__ import annotations

import functools

from flask import render_template, request
from flask_login import current_user

from app.accounts.auth import login_required
from app.events.list_rows import local_when
from app.pagination import Page, parse_page
from app.registrations import queries
from app.registrations.views import bp
from app.registrations.views.my_event_rows import write_registrations
from app.timeutil import now

MY_EVENTS_PER_PAGE = 20


@bp.get("/my/events")
@login_required
def my_events():
    """The user's registrations: upcoming first (soonest first), past ones behind their own tab
    (latest first), a page of MY_EVENTS_PER_PAGE at a time."""
    instant = now()
    show = "past" if request.args.get("show") == "past" else "upcoming"
    mine = queries.my_events(current_user.id, current_user.email)
    upcoming = [r for r in mine.registrations if r.ends_at > instant]
    past = [r for r in reversed(mine.registrations) if not r.ends_at > instant]  # latest first
    totals = {"upcoming": len(upcoming), "past": len(past)}
    number = parse_page(request.args.get("page"))
    start = (number - 1) * MY_EVENTS_PER_PAGE
    registrations = (past if show == "past" else upcoming)[start:start + MY_EVENTS_PER_PAGE]
    page = Page(items=registrations, page=number, per_page=MY_EVENTS_PER_PAGE, total=totals[show])
    invitations = [invitation for invitation in mine.invitations if invitation.ends_at > instant]
    rows = functools.partial(
        write_registrations, starts=_starts(registrations, current_user.timezone),
        viewer_timezone=current_user.timezone, positions=mine.positions, signups=mine.signups,
        signup_positions=mine.signup_positions, past=show == "past",
        feedback_given={r.id for r in registrations if r.has_feedback})
    return render_template("registrations/my_events.html", show=show, page=page, totals=totals,
                           invitations=invitations, registration_rows=rows,
                           my_registrations=mine.registrations)  # every one: the tests box reads them


def _starts(registrations, viewer_tz: str | None) -> dict[int, tuple[str, str | None]]:
    """{registration id: (the event's start in its zone, in the viewer's zone or None when the same
    zone)}, as the `local` filter and macros.your_time write them (app.templating.format_local; each
    time written once per worker: events.list_rows.local_when)."""
    when = local_when()
    return {r.id: (when(r.starts_at, r.timezone),
                   when(r.starts_at, viewer_tz) if viewer_tz and viewer_tz != r.timezone else None)
            for r in registrations}
