"""The personal feed's statements (app.calendar.feeds): its fingerprint (one aggregate) and its rows
(one read), each built once per shape of reader and run with the reader's id and the window bound.

The sign-up rows start from the reader's own sign-ups, read first on their own (a `MATERIALIZED`
CTE on PostgreSQL): psycopg prepares a statement run often, and PostgreSQL then keeps a generic plan
costed for an average reader (two registrations). That plan began at the reader's registrations and
walked every session of every registered event (2,000 sessions, 5,400 buffers, ~20 ms for a member
with 200 registrations and no sign-up) before it looked at the sign-ups, twice a request.

On PostgreSQL the feed's rows are first listed as ids and row versions (xmin and ctid, which every
UPDATE changes: app.calendar.public_reads) with the reader's own statuses, and the full rows (their
long texts: ~230 KB for 200 entries, half the request's time in fetching and converting them) are
read only when this worker has not read one of them in that version. The events' rows are kept with
the public feed's (one copy for every reader), the sessions' here. The listing also carries what
the fingerprint sums up, so a cold feed request computes its fingerprint from it rather than
running the aggregate over the same rows as well: the user, the listing, and only after a change
the full rows. Elsewhere (SQLite) the fingerprint is its own statement and the feed reads its full
rows each time."""

from __future__ import annotations

import functools
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import (
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    true,
    type_coerce,
    union_all,
)

from app.cache import raw
from app.calendar import feed_entries, public_reads, reader, rows
from app.events.access import visible_clause
from app.events.models import Event, Session
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)

LIMIT = 2000  # events, and sessions, at most

# A row of the feed's read: the session's columns (all NULL on an event's row), the event's, then the
# reader's own status and its change (the sign-up's on a session's row, else the registration's) and
# the registration's status (statuses as their plain values).
SESSION_WIDTH = len(rows.SESSION_FIELDS)
EVENT_END = SESSION_WIDTH + len(rows.EVENT_FIELDS)
# The listing's columns (listing_statement).
(_SESSION_ID, _SESSION_VERSION, _SESSION_UPDATED, _SESSION_SEQUENCE, _EVENT_ID, _EVENT_VERSION, _EVENT_UPDATED,
 _EVENT_SEQUENCE, _OWN_STATUS, _OWN_UPDATED, _REGISTRATION_STATUS, _REGISTRATION_UPDATED, _ANY_REGISTRATION,
 _ANY_SIGNUP) = range(14)
# The versioned read's two last columns: the session's row version (NULL on an event's row), the event's.
_SESSION_VERSION_AT, _EVENT_VERSION_AT = EVENT_END + 3, EVENT_END + 4
SESSION_VERSION = literal_column("sessions.xmin::text || ':' || sessions.ctid::text", String)
# Sessions whose full rows a worker keeps, by id: (row version, row), as public_reads keeps events'
# (bounded for the worker's memory: see feed_entries.MAX_ENTRIES).
MAX_SESSIONS = 512
_sessions: dict[int, tuple[str, rows.SessionRow]] = {}


def shape(user) -> tuple:
    """What the personal feed's statements depend on beyond the values bound when they run."""
    return (*reader.shape(user), bool(user.calendar_include_waitlisted))


def params(user, since: datetime) -> dict:
    return {reader.READER_ID: user.id, "since": since}


