"""The personal feed's reads (app.calendar.personal_reads) on PostgreSQL: its fingerprint computed from
the listing of its rows by id and row version (the same values, of the same types, as the aggregate
statement gives), and the full rows read only when this worker has not read one of them in its
current version. What a subscriber gets must be what a feed read afresh gives, after every kind of
change, also one that moves no change time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import text

from app.calendar import feed_entries, feeds, personal_reads, personal_written, public_reads
from app.calendar.ics import write_calendar
from app.events.models import Event, Session
from app.extensions import db
from app.registrations.models import Registration
from app.timeutil import set_now
from tests.querycount import QueryCounter

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row versions (xmin, ctid) are PostgreSQL's; SQLite reads the full rows each time")


def _world(make):
    """A reader registered to two events (one waitlisted), signed up to a session of the first (and
    waitlisted for one of the second), with a cancelled registration elsewhere."""
    reader = make.user()
    first = make.event("First", starts_at=NOW + timedelta(days=1))
    second = make.event("Second", starts_at=NOW + timedelta(days=2))
    opening = make.session(first, "Opening", starts_at=first.starts_at, hours=1)
    panel = make.session(second, "Panel", starts_at=second.starts_at, hours=1)
    make.registration(first, reader)
    make.registration(second, reader, status="waitlisted")
    make.registration(make.event("Gone", starts_at=NOW + timedelta(days=3)), reader, status="cancelled")
    make.signup(opening, reader)
    make.signup(panel, reader, status="waitlisted")
    db.session.commit()
    return reader, first, opening


def _both(app, reader) -> tuple[tuple, tuple]:
    since = NOW - feeds.HISTORY
    with app.test_request_context("/"):
        connection = db.session.connection()
        db.session.refresh(reader)  # not counted below
        with QueryCounter(db.engine) as counter:
            listed = personal_reads.fingerprint(connection, reader, since)
        assert counter.count == 1  # the listing alone
        return listed, personal_reads.fingerprint_row(connection, reader, since)


def test_the_fingerprint_from_the_listing_is_the_statements(app, make):
    set_now(NOW)
    reader, first, opening = _world(make)
    for waitlisted in (False, True):
        reader.calendar_include_waitlisted = waitlisted
        db.session.commit()
        listed, aggregated = _both(app, reader)
        assert listed == aggregated and repr(listed) == repr(aggregated)
        assert [type(value) for value in listed] == [type(value) for value in aggregated]
    # A change of every kind the fingerprint sums moves both alike.
    set_now(NOW + timedelta(minutes=1))
    db.session.get(Event, first.id).sequence += 1
    db.session.get(Session, opening.id).title = "Opening, moved"
    db.session.query(Registration).filter_by(user_id=reader.id, status="cancelled").one().status = "confirmed"
    db.session.commit()
    listed, aggregated = _both(app, reader)
    assert listed == aggregated and repr(listed) == repr(aggregated)


def test_an_empty_feed_has_the_statements_fingerprint(app, make):
    """The reader's latest changes of any status come on a row of their own: a feed with no entry
    (here after a cancelled registration) still gets the aggregate's values from the listing."""
    set_now(NOW)
    reader = make.user()
    make.registration(make.event("Gone", starts_at=NOW + timedelta(days=3)), reader, status="cancelled")
    db.session.commit()
    listed, aggregated = _both(app, reader)
    assert listed == aggregated and repr(listed) == repr(aggregated)
    assert listed[0] == listed[5] == 0 and listed[-2] is not None


def _feed(client, reader) -> tuple[int, bytes]:
    url = f"/calendar/feed/{reader.calendar_token}.ics"
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.data


def _afresh(client, reader) -> bytes:
    public_reads.forget()
    personal_reads.forget()
    feed_entries.forget()
    return _feed(client, reader)[1]


class _Token:
    def __init__(self, token: str):
        self.calendar_token = token


def test_a_worker_reads_the_full_rows_once_per_row_version(cold, client, make):
    set_now(NOW)
    reader, first, opening = _world(make)
    public_reads.forget()
    personal_reads.forget()
    reader, first_id, opening_id = _Token(reader.calendar_token), first.id, opening.id
    count, body = _feed(client, reader)
    assert count == 3  # the user, the listing (and fingerprint), the full rows
    assert _feed(client, reader) == (2, body)  # every row held in its version: the listing alone
    # Changes that move no change time (a script, a fix by hand) still reach the feed: the row
    # version moved. The full rows are read again, once.
    db.session.execute(text("UPDATE events SET title = 'First, renamed' WHERE id = :id"), {"id": first_id})
    db.session.execute(text("UPDATE sessions SET room = 'Hall B' WHERE id = :id"), {"id": opening_id})
    db.session.commit()
    count, changed = _feed(client, reader)
    assert count == 3 and b"SUMMARY:First\\, renamed" in changed and b"Hall B" in changed
    assert changed == _afresh(client, reader)
    assert _feed(client, reader) == (2, changed)
    # Two changes in one transaction are both seen.
    db.session.get(Event, first_id).title = "Middle"
    db.session.flush()
    db.session.get(Event, first_id).title = "After"
    db.session.commit()
    count, after = _feed(client, reader)
    assert count == 3 and b"SUMMARY:After" in after and after == _afresh(client, reader)


