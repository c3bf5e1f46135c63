"""Planning events: create, edit, publish, cancel and delete them, clone them and plan a series
(the rules and their transactions; no request, no templates).

Every function that changes data writes an audit entry and commits; on a broken rule it raises
EventError (with the form field it concerns) and rolls back, before changing anything. Changes the
packages above must know of are sent as signals (app/events/signals.py).
"""

from __future__ import annotations

import calendar as _calendar
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app import audit
from app.directory.models import Organisation, Project, Theme
from app.events import signals
from app.events.access import forget_organisers, is_own_organiser
from app.events.agenda import SESSION_FIELDS
from app.events.errors import EventError, rolls_back_on_error
from app.events.facility_place import fill_event_place
from app.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    RegistrationMode,
    Session,
    SessionSpeaker,
)
from app.events.queries import overlapping_events, rows_by_ids, users_by_ids
from app.events.times import local_date, local_naive, shift_days
from app.events.urls import event_url
from app.extensions import db
from app.notifications.services import notify
from app.roles import has_role
from app.timeutil import now

# Changes a participant must see in their calendar raise SEQUENCE and send an iTIP update: when and
# where the event happens, how to join it online, and its title (what the calendar entry is called).
# Pure description/summary tweaks, capacity, registration settings and links to projects/themes do
# not: they do not change the calendar entry a participant relies on.
SEQUENCE_FIELDS = ("title", "starts_at", "ends_at", "timezone", "venue", "address", "city", "country", "online_url")

EVENT_FIELDS = (
    "kind", "format", "title", "summary", "description", "starts_at", "ends_at", "timezone", "venue",
    "address", "city", "country", "online_url", "host_organisation_id", "capacity", "registration_mode",
    "registration_opens_at", "registration_closes_at", "reminder_days", "facility_id",
)
MAX_SERIES = 52