def _queries(signed_in: bool, role, waitlisted: bool, reader_id=reader.READER):
    """(registrations, session sign-up rows, the reader's sign-ups) the personal feed selects,
    unordered and unlimited, for the reader `params` binds (or whose id `reader_id` gives)."""
    since = bindparam("since", type_=Event.ends_at.type)
    viewer = reader.stand_in(signed_in, role, reader_id)
    statuses = [RegistrationStatus.CONFIRMED]
    signup_statuses = [SessionSignupStatus.CONFIRMED]
    if waitlisted:
        statuses.append(RegistrationStatus.WAITLISTED)
        signup_statuses.append(SessionSignupStatus.WAITLISTED)
    registrations = (
        select(Registration)
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.user_id == viewer.id,
            Registration.status.in_(statuses),
            Event.ends_at >= since,
            visible_clause(viewer),
        )
    )
    mine = (
        select(SessionSignup.session_id, SessionSignup.status, SessionSignup.updated_at)
        .where(SessionSignup.user_id == viewer.id, SessionSignup.status.in_(signup_statuses))
        .cte("my_signups")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    signups = (
        select(mine, Session, Event, Registration.status)
        .select_from(mine)
        .join(Session, mine.c.session_id == Session.id)
        .join(Event, Session.event_id == Event.id)
        .join(Registration, and_(Registration.event_id == Event.id, Registration.user_id == viewer.id))
        .where(
            Registration.status.in_(statuses),
            Session.ends_at >= since,
            visible_clause(viewer),
        )
    )
    return registrations, signups, mine


@functools.cache
def fingerprint_statement(*shape):
    """count(*), latest changes and sums of ids and sequences over the feed's events and its sign-up
    rows, and the reader's latest registration and sign-up change of any status."""
    return fingerprint_select(shape, reader.READER)


def fingerprint_select(shape: tuple, reader_id):
    """fingerprint_statement for the reader whose id `reader_id` gives (a bound parameter or an
    expression)."""
    registrations, signups, mine = _queries(*shape, reader_id)
    ours = registrations.with_only_columns(
        func.count(), func.max(Event.updated_at), func.max(Registration.updated_at), func.sum(Event.id),
        func.sum(Event.sequence)).subquery()
    theirs = signups.with_only_columns(
        func.count(), func.max(Session.updated_at), func.max(Event.updated_at), func.max(mine.c.updated_at),
        func.max(Registration.updated_at), func.sum(Session.id), func.sum(Session.sequence)).subquery()
    return select(*ours.c, *theirs.c, *_any_changes(reader_id)).select_from(ours).join(theirs, true())


def _any_changes(reader_id=reader.READER) -> tuple:
    """The reader's latest registration and sign-up change of any status: registrations and sign-ups
    that were cancelled also change the feed (an entry disappears)."""
    any_registration = select(func.max(Registration.updated_at)).where(
        Registration.user_id == reader_id).scalar_subquery()
    any_signup = select(func.max(SessionSignup.updated_at)).where(
        SessionSignup.user_id == reader_id).scalar_subquery()
    return any_registration, any_signup


def _own(status, updated_at) -> tuple:
    """The last columns of a row of the feed's read: the reader's status (its plain value) and its
    change, then the registration's status."""
    return (type_coerce(status, String).label("own_status"), updated_at.label("own_updated_at"),
            type_coerce(Registration.status, String).label("registration_status"))


def _no_session(*columns) -> list:
    """NULLs standing for a session's columns on an event's row."""
    return [cast(null(), column.type).label(f"no_session_{column.key}") for column in columns]


def _union(shape: tuple, session_columns: tuple, event_columns: tuple, tail: tuple = (), no_tail: tuple = (),
           *more):
    """The feed's sessions with their events (the first LIMIT by the sessions' start), then its
    events (the first LIMIT by start), as one UNION ALL in no order across the two (and the selects
    `more`): each row the session's columns (NULLs on an event's row), the event's, the reader's
    own, then `tail` (on an event's row `no_tail`)."""
    registrations, signups, mine = _queries(*shape)
    sessions = (
        signups.with_only_columns(*session_columns, *event_columns, *_own(mine.c.status, mine.c.updated_at), *tail)
        .order_by(Session.starts_at, Session.id).limit(LIMIT).subquery()
    )
    events = (
        registrations.with_only_columns(*_no_session(*session_columns), *event_columns,
                                        *_own(Registration.status, Registration.updated_at), *no_tail)
        .order_by(Event.starts_at, Event.id).limit(LIMIT).subquery()
    )
    return union_all(select(*sessions.c), select(*events.c), *more)


@functools.cache
def feed_statement(*shape):
    """The feed's one read of its full rows (`_union`)."""
    return _union(shape, rows.SESSION_COLUMNS, rows.EVENT_COLUMNS)


@functools.cache
def versioned_feed_statement(*shape):
    """feed_statement with the session's and the event's row versions as the last two columns."""
    return _union(shape, rows.SESSION_COLUMNS, rows.EVENT_COLUMNS,
                  (SESSION_VERSION.label("session_version"), public_reads.VERSION.label("event_version")),
                  (cast(null(), String).label("no_session_version"), public_reads.VERSION.label("event_version")))


@functools.cache
def listing_statement(*shape):
    """The feed's rows (`_union`) as ids, row versions and what the fingerprint sums up: (session id,
    its version, change and sequence; event id, its version, change and sequence; the reader's own
    columns; the registration's change; two NULLs), then one row of NULLs but for the reader's latest
    registration and sign-up change of any status (its last two columns). What tells whether this
    worker holds every full row already, and gives the fingerprint of the same rows
    (`listed_fingerprint`). Short labels: psycopg keeps the parsed form of a statement text shorter
    than 4 KB only, and parses a longer one at every run."""
    instants = Registration.updated_at.type
    any_changes = [cast(null(), instants).label("any_r"), cast(null(), instants).label("any_s")]
    totals = select(*(null() for _ in range(_REGISTRATION_UPDATED + 1)), *_any_changes())
    return _union(
        shape,
        (Session.id.label("s_id"), SESSION_VERSION.label("s_v"), Session.updated_at.label("s_at"),
         Session.sequence.label("s_seq")),
        (Event.id.label("e_id"), public_reads.VERSION.label("e_v"), Event.updated_at.label("e_at"),
         Event.sequence.label("e_seq")),
        (Registration.updated_at.label("r_at"), *any_changes),
        (Registration.updated_at.label("r_at"), *any_changes),
        totals,
    )


def _planned(build, connection, user) -> tuple:
    """`build`'s statement for the user's shape, planned for app.cache.raw once per kind of database."""
    found = shape(user)
    return raw.planned((build, found), lambda: build(*found), connection.dialect, (reader.READER_ID, "since"))


def fingerprint_row(connection, user, since: datetime) -> tuple:
    """The fingerprint statement's one row for `user` (run on the DBAPI cursor: app.cache.raw)."""
    statement, plan, compiled = _planned(fingerprint_statement, connection, user)
    return raw.first(connection, plan, compiled, statement, params(user, since))


def feed_rows(connection, user, since: datetime) -> list:
    """The feed statement's rows for `user`, as lists of values (app.cache.raw: no SQLAlchemy rows
    for a few hundred rows of 34 columns)."""
    statement, plan, compiled = _planned(feed_statement, connection, user)
    return raw.all_rows(connection, plan, compiled, statement, params(user, since))


def fingerprint(connection, user, since: datetime, *, from_listing: bool = True) -> tuple:
    """The fingerprint statement's row for `user`: on PostgreSQL and `from_listing`, computed from
    the feed's listing (the same rows, in one snapshot; kept for this request's feed_items, so that
    a feed built after its fingerprint reads them once), else, or when the listing cannot give it,
    the statement's own (one row: cheaper to read than the listing when nothing is built next, as
    for a calendar program's poll answered 304)."""
    if from_the_listing(connection, from_listing):
        plan = _planned(listing_statement, connection, user)[1]
        found = listed_fingerprint(_listing(connection, user, since, keep=True),
                                   lambda index, value: raw.process(plan, index, value))
        if found is not None:
            return found
    return fingerprint_row(connection, user, since)


def from_the_listing(connection, from_listing: bool) -> bool:
    """Whether `fingerprint` computes the fingerprint from the feed's listing (then read by the feed's
    build as well), rather than run the one-row aggregate."""
    return from_listing and connection.dialect.name == "postgresql"


def _listing(connection, user, since: datetime, keep: bool = False) -> list:
    """The listing's rows for `user` (of its instants, only the reader's own change processed):
    the ones this request's fingerprint read, else read now (and, with `keep`, kept for this
    request's feed_items)."""
    key = (user.id, shape(user))
    if not keep and has_request_context():
        kept = g.pop("_personal_listing", None)
        if kept is not None and kept[0] == key:
            return kept[1]
    statement, plan, compiled = _planned(listing_statement, connection, user)
    found = raw.all_rows(connection, plan, compiled, statement, params(user, since), only=(_OWN_UPDATED,))
    if keep and has_request_context():
        g._personal_listing = (key, found)
    return found


def listed_fingerprint(listed: list, process) -> tuple | None:
    """fingerprint_statement's row (the same values, of the same types) from the listing's rows, or
    None when they cannot give it: a side at its LIMIT (the aggregate counts every row).
    `process(index, value)`: a value of column `index` as the statement's result gives it (the
    instants are processed after max(): one each)."""
    events = [row for row in listed if row[_SESSION_ID] is None and row[_EVENT_ID] is not None]
    sessions = [row for row in listed if row[_SESSION_ID] is not None]
    totals = next(row for row in listed if row[_EVENT_ID] is None)
    if len(events) >= LIMIT or len(sessions) >= LIMIT:
        return None

    def latest(found, index):
        present = [row[index] for row in found if row[index] is not None]
        return process(index, max(present)) if present else None

    def total(found, index):
        present = [row[index] for row in found if row[index] is not None]
        return sum(present) if present else None

    return (
        len(events), latest(events, _EVENT_UPDATED), latest(events, _REGISTRATION_UPDATED),
        total(events, _EVENT_ID), total(events, _EVENT_SEQUENCE),
        len(sessions), latest(sessions, _SESSION_UPDATED), latest(sessions, _EVENT_UPDATED),
        latest(sessions, _OWN_UPDATED), latest(sessions, _REGISTRATION_UPDATED),
        total(sessions, _SESSION_ID), total(sessions, _SESSION_SEQUENCE),
        process(_ANY_REGISTRATION, totals[_ANY_REGISTRATION]), process(_ANY_SIGNUP, totals[_ANY_SIGNUP]),
    )


def feed_items(connection, user, since: datetime) -> tuple[list, list]:
    """(events, sessions) of the feed, each in its statement's order (start, id): an event as
    (EventRow, the reader's status, its change, the registration's status), a session as
    (SessionRow, EventRow, the reader's sign-up status, its change, the registration's status).

    On PostgreSQL the rows are listed by id and row version first (or taken from this request's
    fingerprint); when the worker holds each in its listed version, that is all that is read. Else
    the full rows are read (with their versions, and kept), all of them: a feed is at most a few
    hundred rows, and a worker reads them again only after one of its entries changed."""
    if connection.dialect.name != "postgresql":
        return _items(feed_rows(connection, user, since), keep=False)
    events, sessions = [], []
    for row in _listing(connection, user, since):
        if row[_EVENT_ID] is None:
            continue  # the reader's latest changes (listing_statement)
        event = public_reads.kept(row[_EVENT_ID], row[_EVENT_VERSION])
        if event is None:
            break
        own = (row[_OWN_STATUS], row[_OWN_UPDATED], row[_REGISTRATION_STATUS])
        if row[_SESSION_ID] is None:
            events.append((event, *own))
            continue
        known = feed_entries.found(_sessions, row[_SESSION_ID])
        if known is None or known[0] != row[_SESSION_VERSION]:
            break
        sessions.append((known[1], event, *own))
    else:
        return _in_order(events, sessions)
    statement, plan, compiled = _planned(versioned_feed_statement, connection, user)
    return _items(raw.all_rows(connection, plan, compiled, statement, params(user, since)), keep=True)


def _items(found, keep: bool) -> tuple[list, list]:
    """feed_items of the full rows `found` (with their versions, kept, with `keep`)."""
    events, sessions = [], []
    for row in found:
        if keep:
            event = public_reads.keep(row, SESSION_WIDTH, _EVENT_VERSION_AT)
        else:
            event = rows.split(row, SESSION_WIDTH)
        own = row[EVENT_END:EVENT_END + 3]
        if row[0] is None:
            events.append((event, *own))
        else:
            sessions.append((_keep_session(row) if keep else rows.split(row, 0, rows.SessionRow._make, SESSION_WIDTH),
                             event, *own))
    return _in_order(events, sessions)


def _in_order(events: list, sessions: list) -> tuple[list, list]:
    events.sort(key=lambda item: (item[0].starts_at, item[0].id))
    sessions.sort(key=lambda item: (item[0].starts_at, item[0].id))
    return events, sessions


def _keep_session(row) -> rows.SessionRow:
    feed_entries.make_room(_sessions, MAX_SESSIONS)
    session = rows.split(row, 0, rows.SessionRow._make, SESSION_WIDTH)
    _sessions[session.id] = (row[_SESSION_VERSION_AT], session)
    return session


def forget() -> None:
    _sessions.clear()
