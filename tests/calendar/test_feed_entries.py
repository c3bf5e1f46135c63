"""The feeds' entries remembered per worker (app.calendar.feed_entries): the same rows in the same
wording give back the same Entry; any change to what an entry shows, or to the language, makes it anew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale

from app.calendar import feed_entries, feeds
from app.events.models import Event
from app.extensions import db
from app.timeutil import set_now

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _public():
    return feeds.public_feed(feeds.PublicFilters([], [], [], [])).entries


def test_an_unchanged_event_gives_back_the_same_entry_and_a_changed_one_a_new_entry(app, make):
    set_now(NOW)
    feed_entries.forget()
    first = make.event("First", kind="training", starts_at=NOW + timedelta(days=1))
    make.event("Second", starts_at=NOW + timedelta(days=2))
    with app.test_request_context("/"):
        before = _public()
        again = _public()
        assert [a is b for a, b in zip(before, again, strict=True)] == [True, True]

        db.session.get(Event, first.id).title = "First, renamed"
        db.session.commit()
        after = _public()
        assert after[0] is not before[0] and after[0].summary == "First, renamed"
        assert after[1] is before[1]
        with force_locale("uk"):
            translated = _public()
    assert translated[0] is not after[0]
    assert translated[0].categories == ("Навчання / розбудова спроможності",)
    assert after[0].categories == ("Training / capacity building",)
    assert translated[0].description.endswith(after[0].description.rpartition(": ")[2])
    assert translated[0].description.rpartition("\n\n")[2].startswith("Докладніше: ")


def test_the_site_settings_are_part_of_the_key(app, make):
    set_now(NOW)
    feed_entries.forget()
    make.event("Event", starts_at=NOW + timedelta(days=1))
    with app.test_request_context("/"):
        before = _public()[0]
    saved = app.config.get("MAIL_FROM")
    app.config["MAIL_FROM"] = "Someone Else <someone@example.org>"
    try:
        with app.test_request_context("/"):
            after = _public()[0]
    finally:
        app.config["MAIL_FROM"] = saved
    assert after is not before
    assert after.organizer.email == "someone@example.org" and before.organizer.email != "someone@example.org"


def test_the_memo_stays_bounded(app, make, monkeypatch):
    set_now(NOW)
    feed_entries.forget()
    monkeypatch.setattr(feed_entries, "MAX_ENTRIES", 3)
    for day in range(5):
        make.event(f"Event {day}", starts_at=NOW + timedelta(days=day + 1))
    with app.test_request_context("/"):
        assert len(_public()) == 5
    assert len(feed_entries._memo) <= 3


def test_the_memo_drops_the_least_recently_used_first():
    # The public feed's entries, found by every rebuild, stay while personal feeds' pass through.
    store: dict = {}
    for key in ("public", "personal 1", "personal 2"):
        store[key] = key.upper()
    assert feed_entries.found(store, "public") == "PUBLIC"
    assert feed_entries.found(store, "absent") is None
    feed_entries.make_room(store, 3)
    store["personal 3"] = "PERSONAL 3"
    assert list(store) == ["personal 2", "public", "personal 3"]