def test_the_kept_sessions_stay_bounded(app, make, monkeypatch):
    set_now(NOW)
    personal_reads.forget()
    monkeypatch.setattr(personal_reads, "MAX_SESSIONS", 2)
    reader = make.user()
    event = make.event("Agenda", starts_at=NOW + timedelta(days=1))
    make.registration(event, reader)
    for hour in range(4):
        make.signup(make.session(event, f"Part {hour}", starts_at=event.starts_at + timedelta(hours=hour),
                                 hours=1), reader)
    db.session.commit()
    with app.test_request_context("/"):
        for _ in range(2):
            written = write_calendar(feeds.personal_feed(reader).vevents, dtstamp=NOW)
            summaries = [str(vevent["summary"]) for vevent in icalendar.Calendar.from_ical(written).walk("VEVENT")]
            assert summaries == ["Agenda", *(f"Part {hour} · Agenda" for hour in range(4))]
    assert len(personal_reads._sessions) == 2


def test_a_poll_holding_a_copy_reads_the_one_row_aggregate(cold, client, make):
    """A calendar program's poll (If-None-Match) is most often answered 304 without a build: its
    fingerprint is the aggregate's one row, not the listing of every entry; a fresh fetch, which
    builds the feed, takes it from the listing the build reads anyway."""
    set_now(NOW)
    reader, _first, _opening = _world(make)
    url = f"/calendar/feed/{reader.calendar_token}.ics"
    fresh = client.get(url)
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        assert client.get(url, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 304
    # The user by token and the aggregate in one statement (app.calendar.personal_polls).
    assert counter.count == 1 and "count(*)" in counter.statements[-1] and " AS e_v" not in counter.statements[-1]
    with QueryCounter(db.engine) as counter:
        stale = client.get(url, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.data == fresh.data and stale.headers["ETag"] == fresh.headers["ETag"]
    assert counter.count == 2  # the user with the aggregate, the listing (every full row held already)
    with QueryCounter(db.engine) as counter:
        assert client.get(url).data == fresh.data
    assert counter.count == 2 and " AS e_v" in counter.statements[-1]


def test_a_feed_written_once_is_written_again_only_for_the_entries_that_changed(cold, client, make, monkeypatch):
    """The personal feed's entries are remembered written, by the rows' versions and the reader's
    statuses (app.calendar.personal_written): an unchanged feed makes no entry at all, a feed
    after an edit makes only the edited ones, and a status the reader's registration moves to makes
    that entry anew; what it serves is what a feed built afresh serves."""
    set_now(NOW)
    reader, first, opening = _world(make)
    reader.calendar_include_waitlisted = True
    db.session.commit()
    first_id, opening_id, reader_id = first.id, opening.id, reader.id
    reader = _Token(reader.calendar_token)
    made = []
    for name in ("event_entry", "session_entry"):
        real = getattr(personal_written, name)
        monkeypatch.setattr(personal_written, name, lambda *args, real=real, name=name, **kwargs: (
            made.append((name, args[0].title)), real(*args, **kwargs))[1])
    public_reads.forget()
    personal_reads.forget()
    feed_entries.forget()
    count, body = _feed(client, reader)
    assert sorted(made) == [("event_entry", "First"), ("event_entry", "Second"), ("session_entry", "Opening"),
                            ("session_entry", "Panel")]
    made.clear()
    assert _feed(client, reader) == (2, body) and made == []  # the user, the listing
    db.session.execute(text("UPDATE sessions SET room = 'Hall C' WHERE id = :id"), {"id": opening_id})
    db.session.commit()
    changed = _feed(client, reader)[1]
    assert made == [("session_entry", "Opening")] and b"Hall C" in changed
    made.clear()
    db.session.execute(text("UPDATE events SET title = 'First, renamed' WHERE id = :id"), {"id": first_id})
    db.session.commit()
    renamed = _feed(client, reader)[1]
    assert sorted(made) == [("event_entry", "First, renamed"), ("session_entry", "Opening")]  # and its session
    made.clear()
    db.session.query(Registration).filter_by(user_id=reader_id, event_id=first_id).update({"status": "waitlisted"})
    db.session.commit()
    waitlisted = _feed(client, reader)[1]
    assert sorted(made) == [("event_entry", "First, renamed"), ("session_entry", "Opening")]
    assert waitlisted.count(b"STATUS:TENTATIVE") == 4 and renamed.count(b"STATUS:TENTATIVE") == 2
    made.clear()
    assert waitlisted == _afresh(client, reader) and sorted(made) == [
        ("event_entry", "First, renamed"), ("event_entry", "Second"), ("session_entry", "Opening"),
        ("session_entry", "Panel")]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Kyiv", "America/St_Johns"])
def test_the_listings_fingerprint_keeps_every_microsecond_in_any_session_time_zone(app, make, zone):
    """The listing carries the fingerprint's instants as JSON (ISO 8601, with the session's offset and
    as many decimals as the instant has): they come back as the aggregate's, to the microsecond."""
    set_now(NOW + timedelta(microseconds=120000))
    reader, first, opening = _world(make)
    set_now(NOW + timedelta(seconds=5, microseconds=5))
    db.session.get(Session, opening.id).title = "Opening, moved"
    db.session.commit()
    db.session.execute(text("UPDATE events SET updated_at = updated_at + interval '0.123456 second'"))
    db.session.commit()
    since = NOW - feeds.HISTORY
    with app.test_request_context("/"):
        connection = db.session.connection()
        connection.exec_driver_sql(f"SET TIME ZONE '{zone}'")
        try:
            listed = personal_reads.fingerprint(connection, reader, since)
            aggregated = personal_reads.fingerprint_row(connection, reader, since)
        finally:
            connection.exec_driver_sql("SET TIME ZONE 'UTC'")
    assert listed == aggregated and repr(listed) == repr(aggregated)
    assert listed[1].microsecond == 243456 and listed[6].microsecond == 5  # 0.12 s, then 0.123456 s more
