"""Cold calendar feeds and downloads (every cache off) read what they show in a fixed, small number of
statements, whatever their size (issue 19): plain rows, one query per kind of row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.cache import fragments
from app.extensions import db
from app.timeutil import set_now
from tests.querycount import QueryCounter

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

# The change stamps (what the worker's copy is kept under: app.cache.worker), the feed's fingerprint
# (one aggregate), its events (with the latest change beside them). On PostgreSQL the events' row
# versions come first, then the rows this worker has not read in that version: one more statement
# (app.calendar.public_reads).
PUBLIC_FEED = 3
# Asked again, nothing changed: the change stamps alone (fingerprint and body kept in the worker).
PUBLIC_FEED_AGAIN = 1
# The user by token with the fingerprint (one statement: app.calendar.personal_polls), then one read:
# the session sign-ups with their sessions and events, and the registrations with their events (a
# UNION ALL). On PostgreSQL the user by token comes alone, the fingerprint from the listing of the
# same rows by id and row version, and the full rows are read only when this worker has not read
# them in that version: three statements cold, two once the worker holds them
# (app.calendar.personal_reads).
PERSONAL_FEED = 2
# The user by token with the fingerprint (app.calendar.organiser_polls), the events.
ORGANISER_FEED = 2
# The signed-in user (with the stamps), then the event with the reader's right to its online link.
EVENT_ICS = 2
# ... and its sessions.
EVENT_ICS_WITH_SESSIONS = 3


def _begin() -> int:
    return int(db.engine.dialect.name == "sqlite")  # SQLite adds its BEGIN


def _versions() -> int:
    return int(db.engine.dialect.name == "postgresql")  # the public feed's row versions first


def _statements(client, url: str) -> int:
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    assert response.data.count(b"BEGIN:VEVENT") >= 1
    return counter.count


def _world(make, size: int):
    """`size` published events, each with two sessions: the reader registered (confirmed) to all,
    signed up to one session of each; the organiser created them all."""
    organiser, reader = make.user(role="organiser"), make.user()
    events = []
    for index in range(size):
        event = make.event(f"Event {index}", starts_at=NOW + timedelta(days=1 + index), created_by=organiser,
                           country="UA", online_url="https://meet.example.org/x", format="hybrid")
        first = make.session(event, f"Opening {index}", starts_at=event.starts_at, hours=1)
        make.session(event, f"Panel {index}", starts_at=event.starts_at + timedelta(hours=2), hours=1)
        make.registration(event, reader)
        make.signup(first, reader)
        events.append(event)
    db.session.commit()
    return organiser, reader, events


def test_cold_feeds_need_the_same_few_statements_small_or_large(cold, client, make, login):
    set_now(NOW)
    assert fragments.enabled() is False
    counts = {}
    for size in (1, 12):
        organiser, reader, events = _world(make, size)
        reader_client = login(reader)
        personal = f"/calendar/feed/{reader.calendar_token}.ics"
        organised = f"/calendar/feed/{organiser.calendar_token}/organised.ics"
        event_ics = f"/events/{events[0].id}.ics"
        counts[size] = {  # the public feed first: the personal feed keeps its events' rows where it looks
            "public": _statements(client, "/calendar/public.ics"),
            "personal": _statements(client, personal),
            "organiser": _statements(client, organised),
            "event": _statements(reader_client, event_ics),
            "agenda": _statements(reader_client, event_ics + "?sessions=1"),
        }
    begin = _begin()
    expected = {"personal": PERSONAL_FEED + begin + _versions(), "organiser": ORGANISER_FEED + begin,
                "public": PUBLIC_FEED + begin + _versions(), "event": EVENT_ICS + begin,
                "agenda": EVENT_ICS_WITH_SESSIONS + begin}
    assert counts[1] == expected, counts
    assert counts[12] == expected, counts


def _public(client, headers=None) -> tuple[int, bytes]:
    with QueryCounter(db.engine) as counter:
        response = client.get("/calendar/public.ics", headers=headers or {})
    assert response.status_code == 200
    return counter.count - _begin(), response.data


def test_the_public_feed_is_kept_in_the_worker_with_every_cache_off(cold, client, make):
    """Every anonymous subscriber polls the same public feed: asked again it costs the change
    stamps alone, and any change it shows is served at once (the stamps moved)."""
    set_now(NOW)
    event = make.event("Border workshop", starts_at=NOW + timedelta(days=3))
    make.session(event, "Opening", starts_at=event.starts_at, hours=1)
    db.session.commit()
    assert fragments.enabled() is False
    first_count, first = _public(client)
    assert first_count == PUBLIC_FEED + _versions()
    assert _public(client) == (PUBLIC_FEED_AGAIN, first)
    gzip_count, _gzipped = _public(client, {"Accept-Encoding": "gzip"})
    assert gzip_count == PUBLIC_FEED_AGAIN  # compressed from the kept body, nothing read again
    assert _public(client, {"Accept-Encoding": "gzip"})[0] == PUBLIC_FEED_AGAIN

    set_now(NOW + timedelta(minutes=1))  # an edit moves the event's updated_at (the fingerprint's)
    event.title = "Border workshop, moved online"
    db.session.commit()
    count, body = _public(client)
    assert count == PUBLIC_FEED + _versions() and b"moved online" in body  # the edited event's row alone
    # A change the feed does not show (an agenda session) moves the stamps: the fingerprint is
    # read again, finds the same feed, and the kept body is served.
    set_now(NOW + timedelta(minutes=2))
    event.sessions[0].title = "Welcome"
    db.session.commit()
    assert _public(client) == (PUBLIC_FEED - 1, body)


def test_a_download_reads_its_reader_without_the_change_stamps(client, make, login):
    """The event's .ics reads nothing from the cache (app.cache.stamps.not_read_by): the signed-in
    reader's row comes without the stamps, which cost the database more than the row itself."""
    event = make.event("Workshop", starts_at=datetime(2030, 1, 1, 9, tzinfo=UTC))
    make.session(event, "Opening", starts_at=event.starts_at, hours=1)
    reader = make.user()
    make.registration(event, reader)
    db.session.commit()
    reader_client = login(reader)
    for url in (f"/events/{event.id}.ics", f"/events/{event.id}.ics?sessions=1"):
        with QueryCounter(db.engine) as counter:
            response = reader_client.get(url)
        assert response.status_code == 200 and b"BEGIN:VEVENT" in response.data, url
        assert not [s for s in counter.statements if "change_stamps" in s], url


