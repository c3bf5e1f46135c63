"""The public feed's reads (app.calendar.public_reads): planned once per shape of filters, and on
PostgreSQL the full rows of only the events a worker has not read in their current version. What a
subscriber gets must be what a feed read afresh gives, after every kind of change, also when the
clock stands still between changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.calendar import feed_entries, feeds, public_reads
from app.directory.models import Project
from app.events.models import Event, EventStatus
from app.extensions import db
from app.timeutil import set_now

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
EVERYTHING = feeds.PublicFilters([], [], [], [])


def _summaries(filters=EVERYTHING) -> list[str]:
    return [entry.summary for entry in feeds.public_feed(filters).entries]


def _afresh(filters=EVERYTHING) -> list[str]:
    public_reads.forget()
    feed_entries.forget()
    return _summaries(filters)


def test_each_change_reaches_the_feed_while_the_clock_stands_still(app, make):
    set_now(NOW)
    public_reads.forget()
    first = make.event("First", starts_at=NOW + timedelta(days=1))
    make.event("Second", starts_at=NOW + timedelta(days=2))
    draft = make.event("Draft", starts_at=NOW + timedelta(days=3), status="draft")
    with app.test_request_context("/"):
        assert _summaries() == ["First", "Second"]
        for title in ("First, renamed", "First, renamed again"):
            db.session.get(Event, first.id).title = title
            db.session.commit()
            assert _summaries() == [title, "Second"]
        db.session.get(Event, draft.id).status = EventStatus.PUBLISHED
        db.session.commit()
        assert _summaries() == ["First, renamed again", "Second", "Draft"]
        db.session.get(Event, first.id).status = EventStatus.CANCELLED
        db.session.commit()
        assert _summaries() == ["Second", "Draft"] == _afresh()


def test_two_changes_in_one_transaction_are_both_seen(app, make):
    set_now(NOW)
    public_reads.forget()
    event = make.event("Before", starts_at=NOW + timedelta(days=1))
    with app.test_request_context("/"):
        assert _summaries() == ["Before"]
        db.session.get(Event, event.id).title = "Middle"
        db.session.flush()
        assert _summaries() == ["Middle"]
        db.session.get(Event, event.id).title = "After"
        db.session.flush()
        assert _summaries() == ["After"]
        db.session.commit()
        assert _summaries() == ["After"] == _afresh()


def test_filters_of_every_size_select_the_same_events_as_one_value_at_a_time(app, make):
    set_now(NOW)
    projects = [Project(acronym=f"P{n}", title=f"Project {n}") for n in range(4)]
    db.session.add_all(projects)
    db.session.commit()
    for n, project in enumerate(projects):
        event = make.event(f"Event {n}", starts_at=NOW + timedelta(days=n + 1),
                           kind="workshop" if n % 2 else "training", country="AT" if n < 2 else "BE")
        event.projects.append(project)
        db.session.commit()
    with app.test_request_context("/"):
        one_by_one = [_summaries(feeds.PublicFilters([], [], [p.id], [])) for p in projects]
        assert one_by_one == [["Event 0"], ["Event 1"], ["Event 2"], ["Event 3"]]
        # More values than a planned shape holds (SHAPED) take SQLAlchemy's execute: the same events.
        many = feeds.PublicFilters([], [], [p.id for p in projects], [])
        assert public_reads.SHAPED < len(projects)
        assert _summaries(many) == [f"Event {n}" for n in range(4)] == _afresh(many)
        austrian = feeds.PublicFilters([], ["AT"], [p.id for p in projects[1:]], [])
        assert _summaries(austrian) == ["Event 1"]


def test_the_kept_rows_stay_bounded(app, make, monkeypatch):
    set_now(NOW)
    public_reads.forget()
    monkeypatch.setattr(public_reads, "MAX_ROWS", 3)
    monkeypatch.setattr(public_reads, "FEW", 1)
    for day in range(5):
        make.event(f"Event {day}", starts_at=NOW + timedelta(days=day + 1))
    with app.test_request_context("/"):
        assert _summaries() == [f"Event {day}" for day in range(5)]
        assert _summaries() == [f"Event {day}" for day in range(5)]
    # On PostgreSQL the worker keeps the three rows read last; SQLite reads the full rows each time.
    assert len(public_reads._rows) == (3 if db.engine.dialect.name == "postgresql" else 0)
