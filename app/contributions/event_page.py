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
from app.timeutil import now


def page_context(event: Event, *, user, **_kwargs) -> dict | None:
    organiser = is_organiser_of(user, event)
    if event.is_draft or event.is_cancelled or event.is_past(now()):
        return None
    proposer = may_propose(user, event)
    if not organiser and not proposer:
        return None
    call = call_of(event)
    if call is None and not organiser:
        return None
    panel = {"call": call, "is_open": bool(call and call.is_open(now())), "may_propose": proposer,
             "organiser": organiser, "counts": counts(event.id) if call else {"total": 0}}
    return {"contributions_panel": Markup(render_template("contributions/_panel.html", event=event, panel=panel))}


signals.event_page_context.connect(page_context)
