"""The call for contributions on the event page, through events.signals.event_page_context: shown
to the event's organisers and to those who may propose; for everyone else nothing is added."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import exists

from app.contributions.models import ContributionCall
from app.contributions.queries import panel_of
from app.events import page_facts, signals
from app.events.access import is_organiser_of
from app.events.models import Event
from app.roles import is_signed_in
from app.timeutil import now

# Whether the event has a call, read with the event by its page (app.events.page_facts).
HAS_CALL = "contributions.has_call"
page_facts.register(HAS_CALL, lambda event_id: exists().where(ContributionCall.event_id == event_id))


def page_context(event: Event, *, user, **_kwargs) -> dict | None:
    """No statement on an event without a call (its page read that with the event) unless the viewer
    organises it; otherwise one: the call, its counts and whether the viewer may propose."""
    if event.is_draft or event.is_cancelled or event.is_past(now()) or not is_signed_in(user):
        return None
    organiser = is_organiser_of(user, event)  # asked once per request (events.access)
    if not organiser and page_facts.absent(event.id, HAS_CALL):
        return None
    found = panel_of(event, user)
    if found.call is None and not organiser:
        return None
    proposer = found.call is not None and found.may_propose
    if not organiser and not proposer:
        return None
    panel = {"call": found.call, "is_open": bool(found.call and found.call.is_open(now())), "may_propose": proposer,
             "organiser": organiser, "counts": found.counts}
    return {"contributions_panel": Markup(render_template("contributions/_panel.html", event=event, panel=panel))}


signals.event_page_context.connect(page_context)
