"""Identified needs (capability gaps): recorded by an assessment's owners from its results, turned
into a planned (draft) event prefilled from the need, or linked to events that address it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.accounts.permissions import can_create_events
from app.assessments.access import is_owner
from app.assessments.building import AssessmentError, rolls_back_on_error
from app.assessments.models import Assessment, Need, NeedPriority
from app.directory.models import Theme
from app.events import access as event_access
from app.events.errors import EventError
from app.events.models import Event, EventKind
from app.events.planning import create_event
from app.extensions import db
from app.timeutil import local_to_utc, now, to_local

# A planned event starts this many weeks ahead (the organiser sets the real dates when editing it).
PLANNED_WEEKS_AHEAD = 12
PLANNED_TIMEZONE = "Europe/Brussels"


@dataclass
class NeedData:
    title: str
    description: str | None = None
    theme_id: int | None = None
    country: str | None = None
    priority: NeedPriority = NeedPriority.MEDIUM


def _values(data: NeedData) -> dict:
    if data.theme_id and db.session.get(Theme, data.theme_id) is None:
        raise AssessmentError(_l("Choose a theme from the list."), "theme_id")
    return {"title": data.title, "description": data.description, "theme_id": data.theme_id or None,
            "country": data.country or None, "priority": NeedPriority(data.priority)}


def _own(actor, assessment: Assessment) -> None:
    if not is_owner(actor, assessment):
        raise AssessmentError(_l("Only the assessment's owners may record its needs."))


@rolls_back_on_error
def record_need(actor, assessment: Assessment, data: NeedData) -> Need:
    _own(actor, assessment)
    need = Need(assessment_id=assessment.id, created_by_id=actor.id, **_values(data))
    db.session.add(need)
    db.session.flush()
    audit.record(actor, "need.create", need, summary=need.title)
    db.session.commit()
    return need


@rolls_back_on_error
def update_need(actor, need: Need, data: NeedData) -> Need:
    _own(actor, need.assessment)
    values = _values(data)
    changes = audit.diff(need, values)
    for name, value in values.items():
        setattr(need, name, value)
    audit.record(actor, "need.update", need, changes, summary=need.title)
    db.session.commit()
    return need


@rolls_back_on_error
def link_event(actor, need: Need, event_id: int | None) -> Event:
    """Link the need to an event the actor can see (it addresses the need)."""
    _own(actor, need.assessment)
    event = db.session.get(Event, event_id) if event_id else None
    if event is None or not event_access.can_view(actor, event):
        raise AssessmentError(_l("Choose an event from the list."), "event_id")
    if event not in need.events:
        need.events.append(event)
        audit.record(actor, "need.link_event", need, {"event_id": event.id}, summary=need.title)
    db.session.commit()
    return event


@rolls_back_on_error
def unlink_event(actor, need: Need, event_id: int) -> None:
    _own(actor, need.assessment)
    event = next((e for e in need.events if e.id == event_id), None)
    if event is None:
        raise AssessmentError(_l("That event is not linked to this need."))
    need.events.remove(event)
    audit.record(actor, "need.unlink_event", need, {"event_id": event.id}, summary=need.title)
    db.session.commit()


def _planned_values(need: Need) -> dict:
    day = to_local(now(), PLANNED_TIMEZONE).date() + timedelta(weeks=PLANNED_WEEKS_AHEAD)
    starts_at = local_to_utc(datetime.combine(day, time(9, 0)), PLANNED_TIMEZONE)
    description = need.description or ""
    source = _("Planned from the need “%(need)s” identified by the needs assessment “%(assessment)s”.",
               need=need.title, assessment=need.assessment.title)
    return {
        "kind": EventKind.TRAINING, "title": _("Training: %(need)s", need=need.title)[:200],
        "summary": need.title[:500], "description": f"{description}\n\n{source}".strip(),
        "starts_at": starts_at, "ends_at": starts_at + timedelta(days=2, hours=8),
        "timezone": PLANNED_TIMEZONE, "country": need.country,
    }


def plan_event(actor, need: Need) -> Event:
    """A draft training event prefilled from the need (title, description, country, theme, project of
    the assessment), linked to it; the organiser sets the dates and venue when editing it."""
    _own(actor, need.assessment)
    if not can_create_events(actor):
        raise AssessmentError(_l("Only organisers and coordinators plan events."))
    project_ids = [need.assessment.project_id] if need.assessment.project_id else []
    try:
        outcome = create_event(actor, _planned_values(need), project_ids=project_ids,
                               theme_ids=[need.theme_id] if need.theme_id else [])
    except EventError as error:
        raise AssessmentError(str(error)) from error
    link_event(actor, need, outcome.event.id)
    return outcome.event
