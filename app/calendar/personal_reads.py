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
the full rows. Its rows hold no instant (the driver's conversion of them was two thirds of the
listing's CPU): the fingerprint's sums come on a row of their own. And the listing alone, ids,
versions and statuses, finds the feed's entries written (app.calendar.personal_written) when
this worker wrote them in those versions: no full row is looked up then. Elsewhere (SQLite) the
fingerprint is its own statement and the feed reads its full rows each time."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime

from flask import g, has_request_context
from sqlalchemy import (
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    null,
    select,
    true,
    type_coerce,
    union_all,
)

from app.cache import raw
from app.calendar import feed_entries, public_reads, reader, rows
from app.db import row_version
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
(LISTED_SESSION_ID, LISTED_SESSION_VERSION, LISTED_EVENT_ID, LISTED_EVENT_VERSION, LISTED_OWN_STATUS,
 LISTED_REGISTRATION_STATUS, LISTED_TOTALS) = range(7)
# The versioned read's two last columns: the session's row version (NULL on an event's row), the event's.
_SESSION_VERSION_AT, _EVENT_VERSION_AT = EVENT_END + 3, EVENT_END + 4
SESSION_VERSION = row_version("sessions")
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
    return (type_coerce(status, String).label("o_st"), updated_at.label("o_at"),
            type_coerce(Registration.status, String).label("r_st"))


def _no_session(*columns) -> list:
    """NULLs standing for a session's columns on an event's row."""
    return [cast(null(), column.type).label(f"n_{column.key}") for column in columns]


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
    """The feed's rows (`_union`) as ids and row versions with the reader's own status and the
    registration's: (session id, its version; event id, its version; the two statuses; NULL), then
    one row of NULLs but for its last column, what the fingerprint sums up over the same rows, as
    JSON text (`listed_fingerprint`). What tells whether this worker holds every entry already, and
    gives the fingerprint of the same rows, in one snapshot. The instants stay in the database: the
    driver's conversion of the three on each row (~0.75 µs each) was two thirds of the listing's
    CPU; the sums' JSON is one value to read. Short labels: psycopg keeps the parsed form of a
    statement text shorter than 4 KB only, and parses a longer one at every run."""
    listed = _union(
        shape,
        (Session.id.label("s_id"), SESSION_VERSION.label("s_v"), Session.updated_at.label("s_at"),
         Session.sequence.label("s_q")),
        (Event.id.label("e_id"), public_reads.VERSION.label("e_v"), Event.updated_at.label("e_at"),
         Event.sequence.label("e_q")),
        (Registration.updated_at.label("r_at"),),
        (Registration.updated_at.label("r_at"),),
    ).cte("l")
    c = listed.c
    # fingerprint_statement's values: the events' (count, latest change, latest registration change,
    # sums of ids and sequences), the sessions' (count, latest session, event, sign-up and
    # registration change, sums of ids and sequences), then the reader's latest changes of any status.
    events = select(func.json_build_array(func.count(), func.max(c.e_at), func.max(c.r_at), func.sum(c.e_id),
                                          func.sum(c.e_q))).where(c.s_id.is_(None)).scalar_subquery()
    sessions = select(func.json_build_array(
        func.count(), func.max(c.s_at), func.max(c.e_at), func.max(c.o_at), func.max(c.r_at),
        func.sum(c.s_id), func.sum(c.s_q))).where(c.s_id.is_not(None)).scalar_subquery()
    totals = cast(func.json_build_array(events, sessions, *_any_changes()), Text).label("t")
    return union_all(
        select(c.s_id, c.s_v, c.e_id, c.e_v, c.o_st, c.r_st, cast(null(), Text).label("t")),
        select(*(null() for _ in range(LISTED_TOTALS)), totals),
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
        found = listed_fingerprint(_listing(connection, user, since, keep=True))
        if found is not None:
            return found
    return fingerprint_row(connection, user, since)


def from_the_listing(connection, from_listing: bool) -> bool:
    """Whether `fingerprint` computes the fingerprint from the feed's listing (then read by the feed's
    build as well), rather than run the one-row aggregate."""
    return from_listing and connection.dialect.name == "postgresql"


def _listing(connection, user, since: datetime, keep: bool = False) -> list:
    """The listing's rows for `user` (as the driver gives them: no value needs processing): the ones
    this request's fingerprint read, else read now (and, with `keep`, kept for this request's feed
    build)."""
    key = (user.id, shape(user))
    if not keep and has_request_context():
        kept = g.pop("_personal_listing", None)
        if kept is not None and kept[0] == key:
            return kept[1]
    statement, plan, compiled = _planned(listing_statement, connection, user)
    found = raw.all_rows(connection, plan, compiled, statement, params(user, since), only=())
    if keep and has_request_context():
        g._personal_listing = (key, found)
    return found


def listed_fingerprint(listed: list) -> tuple | None:
    """fingerprint_statement's row (the same values, of the same types) from the listing's rows
    (the JSON of its last row), or None when they cannot give it: a side at its LIMIT (the aggregate
    counts every row)."""
    totals = next(row for row in listed if row[LISTED_EVENT_ID] is None)
    events, sessions, any_registration, any_signup = json.loads(totals[LISTED_TOTALS])
    if events[0] >= LIMIT or sessions[0] >= LIMIT:
        return None
    return (
        events[0], _instant(events[1]), _instant(events[2]), events[3], events[4],
        sessions[0], *(_instant(value) for value in sessions[1:5]), sessions[5], sessions[6],
        _instant(any_registration), _instant(any_signup),
    )


def _instant(value: str | None) -> datetime | None:
    """An instant as the listing's JSON gives it (ISO 8601 with the offset), as the statement's result
    gives it (app.db.UTCDateTime: in UTC)."""
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def listing(connection, user, since: datetime) -> list | None:
    """On PostgreSQL the listing's rows for `user` (`_listing`); None elsewhere (SQLite)."""
    return _listing(connection, user, since) if connection.dialect.name == "postgresql" else None


def feed_items(connection, user, since: datetime, listed: list | None = None) -> tuple[list, list]:
    """(events, sessions) of the feed, each in its statement's order (start, id): an event as
    (EventRow, the reader's status, the registration's status, the event's row version), a session
    as (SessionRow, EventRow, the reader's sign-up status, the registration's status, the session's
    row version, the event's); the versions None off PostgreSQL.

    On PostgreSQL the rows are listed by id and row version first (`listed`, or this request's
    fingerprint's, or read now); when the worker holds each in its listed version, that is all that
    is read. Else the full rows are read (with their versions, and kept), all of them: a feed is at
    most a few hundred rows, and a worker reads them again only after one of its entries changed."""
    if connection.dialect.name != "postgresql":
        return _items(feed_rows(connection, user, since), keep=False)
    events, sessions = [], []
    for row in listed if listed is not None else _listing(connection, user, since):
        if row[LISTED_EVENT_ID] is None:
            continue  # the reader's latest changes (listing_statement)
        event = public_reads.kept(row[LISTED_EVENT_ID], row[LISTED_EVENT_VERSION])
        if event is None:
            break
        own = (row[LISTED_OWN_STATUS], row[LISTED_REGISTRATION_STATUS])
        if row[LISTED_SESSION_ID] is None:
            events.append((event, *own, row[LISTED_EVENT_VERSION]))
            continue
        known = feed_entries.found(_sessions, row[LISTED_SESSION_ID])
        if known is None or known[0] != row[LISTED_SESSION_VERSION]:
            break
        sessions.append((known[1], event, *own, row[LISTED_SESSION_VERSION], row[LISTED_EVENT_VERSION]))
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
            event_version = row[_EVENT_VERSION_AT]
        else:
            event, event_version = rows.split(row, SESSION_WIDTH), None
        own = (row[EVENT_END], row[EVENT_END + 2])  # the two statuses (not the reader's change between them)
        if row[0] is None:
            events.append((event, *own, event_version))
        elif keep:
            sessions.append((_keep_session(row), event, *own, row[_SESSION_VERSION_AT], event_version))
        else:
            sessions.append((rows.split(row, 0, rows.SessionRow._make, SESSION_WIDTH), event, *own, None, None))
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
