"""Calendar feeds: what goes into a user's personal feed, an organiser's feed and the public feed.

Each feed is read in a fixed number of queries whatever its size, and only ever holds what its
reader may see (app.events.access). The result is a `Feed`: entries plus a fingerprint for HTTP
caching, so an unchanged feed is answered with 304 before anything is serialised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from app.accounts.models import User
from app.calendar.entries import attendee_for, event_entry, session_entry
from app.calendar.ics import Entry
from app.events.access import managed_clause, visible_clause
from app.events.models import Event, EventKind, EventStatus, Session, event_projects, event_themes
from app.extensions import db
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import now

# Feeds reach this far back; older entries stay in the clients that already have them.
HISTORY = timedelta(days=400)
PUBLIC_LIMIT = 1000
PERSONAL_LIMIT = 2000


@dataclass
class Feed:
    name: str
    entries: list[Entry]
    last_modified: datetime | None

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(self.name.encode("utf-8"))
        for entry in self.entries:
            digest.update(repr(entry).encode("utf-8"))
        return digest.hexdigest()[:32]


def user_by_token(token: str) -> User | None:
    """The active user owning this feed token, or None (a revoked token matches nobody)."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_active:
        return None
    return user


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def personal_feed(user: User, *, all_day: bool = False) -> Feed:
    """Confirmed events, signed-up sessions of those events and, if the user asked for it,
    waitlisted events (and waitlisted session sign-ups) as TENTATIVE."""
    since = now() - HISTORY
    statuses = [RegistrationStatus.CONFIRMED]
    signup_statuses = [SessionSignupStatus.CONFIRMED]
    if user.calendar_include_waitlisted:
        statuses.append(RegistrationStatus.WAITLISTED)
        signup_statuses.append(SessionSignupStatus.WAITLISTED)

    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.event)
        .options(contains_eager(Registration.event))
        .where(
            Registration.user_id == user.id,
            Registration.status.in_(statuses),
            Event.ends_at >= since,
            visible_clause(user),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(PERSONAL_LIMIT)
    ).all()

    rows = db.session.execute(
        select(SessionSignup, Session, Event, Registration.status)
        .join(Session, SessionSignup.session_id == Session.id)
        .join(Event, Session.event_id == Event.id)
        .join(
            Registration,
            and_(Registration.event_id == Event.id, Registration.user_id == SessionSignup.user_id),
        )
        .where(
            SessionSignup.user_id == user.id,
            SessionSignup.status.in_(signup_statuses),
            Registration.status.in_(statuses),
            Session.ends_at >= since,
            visible_clause(user),
        )
        .order_by(Session.starts_at, Session.id)
        .limit(PERSONAL_LIMIT)
    ).all()

    # Registrations and sign-ups that were cancelled also change the feed (an entry disappears).
    changed = db.session.execute(
        select(
            select(func.max(Registration.updated_at)).where(Registration.user_id == user.id).scalar_subquery(),
            select(func.max(SessionSignup.updated_at)).where(SessionSignup.user_id == user.id).scalar_subquery(),
        )
    ).one()

    entries: list[Entry] = []
    modified = [user.updated_at, *changed]
    for registration in registrations:
        event = registration.event
        confirmed = registration.status == RegistrationStatus.CONFIRMED
        entries.append(
            event_entry(
                event,
                show_online=confirmed,
                status=None if confirmed else "TENTATIVE",
                attendees=(attendee_for(user, registration, "ACCEPTED" if confirmed else "TENTATIVE"),),
                all_day=all_day,
            )
        )
        modified.append(event.updated_at)
    for signup, session, event, registration_status in rows:
        confirmed = (
            signup.status == SessionSignupStatus.CONFIRMED
            and registration_status == RegistrationStatus.CONFIRMED
        )
        entries.append(
            session_entry(
                session,
                event,
                show_online=confirmed,
                status=None if confirmed else "TENTATIVE",
                attendees=(attendee_for(user, None, "ACCEPTED" if confirmed else "TENTATIVE"),),
            )
        )
        modified.extend([session.updated_at, event.updated_at])
    return Feed(name=f"{user.name} · events", entries=entries, last_modified=_latest(*modified))


def organiser_feed(user: User, *, all_day: bool = False) -> Feed:
    """Events the user organises (and may see: drafts only their own), online links included."""
    since = now() - HISTORY
    events = db.session.scalars(
        select(Event)
        .where(managed_clause(user), visible_clause(user), Event.ends_at >= since)
        .order_by(Event.starts_at, Event.id)
        .limit(PERSONAL_LIMIT)
    ).all()
    entries = [event_entry(event, show_online=True, all_day=all_day) for event in events]
    return Feed(
        name=f"{user.name} · organised events",
        entries=entries,
        last_modified=_latest(user.updated_at, *(e.updated_at for e in events)),
    )


@dataclass
class PublicFilters:
    kinds: list[EventKind]
    countries: list[str]
    project_ids: list[int]
    theme_ids: list[int]

    @classmethod
    def from_args(cls, args) -> PublicFilters:
        """The events list's filters (kind, country, project, theme; each may repeat). Values the
        list would not understand are ignored, as on the list."""

        def values(name: str) -> list[str]:
            return [v.strip() for v in args.getlist(name) if v and v.strip()]

        kinds = [EventKind(v) for v in values("kind") if v in {k.value for k in EventKind}]
        project_ids = [int(v) for v in values("project") if v.isdigit()]
        theme_ids = [int(v) for v in values("theme") if v.isdigit()]
        countries = [v.upper() for v in values("country") if len(v) == 2 and v.isalpha()]
        return cls(kinds, countries, project_ids, theme_ids)

    def describe(self) -> str:
        parts = [k.label for k in self.kinds] + self.countries
        return " · ".join(parts)


def public_feed(filters: PublicFilters, *, all_day: bool = False) -> Feed:
    """Published events only: no drafts, no cancelled ones, never an online link."""
    since = now() - HISTORY
    query = select(Event).where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= since)
    if filters.kinds:
        query = query.where(Event.kind.in_(filters.kinds))
    if filters.countries:
        query = query.where(Event.country.in_(filters.countries))
    if filters.project_ids:
        query = query.where(
            Event.id.in_(select(event_projects.c.event_id).where(event_projects.c.project_id.in_(filters.project_ids)))
        )
    if filters.theme_ids:
        query = query.where(
            Event.id.in_(select(event_themes.c.event_id).where(event_themes.c.theme_id.in_(filters.theme_ids)))
        )
    events = db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(PUBLIC_LIMIT)).all()
    # An event that was cancelled leaves the feed: its change time counts too (If-Modified-Since).
    latest_change = db.session.scalar(
        select(func.max(Event.updated_at)).where(Event.status != EventStatus.DRAFT)
    )
    entries = [event_entry(event, show_online=False, all_day=all_day) for event in events]
    name = "Public events" + (f" · {filters.describe()}" if filters.describe() else "")
    return Feed(name=name, entries=entries, last_modified=_latest(latest_change, *(e.updated_at for e in events)))
