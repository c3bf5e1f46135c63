"""Calendar feeds: what goes into a user's personal feed, an organiser's feed and the public feed.

Each feed is read in a fixed number of queries whatever its size, and only ever holds what its
reader may see (app.events.access). Each feed also has a `Fingerprint` (ETag, Last-Modified, cache
key) read with ONE aggregate query over the same rows, so the view answers an unchanged feed with
304, or with the body rendered last time (app.calendar.serving), without reading or building it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from app.accounts.models import User
from app.cache import raw, stamps
from app.calendar import (
    feed_entries,
    organiser_polls,
    personal_polls,
    personal_reads,
    personal_written,
    public_reads,
    rows,
)
from app.calendar.entries import Wording
from app.calendar.ics import Entry
from app.events.models import Event, EventKind
from app.extensions import db
from app.timeutil import now

# Feeds reach this far back; older entries stay in the clients that already have them.
HISTORY = timedelta(days=400)
PUBLIC_LIMIT = public_reads.PUBLIC_LIMIT
PERSONAL_LIMIT = personal_reads.LIMIT


# Bump when the serialised form of a feed changes (builder, entry rules): every ETag changes with it.
FORMAT_VERSION = "2"


@dataclass
class Feed:
    """A feed's name and its entries, or (a personal feed) its entries written already: `vevents`,
    each a tuple that begins with app.calendar.ics.vevent_parts of the entry, for
    app.calendar.ics.write_calendar. A response's Last-Modified is its Fingerprint's."""

    name: str
    entries: list[Entry] | None
    vevents: list[tuple] | None = None


@dataclass(frozen=True)
class Fingerprint:
    """What identifies a feed's content without building it: one aggregate query over the rows the
    feed selects (count, latest change, sum of ids) plus the reader's token, preferences, filters,
    the site's settings and FORMAT_VERSION. `key` names the feed (for the rendered-body cache)."""

    key: tuple
    etag: str
    last_modified: datetime | None


def _fingerprint(key: tuple, parts: tuple, last_modified: datetime | None) -> Fingerprint:
    config = current_app.config
    site = (config.get("SITE_NAME"), config.get("BASE_URL"), config.get("MAIL_FROM"))
    digest = hashlib.sha256(repr((FORMAT_VERSION, site, key, parts)).encode("utf-8"))
    return Fingerprint(key=key, etag=digest.hexdigest()[:32], last_modified=last_modified)


def _aggregate(query, *columns):
    """count(*), then max()/sum() of `columns` over `query`'s rows, as one subquery."""
    return query.with_only_columns(func.count(), *columns).subquery()


def _may_be_a_token(token: str) -> bool:
    return bool(token) and len(token) <= 64


def user_by_token(token: str) -> User | None:
    """The active user owning this feed token, or None (a revoked token matches nobody)."""
    if not _may_be_a_token(token):
        return None
    # The change stamps ride along (app.cache.stamps.packed_column): the feed's fingerprint reads
    # them next, and a feed request then costs this one round trip. Plain columns on the cursor
    # (app.cache.raw), made into a User as the signed-in request's user is (app.accounts.auth): the
    # ORM's execute of a one-row query cost a feed more than the query, and joined the user's
    # organisation, which no feed shows.
    values = stamps.first_row_with_stamps(db.session, _token_statement, {"token": token})
    if values is None:
        return None
    user = raw.loaded(db.session(), User, values)
    return user if user.is_active else None


def _token_statement():
    return select(*raw.columns_by_attribute(User)).where(User.calendar_token == bindparam("token"))


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def personal_fingerprint(user: User, *, all_day: bool = False, from_listing: bool = True) -> Fingerprint:
    """The personal feed's ETag and Last-Modified in one query (built once per shape of reader; on
    PostgreSQL, `from_listing`, the listing of the feed's rows, which the feed's build then reuses:
    for a request that will most likely build the feed, not for a poll that holds a copy): a
    new, cancelled or changed registration or sign-up, an edited event or session, an event leaving
    the window, a new token or a changed preference (language, time zone, waitlisted) all change it."""
    row = personal_reads.fingerprint(db.session.connection(), user, now() - HISTORY, from_listing=from_listing)
    return _personal_fingerprint(user, row, all_day)


