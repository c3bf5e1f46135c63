"""The call for contributions on the event page, through events.signals.event_page_context: shown
to the event's organisers and to those who may propose; for everyone else nothing is added."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from app.contributions.access import may_propose
from app.contributions.calls import call_of
from app.contributions.queries import counts
from app.events import signals
from app.events.access import is_organiser_of
from app.events.models import Event
from app.roles import is_signed_in
from app.timeutil import now


def page_context(event: Event, *, user, **_kwargs) -> dict | None:
    """One statement on an event without a call (asking for its call); the rest only when there is one."""
    if event.is_draft or event.is_cancelled or event.is_past(now()) or not is_signed_in(user):
        return None
    organiser = is_organiser_of(user, event)  # asked once per request (events.access)
    call = call_of(event)
    if call is None and not organiser:
        return None
    proposer = call is not None and may_propose(user, event)
    if not organiser and not proposer:
        return None
    panel = {"call": call, "is_open": bool(call and call.is_open(now())), "may_propose": proposer,
             "organiser": organiser, "counts": counts(event.id) if call else {"total": 0}}
    return {"contributions_panel": Markup(render_template("contributions/_panel.html", event=event, panel=panel))}


signals.event_page_context.connect(page_context)
