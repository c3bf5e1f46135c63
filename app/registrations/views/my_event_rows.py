""""My events"' registrations as HTML, written in Python (issue 19): the template's macro, called for each
row with its `_()`, enum labels and time zone line, was most of the page's own Python. The same
markup as the macro wrote (registrations/my_events.html before); the phrases and labels are looked
up once per page and every value is escaped as Jinja would."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from flask import get_template_attribute
from markupsafe import Markup

from app.escaping import escaped
from app.events.list_rows import local_when
from app.events.urls import event_path
from app.i18n import catalog
from app.registrations.models import RegistrationStatus, SessionSignupStatus
from app.registrations.views.participant_rows import EscapedLabels
from app.urls import path_with_id

BADGES = {RegistrationStatus.CONFIRMED: "success", RegistrationStatus.WAITLISTED: "warning",
          RegistrationStatus.PENDING: "info", RegistrationStatus.CANCELLED: "secondary",
          RegistrationStatus.REJECTED: "danger"}


def write_registrations(registrations: Sequence, *, starts: Mapping, viewer_timezone: str | None,
                        positions: Mapping, signups: Mapping, signup_positions: Mapping, past: bool,
                        feedback_given: Collection, offering: Collection) -> Markup:
    """The <li> of each registration (app.registrations.queries.MyRegistration): its event, start
    (`starts`: {registration id: (in the event's zone, in the viewer's or None)}), status (with the
    waiting-list place: `positions`), role, the sign-ups of its event's sessions (`signups`, their
    places: `signup_positions`) and, on the past tab (`past`), for an attended event, the feedback
    link (unless given: `feedback_given`) and the certificates link (events in `offering`)."""
    gettext = catalog().ugettext
    cancelled = gettext("Event cancelled") % {}
    cancelled = f' · <strong class="text-danger">{cancelled}</strong>'
    your_time = Markup(gettext("Your time (%(zone)s): %(start)s"))
    numbered = Markup(gettext("%(status)s — number %(position)s"))
    signed_up = gettext("signed up") % {}
    signup_waiting = Markup(gettext("number %(position)s on its waiting list"))
    give_feedback = gettext("Give feedback") % {}
    certificates_link = get_template_attribute("certificates/_link.html", "certificates_link") if offering else None
    when = local_when()
    labels = EscapedLabels()
    written = []
    for r in registrations:
        start, viewer_start = starts[r.id]
        place = f" · {escaped(r.city)}" if r.city else ""
        if r.event_status.value == "cancelled":
            place += cancelled
        mine = (f'<small class="text-muted d-block" data-testid="your-time">'
                f'{your_time % {"zone": viewer_timezone, "start": viewer_start}}</small>') if viewer_start else ""
        status = labels[r.status]
        if r.status == RegistrationStatus.WAITLISTED and positions.get(r.id):
            status = numbered % {"status": r.status.label, "position": positions[r.id]}
        sessions = (_signups_list(signups[r.event_id], r.timezone, when, signup_positions, signed_up, signup_waiting)
                    if signups.get(r.event_id) else "")
        after = ""
        if past and r.status == RegistrationStatus.CONFIRMED and r.checked_in_at:
            feedback = (f'<a class="btn btn-sm btn-outline-primary" '
                        f'href="{path_with_id("registrations.feedback", "event_id", r.event_id)}">{give_feedback}</a>'
                        if r.id not in feedback_given else "")
            certificates = certificates_link(r.event_id, r.id) if r.event_id in offering else ""
            after = f'\n  <div class="mt-2 d-flex gap-2">\n    {feedback}\n    {certificates}\n  </div>\n  '
        written.append(
            f'\n<li class="list-group-item" data-testid="my-registration-{r.event_id}">\n'
            f'  <div class="d-flex flex-wrap justify-content-between gap-2">\n'
            f'    <div>\n'
            f'      <a class="fw-semibold" href="{escaped(event_path(r.event_id))}">{escaped(r.title)}</a><br>\n'
            f'      <small class="text-muted">{escaped(start)}{place}</small>\n'
            f'      {mine}\n'
            f'    </div>\n'
            f'    <div class="text-end">\n'
            f'      \n'
            f'      <span class="badge text-bg-{BADGES[r.status]}" data-testid="status">{status}</span>\n'
            f'      <span class="badge text-bg-light">{labels[r.role]}</span>\n'
            f'    </div>\n'
            f'  </div>\n'
            f'  {sessions}\n'
            f'  {after}\n'
            f'</li>\n'
        )
    return Markup("".join(written))


def _signups_list(signups: Sequence, timezone: str, when, signup_positions: Mapping, signed_up: str,
                  signup_waiting: Markup) -> str:
    """The <ul> of a registration's session sign-ups, each with its start and status (or place)."""
    items = "".join(
        f"\n    <li>{escaped(s.title)} — {escaped(when(s.starts_at, timezone))} — "
        f"""{signed_up if s.status == SessionSignupStatus.CONFIRMED
             else signup_waiting % {"position": signup_positions.get(s.id)}}</li>\n    """
        for s in signups)
    return f'\n  <ul class="small mb-0 mt-2">\n    {items}\n  </ul>\n  '
