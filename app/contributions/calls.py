"""Opening and changing an event's call for topics and contributions (organisers). The call is open
until its deadline; nothing needs to close it (ContributionCall.is_open)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.contributions.access import ContributionError, rolls_back_on_error
from app.contributions.models import ContributionCall
from app.events.models import Event
from app.extensions import db
from app.timeutil import now


def call_of(event: Event) -> ContributionCall | None:
    return db.session.scalar(select(ContributionCall).where(ContributionCall.event_id == event.id))


@rolls_back_on_error
def save_call(actor, event: Event, deadline_at: datetime, intro: str | None) -> ContributionCall:
    """Open the call, or change its deadline and text. A deadline moved later reopens it (and the
    organisers are told again after the new deadline). Commits."""
    if event.is_cancelled:
        raise ContributionError(_l("This event is cancelled."))
    if event.is_draft:
        raise ContributionError(_l("Publish the event first: participants propose from its page."))
    if deadline_at <= now():
        raise ContributionError(_l("The deadline must be in the future."), "deadline_at")
    if deadline_at > event.ends_at:
        raise ContributionError(_l("The deadline must be before the event ends."), "deadline_at")
    call = call_of(event)
    values = {"deadline_at": deadline_at, "intro": (intro or "").strip() or None}
    if call is None:
        call = ContributionCall(event_id=event.id, opened_by_id=actor.id, **values)
        db.session.add(call)
        db.session.flush()
        audit.record(actor, "contribution_call.open", call,
                     {"deadline_at": deadline_at.isoformat(), "intro": values["intro"] or ""}, summary=event.title)
    else:
        changes = audit.diff(call, values)
        for name, value in values.items():
            setattr(call, name, value)
        if "deadline_at" in changes:
            call.closed_notified_at = None
        if changes:
            audit.record(actor, "contribution_call.edit", call, changes, summary=event.title)
    db.session.commit()
    return call