def personal_by_token(token: str, *, all_day: bool = False,
                      from_listing: bool = True) -> tuple[User, Fingerprint] | None:
    """(the active user owning this feed token, their personal feed's fingerprint), or None: as
    user_by_token, then personal_fingerprint, in one statement when the fingerprint is the one-row
    aggregate (a calendar program's poll, answered 304 most often): the user's row and the aggregate
    for the reader found by the token (personal_polls.by_token_statement), of the shape the owner had
    at their last poll in this worker (the usual one the first time). When the owner turns out to
    be of another shape (a coordinator; one who asked for waitlisted events), or the fingerprint
    comes from the feed's listing, it is read on its own after the user, as before."""
    if not _may_be_a_token(token):
        return None
    connection = db.session.connection()
    if personal_reads.from_the_listing(connection, from_listing):
        user = user_by_token(token)
        return None if user is None else (user, personal_fingerprint(user, all_day=all_day))
    since = now() - HISTORY
    guessed = personal_polls.guessed_shape(token)
    found = _owner_with_row(token, since, personal_polls.by_token_build(guessed), personal_polls.FINGERPRINT_LABELS)
    if found is None:
        return None
    user, row = found
    if not personal_polls.guessed_right(token, guessed, user):
        row = personal_reads.fingerprint_row(connection, user, since)
    return user, _personal_fingerprint(user, row, all_day)


def _owner_with_row(token: str, since: datetime, build, labels: tuple[str, ...]) -> tuple[User, tuple] | None:
    """(the active user owning `token`, the fingerprint's row under `labels`) as a by-token statement
    (`build`: personal_polls.owner_with) reads them, or None."""
    values = stamps.first_row_with_stamps(db.session, build, {"token": token, "since": since})
    if values is None:
        return None
    row = tuple(values.pop(label) for label in labels)
    user = raw.loaded(db.session(), User, values)
    return (user, row) if user.is_active else None


def _personal_fingerprint(user: User, row: tuple, all_day: bool) -> Fingerprint:
    """The personal feed's Fingerprint of the fingerprint statement's `row` for `user`."""
    key = ("personal", user.id, user.calendar_token, bool(user.calendar_include_waitlisted), all_day)
    parts = (user.name, user.email, user.role, user.is_active, user.updated_at, user.language, user.timezone,
             tuple(row))
    dates = [v for v in (user.updated_at, *row) if isinstance(v, datetime)]
    return _fingerprint(key, parts, _latest(*dates))


def personal_feed(user: User, *, all_day: bool = False) -> Feed:
    """Confirmed events, signed-up sessions of those events and, if the user asked for it,
    waitlisted events (and waitlisted session sign-ups) as TENTATIVE; its events first, then its
    sessions, each entry written as it is made (`Feed.vevents`) and remembered by what it is made of
    (app.calendar.personal_written). On PostgreSQL the listing of the feed's rows by version
    (app.calendar.personal_reads), which its fingerprint read, finds them all most often: then no
    row is read or looked up. Else the rows are (plain rows on the DBAPI cursor: no ORM object, no
    SQLAlchemy row; the ones this worker keeps when the listing says they are current), and only
    the entries not remembered are made."""
    words = Wording()
    wording = feed_entries.wording_id(feed_entries.wording_key(words))
    connection = db.session.connection()
    since = now() - HISTORY
    listed = personal_reads.listing(connection, user, since)
    found = None if listed is None else personal_written.listed(listed, all_day, wording)
    if found is None:
        found = personal_written.of_rows(personal_reads.feed_items(connection, user, since, listed), all_day,
                                         words, wording)
    events, sessions = found
    return Feed(name=_("%(name)s · events", name=user.name), entries=None, vevents=events + sessions)


