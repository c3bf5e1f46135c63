"""Planning events and their agendas: the rules and transactions (no request, no templates).

Every function that changes data writes an audit entry and commits; on a broken rule it raises
EventError (with the form field it concerns) before changing anything.
"""

from __future__ import annotations

import calendar as _calendar
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import audit
from app.accounts.models import Role, User
from app.accounts.permissions import is_signed_in
from app.calendar import itip
from app.directory.models import Organisation, Project, Theme
from app.events.access import forget_organisers, is_organiser_of, managed_clause, visible_clause
from app.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    RegistrationMode,
    Session,
    SessionKind,
    SessionSpeaker,
    event_organisers,
)
from app.events.times import local_date, local_instant, local_naive, local_span, shift_days
from app.extensions import db
from app.timeutil import now, to_local

# Changes a participant must see in their calendar raise SEQUENCE and send an iTIP update: when and
# where the event happens, how to join it online, and its title (what the calendar entry is called).
# Pure description/summary tweaks, capacity, registration settings and links to projects/themes do
# not: they do not change the calendar entry a participant relies on.
SEQUENCE_FIELDS = ("title", "starts_at", "ends_at", "timezone", "venue", "address", "city", "country", "online_url")
SESSION_SEQUENCE_FIELDS = ("title", "starts_at", "ends_at", "room")

EVENT_FIELDS = (
    "kind", "format", "title", "summary", "description", "starts_at", "ends_at", "timezone", "venue",
    "address", "city", "country", "online_url", "host_organisation_id", "capacity", "registration_mode",
    "registration_opens_at", "registration_closes_at", "reminder_days",
)
SESSION_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "room", "description", "learning_objectives", "capacity",
    "has_signup",
)
MAX_SERIES = 52

_UNSET = object()  # "argument not given" where None is a meaningful value


