"""The personal feed's statements (app.calendar.feeds): its fingerprint (one aggregate) and its rows
(one read), each built once per shape of reader and run with the reader's id and the window bound.

The sign-up rows start from the reader's own sign-ups, read first on their own (a `MATERIALIZED`
CTE on PostgreSQL): psycopg prepares a statement run often, and PostgreSQL then keeps a generic plan
costed for an average reader (two registrations). That plan began at the reader's registrations and
walked every session of every registered event (2,000 sessions, 5,400 buffers, ~20 ms for a member
with 200 registrations and no sign-up) before it looked at the sign-ups, twice a request."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import (
    String,
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
from app.calendar import reader, rows
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
_SESSION_STARTS = rows.SESSION_FIELDS.index("starts_at")
_EVENT_STARTS = SESSION_WIDTH + rows.EVENT_FIELDS.index("starts_at")


def shape(user) -> tuple:
    """What the personal feed's statements depend on beyond the values bound when they run."""
    return (*reader.shape(user), bool(user.calendar_include_waitlisted))


def params(user, since: datetime) -> dict:
    return {reader.READER_ID: user.id, "since": since}


def _queries(signed_in: bool, role, waitlisted: bool):
    """(registrations, session sign-up rows, the reader's sign-ups) the personal feed selects,
    unordered and unlimited, for the reader `params` binds."""
    since = bindparam("since", type_=Event.ends_at.type)
    viewer = reader.stand_in(signed_in, role)
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
    registrations, signups, mine = _queries(*shape)
    ours = registrations.with_only_columns(
        func.count(), func.max(Event.updated_at), func.max(Registration.updated_at), func.sum(Event.id),
        func.sum(Event.sequence)).subquery()
    theirs = signups.with_only_columns(
        func.count(), func.max(Session.updated_at), func.max(Event.updated_at), func.max(mine.c.updated_at),
        func.max(Registration.updated_at), func.sum(Session.id), func.sum(Session.sequence)).subquery()
    # Registrations and sign-ups that were cancelled also change the feed (an entry disappears).
    any_registration = select(func.max(Registration.updated_at)).where(
        Registration.user_id == reader.READER).scalar_subquery()
    any_signup = select(func.max(SessionSignup.updated_at)).where(
        SessionSignup.user_id == reader.READER).scalar_subquery()
    return select(*ours.c, *theirs.c, any_registration, any_signup).select_from(ours).join(theirs, true())


def _own(status, updated_at) -> tuple:
    """The last columns of a row of the feed's read: the reader's status (its plain value) and its
    change, then the registration's status."""
    return (type_coerce(status, String).label("own_status"), updated_at.label("own_updated_at"),
            type_coerce(Registration.status, String).label("registration_status"))


@functools.cache
def feed_statement(*shape):
    """The feed's one read: its sessions with their events (the first LIMIT by the sessions' start),
    then its events (the first LIMIT by start), as one UNION ALL; in no order across the two."""
    registrations, signups, mine = _queries(*shape)
    sessions = (
        signups.with_only_columns(*rows.SESSION_COLUMNS, *rows.EVENT_COLUMNS, *_own(mine.c.status, mine.c.updated_at))
        .order_by(Session.starts_at, Session.id).limit(LIMIT).subquery()
    )
    events = (
        registrations.with_only_columns(*(cast(null(), column.type).label(f"no_session_{column.key}")
                                          for column in rows.SESSION_COLUMNS),
                                        *rows.EVENT_COLUMNS, *_own(Registration.status, Registration.updated_at))
        .order_by(Event.starts_at, Event.id).limit(LIMIT).subquery()
    )
    return union_all(select(*sessions.c), select(*events.c))


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


def split(found) -> tuple[list, list]:
    """(event rows, session rows) of the feed's read, each in its statement's order (start, id)."""
    events, sessions = [], []
    for row in found:
        (events if row[0] is None else sessions).append(row)
    events.sort(key=lambda row: (row[_EVENT_STARTS], row[SESSION_WIDTH]))
    sessions.sort(key=lambda row: (row[_SESSION_STARTS], row[0]))
    return events, sessions