def _event_rows(query) -> list[rows.EventRow]:
    """The events `query` selects, as plain rows of the columns an entry shows."""
    make = rows.EventRow._make
    return [make(row) for row in db.session.execute(query.with_only_columns(*rows.EVENT_COLUMNS))]


def _organiser_query(user: User):
    return organiser_polls.events(organiser_polls.shape(user), user.id, now() - HISTORY)


def organiser_fingerprint(user: User, *, all_day: bool = False) -> Fingerprint:
    """The organiser feed's ETag and Last-Modified in one query: an edited, new, cancelled or
    published event the user manages, one leaving the window, a new token or a changed profile all
    change it."""
    found = organiser_polls.fingerprint_select(organiser_polls.shape(user), user.id, now() - HISTORY).subquery()
    return _organiser_fingerprint(user, tuple(db.session.execute(select(*found.c)).one()), all_day)


def organiser_by_token(token: str, *, all_day: bool = False) -> tuple[User, Fingerprint] | None:
    """(the active user owning this feed token, their organiser feed's fingerprint), or None: as
    user_by_token, then organiser_fingerprint, in one statement (organiser_polls.by_token_statement)
    of the shape the owner had at their last poll in this worker (an organiser's the first time).
    When the owner turns out to be of another shape, the fingerprint is read on its own after."""
    if not _may_be_a_token(token):
        return None
    guessed = organiser_polls.guesses.guessed(token)
    found = _owner_with_row(token, now() - HISTORY, organiser_polls.by_token_build(guessed),
                            organiser_polls.FINGERPRINT_LABELS)
    if found is None:
        return None
    user, row = found
    if not organiser_polls.guesses.right(token, guessed, user):
        return user, organiser_fingerprint(user, all_day=all_day)
    return user, _organiser_fingerprint(user, row, all_day)


def _organiser_fingerprint(user: User, row: tuple, all_day: bool) -> Fingerprint:
    key = ("organiser", user.id, user.calendar_token, all_day)
    parts = (user.name, user.role, user.is_active, user.updated_at, row)
    return _fingerprint(key, parts, _latest(user.updated_at, row[1]))


def organiser_feed(user: User, *, all_day: bool = False) -> Feed:
    """Events the user organises (and may see: drafts only their own), online links included."""
    events = _event_rows(_organiser_query(user).order_by(Event.starts_at, Event.id).limit(PERSONAL_LIMIT))
    words = Wording()
    key = feed_entries.wording_key(words)
    entries = [feed_entries.event_entry(event, show_online=True, all_day=all_day, words=words, key=key)
               for event in events]
    return Feed(name=_("%(name)s · organised events", name=user.name), entries=entries)


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

    def key(self) -> tuple:
        """The filters in a canonical form (order and repeats do not matter)."""
        return (tuple(sorted({k.value for k in self.kinds})), tuple(sorted(set(self.countries))),
                tuple(sorted(set(self.project_ids))), tuple(sorted(set(self.theme_ids))))

    def describe(self) -> str:
        parts = [k.label for k in self.kinds] + self.countries
        return " · ".join(parts)


def public_fingerprint(filters: PublicFilters, *, all_day: bool = False) -> Fingerprint:
    row = public_reads.fingerprint_row(filters.key(), now() - HISTORY)
    key = ("public", filters.key(), filters.describe(), all_day)
    return _fingerprint(key, row, _latest(row[1], row[4]))


def public_feed(filters: PublicFilters, *, all_day: bool = False) -> Feed:
    """Published events only: no drafts, no cancelled ones, never an online link."""
    events, _latest_change = public_reads.feed_rows(filters.key(), now() - HISTORY)
    words = Wording()
    key = feed_entries.wording_key(words)
    entries = [feed_entries.event_entry(event, show_online=False, all_day=all_day, words=words, key=key)
               for event in events]
    return Feed(name=public_feed_name(filters), entries=entries)


def public_feed_name(filters: PublicFilters) -> str:
    described = filters.describe()
    return _("Public events · %(filters)s", filters=described) if described else _("Public events")