class EventError(Exception):
    """A broken planning rule, with the form field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- reading ------------------------------------------------------------------------------------


@dataclass
class EventFilters:
    tab: str = "upcoming"
    kind: str = ""
    format: str = ""
    country: str = ""
    project: int | None = None
    theme: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    q: str = ""
    mine: bool = False

    @classmethod
    def from_args(cls, args) -> EventFilters:
        """Parse query-string filters; anything unreadable is ignored (never an error page)."""

        def as_int(name):
            try:
                value = int(args.get(name) or 0)
            except (TypeError, ValueError):
                return None
            return value if 0 < value < 2**31 else None

        def as_date(name):
            try:
                return date.fromisoformat((args.get(name) or "")[:10])
            except ValueError:
                return None

        kind = args.get("kind") or ""
        fmt = args.get("format") or ""
        country = (args.get("country") or "").upper()[:2]
        return cls(
            tab="past" if args.get("tab") == "past" else "upcoming",
            kind=kind if kind in {k.value for k in EventKind} else "",
            format=fmt if fmt in {f.value for f in EventFormat} else "",
            country=country if re.fullmatch(r"[A-Z]{2}", country) else "",
            project=as_int("project"),
            theme=as_int("theme"),
            starts_on=as_date("from"),
            ends_on=as_date("to"),
            q=(args.get("q") or "").strip()[:100],
            mine=args.get("mine") == "1",
        )

    def where(self, user) -> list:
        clauses = [visible_clause(user)]
        if self.mine:
            clauses.append(managed_clause(user))
        if self.kind:
            clauses.append(Event.kind == EventKind(self.kind))
        if self.format:
            clauses.append(Event.format == EventFormat(self.format))
        if self.country:
            clauses.append(Event.country == self.country)
        if self.project:
            clauses.append(Event.projects.any(Project.id == self.project))
        if self.theme:
            clauses.append(Event.themes.any(Theme.id == self.theme))
        if self.starts_on:
            clauses.append(Event.ends_at > datetime.combine(self.starts_on, time(), UTC))
        if self.ends_on:
            clauses.append(Event.starts_at < datetime.combine(self.ends_on + timedelta(days=1), time(), UTC))
        if self.q:
            like = "%" + self.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(
                or_(*(func.lower(column).like(like, escape="\\") for column in (
                    Event.title, Event.summary, Event.city, Event.venue
                )))
            )
        return clauses

    def query_args(self) -> dict:
        args = {
            "kind": self.kind, "format": self.format, "country": self.country, "project": self.project,
            "theme": self.theme, "q": self.q, "mine": "1" if self.mine else None,
            "from": self.starts_on.isoformat() if self.starts_on else None,
            "to": self.ends_on.isoformat() if self.ends_on else None,
        }
        return {k: v for k, v in args.items() if v}


def visibility_key(user, filters: EventFilters | None = None) -> tuple:
    """Viewers with the same key see the same events list: everyone sees what is published or
    cancelled; only admins and the organisers of drafts see more (and "mine" is personal)."""
    if not is_signed_in(user):
        return ("public",)
    if user.role == Role.ADMIN:
        return ("all",)
    if filters is not None and filters.mine:
        return ("user", user.id, user.role.value)
    from app.cache import fragments

    def ask() -> bool:
        own = or_(Event.created_by_id == user.id,
                  exists().where(event_organisers.c.event_id == Event.id, event_organisers.c.user_id == user.id))
        return bool(db.session.scalar(select(exists().where(Event.status == EventStatus.DRAFT, own))))

    has_drafts = fragments.remember("events.has_drafts", (user.id,), ("events", "event_organisers"), ask)
    return ("user", user.id) if has_drafts else ("public",)


def list_query(filters: EventFilters, user):
    """Events `user` may see matching `filters`, upcoming (soonest first) or past (latest first)."""
    query = (
        select(Event)
        .where(*filters.where(user))
        .options(joinedload(Event.host_organisation), selectinload(Event.themes))
    )
    if filters.tab == "past":
        return query.where(Event.ends_at <= now()).order_by(Event.starts_at.desc(), Event.id.desc())
    return query.where(Event.ends_at > now()).order_by(Event.starts_at, Event.id)


def month_events(filters: EventFilters, user, year: int, month: int, limit: int = 500) -> list[Event]:
    """Visible events touching the month (with a day's margin for zones; the grid places them)."""
    first = datetime(year, month, 1, tzinfo=UTC) - timedelta(days=1)
    last_day = _calendar.monthrange(year, month)[1]
    after = datetime(year, month, last_day, tzinfo=UTC) + timedelta(days=2)
    query = (
        select(Event)
        .where(*filters.where(user), Event.starts_at < after, Event.ends_at > first)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def month_grid(events: list[Event], year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of days, each with the events happening that day in their own zone."""
    by_day: dict[date, list[Event]] = {}
    for event in events:
        day, last = local_span(event.starts_at, event.ends_at, event.timezone)
        while day <= last:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([{"date": d, "in_month": d.month == month, "events": by_day.get(d, [])} for d in week])
    return weeks


def upcoming(user, limit: int = 5) -> list[Event]:
    query = (
        select(Event)
        .where(visible_clause(user), Event.status == EventStatus.PUBLISHED, Event.ends_at > now())
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def load_event(event_id: int) -> Event | None:
    """An event with everything its page shows, in a fixed number of queries."""
    query = (
        select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.host_organisation),
            joinedload(Event.created_by),
            selectinload(Event.organisers),
            selectinload(Event.projects),
            selectinload(Event.themes),
            selectinload(Event.sessions)
            .selectinload(Session.speakers)
            .joinedload(SessionSpeaker.user)
            .joinedload(User.organisation),
        )
    )
    return db.session.scalars(query).unique().one_or_none()


def organiser_ids(event: Event) -> set[int]:
    ids = {user.id for user in event.organisers}
    if event.created_by_id:
        ids.add(event.created_by_id)
    return ids


def viewer_registration(user, event: Event):
    """The user's registration to the event (any status), or None — loaded once for the event page."""
    if not getattr(user, "is_authenticated", False):
        return None
    from app.registrations.models import Registration

    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def can_see_online_link(user, event: Event, registration=_UNSET) -> bool:
    """Organisers and confirmed participants see how to join online.

    `registration`: the user's registration when the caller has it already (None: not registered)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_organiser_of(user, event):
        return True
    from app.registrations.models import Registration, RegistrationStatus

    if registration is not _UNSET:
        return registration is not None and registration.status == RegistrationStatus.CONFIRMED
    return bool(db.session.scalar(select(exists().where(
        Registration.event_id == event.id,
        Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    ))))


def seats_taken(event: Event) -> int:
    """Participant seats taken (confirmed registrations in a seat-taking role)."""
    from app.registrations.models import ParticipantRole, Registration, RegistrationStatus

    seat_roles = [role for role in ParticipantRole if role.takes_seat]
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.role.in_(seat_roles),
        )
    ) or 0


def registration_facts(event: Event, taken: int | None = None) -> dict:
    """Mode, window, capacity and seats taken (confirmed participants), for the event page."""
    if taken is None:
        taken = seats_taken(event)
    at = now()
    if event.is_cancelled:
        state = "Cancelled"
    elif event.is_draft:
        state = "Not published yet"
    elif event.is_past(at):
        state = "This event is over"
    elif event.registration_opens_at and at < event.registration_opens_at:
        state = "Registration opens " + _format(event.registration_opens_at, event.timezone)
    elif event.registration_closes_at and at >= event.registration_closes_at:
        state = "Registration is closed"
    elif event.capacity is not None and taken >= event.capacity:
        state = "Full — new registrations join the waiting list"
    else:
        state = "Registration is open"
    seats = (
        f"{taken} of {event.capacity} seats taken" if event.capacity is not None else f"{taken} registered (no limit)"
    )
    return {"state": state, "taken": taken, "seats": seats}


def _format(instant: datetime, tz_name: str) -> str:
    local = to_local(instant, tz_name)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def timetable(event: Event) -> list[tuple[date, list[Session]]]:
    """Sessions grouped by day in the event's zone, in agenda order."""
    days: dict[date, list[Session]] = {}
    for item in sorted(event.sessions, key=lambda s: (s.starts_at, s.position, s.id)):
        days.setdefault(local_date(item.starts_at, event.timezone), []).append(item)
    return sorted(days.items())


def overlapping_events(event: Event) -> list[Event]:
    """Other published events at the same time in the same country or with a shared organiser."""
    people = organiser_ids(event)
    same = []
    if event.country:
        same.append(Event.country == event.country)
    if people:
        same.append(Event.created_by_id.in_(people))
        same.append(exists().where(
            event_organisers.c.event_id == Event.id, event_organisers.c.user_id.in_(people)
        ))
    if not same:
        return []
    query = (
        select(Event)
        .where(
            Event.id != event.id,
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at < event.ends_at,
            Event.ends_at > event.starts_at,
            or_(*same),
        )
        .order_by(Event.starts_at)
        .limit(10)
    )
    return list(db.session.scalars(query))


# --- validation ---------------------------------------------------------------------------------


def parse_reminder_days(text: str | None) -> str:
    """"7, 1" -> "7,1": whole days between 0 and 365, at most 6, largest first."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    days = set()
    for part in parts:
        if not part.isdigit() or not 0 <= int(part) <= 365:
            raise EventError("Reminder days are whole numbers of days from 0 to 365, separated by commas (e.g. 7,1).",
                             "reminder_days")
        days.add(int(part))
    if len(days) > 6:
        raise EventError("At most 6 reminders.", "reminder_days")
    return ",".join(str(d) for d in sorted(days, reverse=True))


def _check_event(values: dict, event: Event | None = None) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise EventError("The end must be after the start.", "ends_at")
    if values["ends_at"] - values["starts_at"] > timedelta(days=60):
        raise EventError("An event lasts at most 60 days; plan a series for recurring meetings.", "ends_at")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise EventError("Registration must close after it opens.", "registration_closes_at")
    if closes and closes > values["ends_at"]:
        raise EventError("Registration must close before the event ends.", "registration_closes_at")
    capacity = values.get("capacity")
    if capacity is not None and not 0 <= capacity <= 100_000:
        raise EventError("Capacity is between 0 and 100000 (leave empty for no limit).", "capacity")
    if event is not None:
        outside = [
            s for s in event.sessions
            if s.starts_at < values["starts_at"] or s.ends_at > values["ends_at"]
        ]
        if outside:
            names = ", ".join(f"“{s.title}”" for s in outside[:5])
            raise EventError(
                f"Sessions would fall outside the new dates: {names}. Move or delete them first, "
                "or clone the event onto the new date.", "starts_at",
            )


def _users(ids) -> list[User]:
    ids = {int(i) for i in ids or () if i}
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def _by_ids(model, ids) -> list:
    ids = {int(i) for i in ids or () if i}
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


# --- events -------------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    event: Event
    changes: dict = field(default_factory=dict)
    overlaps: list[Event] = field(default_factory=list)


def _normalise(values: dict) -> dict:
    values = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    values["kind"] = EventKind(values["kind"])
    values["format"] = EventFormat(values.get("format") or EventFormat.IN_PERSON)
    values["registration_mode"] = RegistrationMode(values.get("registration_mode") or RegistrationMode.OPEN)
    values["reminder_days"] = parse_reminder_days(values.get("reminder_days"))
    if values.get("host_organisation_id") and db.session.get(Organisation, values["host_organisation_id"]) is None:
        raise EventError("Choose a host organisation from the list.", "host_organisation_id")
    values["host_organisation_id"] = values.get("host_organisation_id") or None
    return values


def create_event(actor, values: dict, co_organiser_ids=(), project_ids=(), theme_ids=()) -> SaveOutcome:
    values = _normalise(values)
    _check_event(values)
    event = Event(**values, created_by_id=actor.id, status=EventStatus.DRAFT)
    event.organisers = [u for u in _users(co_organiser_ids) if u.id != actor.id]
    event.projects = _by_ids(Project, project_ids)
    event.themes = _by_ids(Theme, theme_ids)
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


def update_event(actor, event: Event, values: dict, co_organiser_ids=(), project_ids=(), theme_ids=()) -> SaveOutcome:
    """Save an edit of the event's details, links and co-organisers.

    SEQUENCE rule: when a PUBLISHED event's title, start, end, time zone, venue, address, city,
    country or online link changes (SEQUENCE_FIELDS), its SEQUENCE rises by one and
    itip.queue_event_update() writes the updated invitations in this same transaction. Edits of the
    summary or description only, capacity, registration settings, reminders, projects, themes and
    co-organisers do not raise it (nothing in the participant's calendar entry changes). Drafts
    have no participants, so their SEQUENCE stays 0 until published.
    """
    if event.is_cancelled:
        raise EventError("A cancelled event cannot be edited.")
    values = _normalise(values)
    _check_event(values, event)
    changes = audit.diff(event, values)
    organisers = [u for u in _users(co_organiser_ids) if u.id != event.created_by_id]
    projects = _by_ids(Project, project_ids)
    themes = _by_ids(Theme, theme_ids)
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
        itip.queue_event_update(event)
    if changes:
        audit.record(actor, "event.edit", event, changes, summary=event.title)
    db.session.flush()
    overlaps = overlapping_events(event)
    db.session.commit()
    if "capacity" in changes and event.is_published:
        # A raised (or removed) capacity confirms people from the waiting list, who are told.
        from app.registrations import waitlist as registrations

        registrations.capacity_changed(event, actor)
    return SaveOutcome(event, changes=changes, overlaps=overlaps)


def publish(actor, event: Event) -> SaveOutcome:
    if not event.is_draft:
        raise EventError("Only a draft can be published.")
    event.status = EventStatus.PUBLISHED
    event.published_at = now()
    audit.record(actor, "event.publish", event, {"status": ["draft", "published"]}, summary=event.title)
    db.session.flush()
    overlaps = overlapping_events(event)
    db.session.commit()
    return SaveOutcome(event, overlaps=overlaps)


def cancel(actor, event: Event, reason: str) -> Event:
    reason = (reason or "").strip()
    if not reason:
        raise EventError("Say why the event is cancelled; everyone will see it.", "reason")
    if not event.is_published:
        raise EventError("Only a published event can be cancelled (delete a draft instead).")
    event.status = EventStatus.CANCELLED
    event.cancellation_reason = reason
    event.cancelled_at = now()
    event.sequence += 1
    itip.queue_event_cancel(event)
    audit.record(actor, "event.cancel", event, {"status": ["published", "cancelled"], "reason": [None, reason]},
                 summary=event.title)
    db.session.commit()
    return event


def delete_draft(actor, event: Event) -> None:
    if not event.is_draft:
        raise EventError("Only drafts can be deleted; cancel a published event instead.")
    audit.record(actor, "event.delete", ("Event", event.id), {"title": [event.title, None]}, summary=event.title)
    db.session.delete(event)
    db.session.commit()


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


def clone(actor, source: Event, starts_on: date) -> Event:
    """A draft copy starting on `starts_on` (local date); sessions keep their local times and shift."""
    days = (starts_on - local_date(source.starts_at, source.timezone)).days
    copy = _copy(actor, source, days)
    db.session.flush()
    audit.record(actor, "event.clone", copy, {"cloned_from": [None, source.id], "starts_at": [None, copy.starts_at]},
                 summary=copy.title)
    db.session.commit()
    return copy


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
        raise EventError(f"Create between 1 and {MAX_SERIES} events.", "count")
    dates = []
    if every_weeks:
        if not 1 <= every_weeks <= 52:
            raise EventError("Repeat every 1 to 52 weeks.", "every_weeks")
        return [first + timedelta(weeks=every_weeks * i) for i in range(1, count + 1)]
    if weekday is None or nth is None or nth not in (1, 2, 3, 4, -1) or not 0 <= weekday <= 6:
        raise EventError("Choose which weekday of the month.", "nth")
    year, month = first.year, first.month
    while len(dates) < count:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = nth_weekday(year, month, weekday, nth)
        if day is not None:
            dates.append(day)
    return dates


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


# --- sessions -----------------------------------------------------------------------------------

_SPEAKER_SPLIT = re.compile(r"\s+[—–-]\s+|\s*[—–]\s*")


def parse_external_speakers(text: str | None) -> list[tuple[str, str | None]]:
    """One "Name — Organisation" per line (the organisation is optional)."""
    speakers = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = _SPEAKER_SPLIT.split(line, maxsplit=1)
        name = parts[0].strip()[:200]
        organisation = parts[1].strip()[:200] if len(parts) > 1 and parts[1].strip() else None
        if not name:
            raise EventError("Each line needs a name: “Name — Organisation”.", "external_speakers")
        speakers.append((name, organisation))
    if len(speakers) > 50:
        raise EventError("At most 50 external speakers.", "external_speakers")
    return speakers


def external_speakers_text(item: Session) -> str:
    return "\n".join(
        f"{s.external_name} — {s.external_organisation}" if s.external_organisation else s.external_name
        for s in item.speakers if s.user_id is None and s.external_name
    )


def _check_session(event: Event, values: dict, item: Session | None = None) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise EventError("The end must be after the start.", "ends_at")
    if values["starts_at"] < event.starts_at or values["starts_at"] >= event.ends_at:
        raise EventError("The session must start within the event ("
                         + _format(event.starts_at, event.timezone) + " – "
                         + _format(event.ends_at, event.timezone) + ").", "starts_at")
    if values["ends_at"] > event.ends_at:
        raise EventError("The session must end by the end of the event ("
                         + _format(event.ends_at, event.timezone) + ").", "ends_at")
    capacity = values.get("capacity")
    if capacity is not None and not 0 <= capacity <= 100_000:
        raise EventError("Capacity is between 0 and 100000 (leave empty for the event's).", "capacity")
    room = (values.get("room") or "").strip().lower()
    if room:
        clash = db.session.scalars(
            select(Session).where(
                Session.event_id == event.id,
                Session.id != (item.id if item is not None and item.id else -1),
                func.lower(Session.room) == room,
                Session.starts_at < values["ends_at"],
                Session.ends_at > values["starts_at"],
            ).order_by(Session.starts_at).limit(1)
        ).first()
        if clash is not None:
            local = to_local(clash.starts_at, event.timezone)
            end = to_local(clash.ends_at, event.timezone)
            raise EventError(
                f"{clash.room} is already taken by “{clash.title}” ({local:%d %b %H:%M}–{end:%H:%M}).", "room"
            )


def _set_speakers(item: Session, user_ids, external_text: str | None) -> list:
    role = "trainer" if item.kind == SessionKind.TRAINING else "speaker"
    speakers = [SessionSpeaker(user_id=u.id, role=role) for u in _users(user_ids)]
    speakers += [
        SessionSpeaker(external_name=name, external_organisation=org, role=role)
        for name, org in parse_external_speakers(external_text)
    ]
    for position, speaker in enumerate(speakers):
        speaker.position = position
    def key(speaker):
        return f"user:{speaker.user_id}" if speaker.user_id else (
            f"{speaker.external_name} — {speaker.external_organisation}" if speaker.external_organisation
            else speaker.external_name)

    before, after = [key(s) for s in item.speakers], [key(s) for s in speakers]
    if before != after or any(s.role != role for s in item.speakers):
        item.speakers = speakers
    return [before, after]


def _session_values(values: dict) -> dict:
    values = {k: v for k, v in values.items() if k in SESSION_FIELDS}
    values["kind"] = SessionKind(values.get("kind") or SessionKind.PLENARY)
    values["has_signup"] = bool(values.get("has_signup"))
    return values


def add_session(actor, event: Event, values: dict, speaker_ids=(), external_speakers: str | None = None) -> Session:
    if event.is_cancelled:
        raise EventError("A cancelled event's agenda cannot change.")
    values = _session_values(values)
    _check_session(event, values)
    parse_external_speakers(external_speakers)
    same_start = db.session.scalar(
        select(func.max(Session.position)).where(Session.event_id == event.id, Session.starts_at == values["starts_at"])
    )
    item = Session(event_id=event.id, **values, position=(same_start + 1) if same_start is not None else 0)
    db.session.add(item)
    _set_speakers(item, speaker_ids, external_speakers)
    db.session.flush()
    audit.record(actor, "session.create", item, {k: [None, v] for k, v in values.items() if v not in (None, "")},
                 summary=f"{event.title}: {item.title}")
    db.session.commit()
    return item


def update_session(actor, item: Session, values: dict, speaker_ids=(), external_speakers: str | None = None) -> dict:
    """Save a session. SEQUENCE rule: on a published event, a changed title, start, end or room
    (SESSION_SEQUENCE_FIELDS) raises the session's SEQUENCE and itip.queue_session_update() tells
    the people signed up, in this transaction; description, objectives, speakers and capacity do not."""
    event = item.event
    if event.is_cancelled:
        raise EventError("A cancelled event's agenda cannot change.")
    values = _session_values(values)
    _check_session(event, values, item)
    changes = audit.diff(item, values)
    speakers = _set_speakers(item, speaker_ids, external_speakers)
    if speakers[0] != speakers[1]:
        changes["speakers"] = speakers
    if "starts_at" in changes:
        top = db.session.scalar(
            select(func.max(Session.position)).where(
                Session.event_id == event.id, Session.starts_at == values["starts_at"], Session.id != item.id)
        )
        item.position = (top + 1) if top is not None else 0
    for name, value in values.items():
        setattr(item, name, value)
    if event.is_published and any(name in changes for name in SESSION_SEQUENCE_FIELDS):
        item.sequence += 1
        itip.queue_session_update(item)
    if changes:
        audit.record(actor, "session.edit", item, changes, summary=f"{event.title}: {item.title}")
    db.session.commit()
    if ("capacity" in changes or "has_signup" in changes) and item.has_signup:
        from app.registrations import waitlist as registrations

        registrations.promote_session_waitlist(item, actor)
    return changes


def delete_session(actor, item: Session) -> None:
    event = item.event
    if event.is_cancelled:
        raise EventError("A cancelled event's agenda cannot change.")
    if event.is_published:
        itip.queue_session_cancel(item)
    audit.record(actor, "session.delete", ("Session", item.id), {"title": [item.title, None]},
                 summary=f"{event.title}: {item.title}")
    db.session.delete(item)
    db.session.commit()


def move_session(actor, item: Session, direction: str) -> bool:
    """Move a session up or down among the sessions that start at the same time. False if it cannot."""
    group = list(db.session.scalars(
        select(Session).where(Session.event_id == item.event_id, Session.starts_at == item.starts_at)
        .order_by(Session.position, Session.id)
    ))
    index = group.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(group):
        return False
    group[index], group[other] = group[other], group[index]
    for position, session in enumerate(group):
        session.position = position
    audit.record(actor, "session.move", item, {"position": [index, other]}, summary=item.title)
    db.session.commit()
    return True


def local_form_values(event: Event) -> dict:
    """Event times as wall-clock values in its zone, to fill the edit form."""
    return {
        name: local_naive(getattr(event, name), event.timezone)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    }


__all__ = [
    "EventError", "EventFilters", "SaveOutcome", "add_session", "cancel", "clone", "create_event", "create_series",
    "delete_draft", "delete_session", "list_query", "load_event", "local_instant", "month_events", "move_session",
    "overlapping_events", "publish", "timetable", "update_event", "update_session",
]