def parse_reminder_days(text: str | None) -> str:
    """"7, 1" -> "7,1": whole days between 0 and 365, at most 6, largest first."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    days = set()
    for part in parts:
        if not part.isdigit() or not 0 <= int(part) <= 365:
            raise EventError(_l("Reminder days are whole numbers of days from 0 to 365, separated by commas (e.g. 7,1)."),
                             "reminder_days")
        days.add(int(part))
    if len(days) > 6:
        raise EventError(_l("At most 6 reminders."), "reminder_days")
    return ",".join(str(d) for d in sorted(days, reverse=True))


def _check_event(values: dict, event: Event | None = None) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise EventError(_l("The end must be after the start."), "ends_at")
    if values["ends_at"] - values["starts_at"] > timedelta(days=60):
        raise EventError(_l("An event lasts at most 60 days; plan a series for recurring meetings."), "ends_at")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise EventError(_l("Registration must close after it opens."), "registration_closes_at")
    if closes and closes > values["ends_at"]:
        raise EventError(_l("Registration must close before the event ends."), "registration_closes_at")
    capacity = values.get("capacity")
    if capacity is not None and not 0 <= capacity <= 100_000:
        raise EventError(_l("Capacity is between 0 and 100000 (leave empty for no limit)."), "capacity")
    if event is not None:
        outside = [
            s for s in event.sessions
            if s.starts_at < values["starts_at"] or s.ends_at > values["ends_at"]
        ]
        if outside:
            names = ", ".join(f"“{s.title}”" for s in outside[:5])
            raise EventError(
                _l("Sessions would fall outside the new dates: %(names)s. Move or delete them first, "
                 "or clone the event onto the new date.", names=names), "starts_at",
            )


@dataclass
class SaveOutcome:
    event: Event
    changes: dict = field(default_factory=dict)
    overlaps: list[Event] = field(default_factory=list)


def _normalise(values: dict, event: Event | None = None) -> dict:
    values = fill_event_place({k: v for k, v in values.items() if k in EVENT_FIELDS},
                              event.facility_id if event is not None else None)
    values["kind"] = EventKind(values["kind"])
    values["format"] = EventFormat(values.get("format") or EventFormat.IN_PERSON)
    values["registration_mode"] = RegistrationMode(values.get("registration_mode") or RegistrationMode.OPEN)
    values["reminder_days"] = parse_reminder_days(values.get("reminder_days"))
    if values.get("host_organisation_id") and db.session.get(Organisation, values["host_organisation_id"]) is None:
        raise EventError(_l("Choose a host organisation from the list."), "host_organisation_id")
    values["host_organisation_id"] = values.get("host_organisation_id") or None
    return values


@rolls_back_on_error
def create_event(actor, values: dict, co_organiser_ids=(), project_ids=(), theme_ids=()) -> SaveOutcome:
    values = _normalise(values)
    _check_event(values)
    event = Event(**values, created_by_id=actor.id, status=EventStatus.DRAFT)
    event.organisers = [u for u in users_by_ids(co_organiser_ids) if u.id != actor.id]
    event.projects = rows_by_ids(Project, project_ids)
    event.themes = rows_by_ids(Theme, theme_ids)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", event, {
        **{k: [None, v] for k, v in values.items() if v not in (None, "")},
        "organisers": [None, sorted(u.id for u in event.organisers)],
        "projects": [None, sorted(p.id for p in event.projects)],
        "themes": [None, sorted(t.id for t in event.themes)],
    }, summary=event.title)
    overlaps = overlapping_events(event)
    db.session.commit()
    return SaveOutcome(event, overlaps=overlaps)


@rolls_back_on_error
def update_event(actor, event: Event, values: dict, co_organiser_ids=(), project_ids=(), theme_ids=()) -> SaveOutcome:
    """Save an edit of the event's details, links and co-organisers.

    SEQUENCE rule: when a PUBLISHED event's title, start, end, time zone, venue, address, city,
    country or online link changes (SEQUENCE_FIELDS), its SEQUENCE rises by one and the
    event_changed signal is sent (the calendar writes the updated invitations in this same
    transaction). Edits of the
    summary or description only, capacity, registration settings, reminders, projects, themes and
    co-organisers do not raise it (nothing in the participant's calendar entry changes). Drafts
    have no participants, so their SEQUENCE stays 0 until published.
    """
    if event.is_cancelled:
        raise EventError(_l("A cancelled event cannot be edited."))
    values = _normalise(values, event)
    _check_event(values, event)
    changes = audit.diff(event, values)
    organisers = [u for u in users_by_ids(co_organiser_ids) if u.id != event.created_by_id]
    added = _check_appointments(actor, event, organisers)
    projects = rows_by_ids(Project, project_ids)
    themes = rows_by_ids(Theme, theme_ids)
    for name, new, old in (
        ("organisers", organisers, event.organisers),
        ("projects", projects, event.projects),
        ("themes", themes, event.themes),
    ):
        before, after = sorted(x.id for x in old), sorted(x.id for x in new)
        if before != after:
            changes[name] = [before, after]
    for name, value in values.items():
        setattr(event, name, value)
    event.organisers, event.projects, event.themes = organisers, projects, themes
    forget_organisers(event.id)
    if event.is_published and any(name in changes for name in SEQUENCE_FIELDS):
        event.sequence += 1
        signals.event_changed.send(event)
    if changes:
        audit.record(actor, "event.edit", event, changes, summary=event.title)
    for user in added:
        notify(user, "events/organiser_added", kind="organiser_added", event=event, actor=actor, url=event_url(event))
    db.session.flush()
    overlaps = overlapping_events(event)
    db.session.commit()
    if "capacity" in changes and event.is_published:
        # A raised (or removed) capacity confirms people from the waiting list, who are told.
        signals.capacity_changed.send(event, actor=actor)
    return SaveOutcome(event, changes=changes, overlaps=overlaps)


def _check_appointments(actor, event: Event, organisers: list) -> list:
    """Who organises an event is decided by its own organisers (creator, co-organisers) and admins:
    a coordinator, who may edit any event, cannot appoint themselves or anyone else, since being an
    organiser opens the event's RED and AMBER+STRICT entries and its participants' needs. Returns the
    people added, who are told."""
    before = {user.id for user in event.organisers}
    after = {user.id for user in organisers}
    if before == after:
        return []
    if not (is_own_organiser(actor, event) or has_role(actor)):
        raise EventError(_l("Only the event's organisers or an administrator may change who co-organises it."),
                         "organiser_ids")
    return [user for user in organisers if user.id not in before]


@rolls_back_on_error
def publish(actor, event: Event) -> SaveOutcome:
    if not event.is_draft:
        raise EventError(_l("Only a draft can be published."))
    event.status = EventStatus.PUBLISHED
    event.published_at = now()
    audit.record(actor, "event.publish", event, {"status": ["draft", "published"]}, summary=event.title)
    db.session.flush()
    overlaps = overlapping_events(event)
    db.session.commit()
    return SaveOutcome(event, overlaps=overlaps)


@rolls_back_on_error
def cancel(actor, event: Event, reason: str) -> Event:
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_l("Say why the event is cancelled; everyone will see it."), "reason")
    if not event.is_published:
        raise EventError(_l("Only a published event can be cancelled (delete a draft instead)."))
    event.status = EventStatus.CANCELLED
    event.cancellation_reason = reason
    event.cancelled_at = now()
    event.sequence += 1
    signals.event_cancelled.send(event)
    audit.record(actor, "event.cancel", event, {"status": ["published", "cancelled"], "reason": [None, reason]},
                 summary=event.title)
    db.session.commit()
    return event


@rolls_back_on_error
def delete_draft(actor, event: Event) -> None:
    if not event.is_draft:
        raise EventError(_l("Only drafts can be deleted; cancel a published event instead."))
    audit.record(actor, "event.delete", ("Event", event.id), {"title": [event.title, None]}, summary=event.title)
    db.session.delete(event)
    db.session.commit()


def local_form_values(event: Event) -> dict:
    """Event times as wall-clock values in its zone, to fill the edit form."""
    return {
        name: local_naive(getattr(event, name), event.timezone)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    }


def _copy(actor, source: Event, days: int, series_key: str | None = None) -> Event:
    tz = source.timezone
    copy = Event(
        **{name: getattr(source, name) for name in EVENT_FIELDS},
        created_by_id=actor.id,
        status=EventStatus.DRAFT,
        series_key=series_key,
    )
    copy.starts_at = shift_days(source.starts_at, days, tz)
    copy.ends_at = shift_days(source.ends_at, days, tz)
    copy.registration_opens_at = shift_days(source.registration_opens_at, days, tz)
    copy.registration_closes_at = shift_days(source.registration_closes_at, days, tz)
    # The source's creator and co-organisers all organise the copy; the actor is its creator.
    organisers = {u.id: u for u in source.organisers}
    if source.created_by is not None:
        organisers[source.created_by.id] = source.created_by
    organisers.pop(actor.id, None)
    copy.organisers = sorted(organisers.values(), key=lambda u: u.name)
    copy.projects = list(source.projects)
    copy.themes = list(source.themes)
    for item in source.sessions:
        new = Session(**{name: getattr(item, name) for name in SESSION_FIELDS}, position=item.position)
        new.starts_at = shift_days(item.starts_at, days, tz)
        new.ends_at = shift_days(item.ends_at, days, tz)
        new.speakers = [
            SessionSpeaker(user_id=s.user_id, external_name=s.external_name,
                           external_organisation=s.external_organisation, role=s.role, position=s.position)
            for s in item.speakers
        ]
        copy.sessions.append(new)
    db.session.add(copy)
    return copy


def clone(actor, source: Event, starts_on: date) -> SaveOutcome:
    """A draft copy starting on `starts_on` (local date); sessions keep their local times and shift.
    The outcome names the published events the copy would overlap, as creating one does."""
    days = (starts_on - local_date(source.starts_at, source.timezone)).days
    copy = _copy(actor, source, days)
    db.session.flush()
    audit.record(actor, "event.clone", copy, {"cloned_from": [None, source.id], "starts_at": [None, copy.starts_at]},
                 summary=copy.title)
    overlaps = overlapping_events(copy)
    db.session.commit()
    return SaveOutcome(copy, overlaps=overlaps)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th (1..4, or -1 for last) `weekday` (0=Monday) of a month."""
    days = [d for d in _calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    if n == -1:
        return days[-1]
    return days[n - 1] if 1 <= n <= len(days) else None


def series_dates(first: date, count: int, every_weeks: int | None = None,
                 weekday: int | None = None, nth: int | None = None) -> list[date]:
    """The next `count` dates after `first`: every N weeks, or monthly on the n-th weekday."""
    if not 1 <= count <= MAX_SERIES:
        raise EventError(lazy_ngettext("Create between 1 and %(num)d event.", "Create between 1 and %(num)d events.",
                                      MAX_SERIES), "count")
    dates = []
    if every_weeks:
        if not 1 <= every_weeks <= 52:
            raise EventError(_l("Repeat every 1 to 52 weeks."), "every_weeks")
        return [first + timedelta(weeks=every_weeks * i) for i in range(1, count + 1)]
    if weekday is None or nth is None or nth not in (1, 2, 3, 4, -1) or not 0 <= weekday <= 6:
        raise EventError(_l("Choose which weekday of the month."), "nth")
    year, month = first.year, first.month
    while len(dates) < count:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = nth_weekday(year, month, weekday, nth)
        if day is not None:
            dates.append(day)
    return dates


@rolls_back_on_error
def create_series(actor, source: Event, count: int, every_weeks: int | None = None,
                  weekday: int | None = None, nth: int | None = None) -> list[Event]:
    """`count` further draft events after `source`, sharing a series key with it."""
    first = local_date(source.starts_at, source.timezone)
    dates = series_dates(first, count, every_weeks, weekday, nth)
    key = source.series_key or uuid.uuid4().hex
    source.series_key = key
    copies = [_copy(actor, source, (day - first).days, series_key=key) for day in dates]
    db.session.flush()
    rule = f"every {every_weeks} week(s)" if every_weeks else f"monthly, weekday {weekday} #{nth}"
    audit.record(actor, "event.series", source, {"series": [None, [c.id for c in copies]], "rule": [None, rule]},
                 summary=source.title)
    db.session.commit()
    return copies