def test_the_one_statement_download_shows_the_online_link_to_exactly_who_may_see_it(client, make, login):
    """event_for_download answers may_see_online in SQL: organisers (creator, co-organisers,
    coordinators, admins) and confirmed participants; nobody else."""
    creator, co_organiser = make.user(role="organiser"), make.user()
    event = make.event("Hybrid meeting", created_by=creator, organisers=[co_organiser], format="hybrid",
                       online_url="https://meet.example.org/secret-room")
    confirmed, waitlisted, cancelled, stranger = make.user(), make.user(), make.user(), make.user()
    make.registration(event, confirmed)
    make.registration(event, waitlisted, "waitlisted")
    make.registration(event, cancelled, "cancelled")
    coordinator, admin = make.user(role="coordinator"), make.user(role="admin")
    url = f"/events/{event.id}.ics"
    cases = ((creator, True), (co_organiser, True), (coordinator, True), (admin, True), (confirmed, True),
             (waitlisted, False), (cancelled, False), (stranger, False))
    for user, sees in cases:
        body = login(user).get(url).get_data(as_text=True)
        assert ("secret-room" in body) is sees, user.email
    assert "secret-room" not in client.get(url).get_data(as_text=True)
    assert client.get("/events/999999.ics").status_code == 404


def test_an_event_and_a_session_of_kinds_spelled_alike_keep_their_own_labels(client, make):
    """EventKind.TRAINING and SessionKind.TRAINING are equal strings: the labels looked up once per
    feed must not mix them up."""
    set_now(NOW)
    reader = make.user()
    event = make.event("Training of trainers", kind="training", starts_at=NOW + timedelta(days=3))
    session = make.session(event, "Hands-on", starts_at=event.starts_at, hours=1, kind="training")
    make.registration(event, reader)
    make.signup(session, reader)
    db.session.commit()
    body = client.get(f"/calendar/feed/{reader.calendar_token}.ics").data.decode().replace("\r\n ", "")
    assert "CATEGORIES:Training / capacity building\r\n" in body
    assert "CATEGORIES:Training\r\n" in body


def test_the_personal_feed_reads_the_readers_sign_ups_first_whatever_plan_postgresql_keeps():
    """psycopg prepares a statement run often and PostgreSQL then keeps a generic plan, costed for an
    average reader: for a member with 200 registrations it began at the registrations and walked
    every session of every event (5,400 buffers, ~20 ms, twice a request). The reader's sign-ups are
    read first on their own (a MATERIALIZED CTE: no plan can reorder around it), in the fingerprint
    and in the feed's read alike."""
    from sqlalchemy.dialects import postgresql

    from app.calendar import personal_reads

    for shape in ((True, "member", False), (True, "member", True), (True, "admin", False)):
        statements = (personal_reads.fingerprint_statement(*shape), personal_reads.feed_statement(*shape))
        for statement in statements:
            sql = " ".join(str(statement.compile(dialect=postgresql.dialect())).split())
            assert sql.startswith("WITH my_signups AS MATERIALIZED (SELECT session_signups.session_id"), sql
            assert "FROM my_signups JOIN sessions ON my_signups.session_id = sessions.id" in sql, sql


def test_the_personal_feeds_rows_on_the_cursor_are_sqlalchemys(app, make):
    """The personal feed's fingerprint and read run on the DBAPI cursor (app.cache.raw): the same
    values, of the same types (instants in UTC, statuses as plain values), as SQLAlchemy's execute
    gives, each a statement the engine's listeners count; a waitlisted registration too."""
    from app.calendar import feeds, personal_reads

    set_now(NOW)
    _organiser, reader, events = _world(make, 3)
    make.registration(make.event("Waitlisted", starts_at=NOW + timedelta(days=9)), reader, status="waitlisted")
    reader.calendar_include_waitlisted = True
    db.session.commit()
    since = NOW - feeds.HISTORY
    with app.test_request_context("/"):
        connection = db.session.connection()
        params = personal_reads.params(reader, since)
        shape = personal_reads.shape(reader)
        expected_rows = [list(row) for row in connection.execute(personal_reads.feed_statement(*shape), params)]
        expected_fingerprint = tuple(connection.execute(personal_reads.fingerprint_statement(*shape), params).one())
        with QueryCounter(db.engine) as counter:
            found = personal_reads.feed_rows(connection, reader, since)
            fingerprint = personal_reads.fingerprint_row(connection, reader, since)
        assert counter.count == 2
    assert len(found) == len(events) * 2 + 1  # three events and one session of each, the waitlisted event
    assert found == expected_rows and fingerprint == expected_fingerprint
    assert [[type(value) for value in row] for row in found] == [[type(value) for value in row] for row in expected_rows]
    instants = [value for row in found for value in row if isinstance(value, datetime)]
    assert instants and all(value.tzinfo is UTC for value in instants)
