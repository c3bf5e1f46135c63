"""Every committed change a page could show moves its table's stamp; nothing else does."""

from __future__ import annotations

from sqlalchemy import delete, insert, update

from app.cache import fragments, stamps
from app.cache.models import ChangeStamp, ChangeStampShard
from app.events.models import Event, event_themes


def _stamps(db) -> dict[str, int]:
    db.session.commit()
    return stamps.read(db.session)


def test_adding_changing_and_deleting_rows_moves_their_tables_stamps(db, make):
    before = _stamps(db)
    event = make.event(title="Study visit to Chisinau")
    after_add = _stamps(db)
    assert after_add.get("events") != before.get("events")

    event.title = "Study visit to Chișinău"
    db.session.commit()
    after_edit = _stamps(db)
    assert after_edit["events"] == after_add["events"] + 1

    make.session(event, title="Opening")
    assert _stamps(db).get("sessions") != after_edit.get("sessions")

    db.session.delete(event)
    db.session.commit()
    assert _stamps(db)["events"] == after_edit["events"] + 1


def test_a_change_to_a_many_to_many_collection_moves_the_link_table(db, make):
    event, theme = make.event(), make.theme()
    before = _stamps(db)
    event.themes.append(theme)
    db.session.commit()
    after = _stamps(db)
    assert after.get("event_themes") != before.get("event_themes")


def test_statements_through_the_session_move_their_table(db, make):
    event, theme = make.event(), make.theme()
    before = _stamps(db)
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Renamed in bulk"))
    db.session.commit()
    middle = _stamps(db)
    assert middle["events"] == before["events"] + 1

    db.session.execute(insert(event_themes).values(event_id=event.id, theme_id=theme.id))
    db.session.commit()
    db.session.execute(delete(event_themes))
    db.session.commit()
    after = _stamps(db)
    assert after.get("event_themes") is not None and after.get("event_themes") != middle.get("event_themes")


def test_stamps_start_at_random_values_so_a_reload_never_repeats_old_ones(db, make):
    make.event()
    first = _stamps(db)["events"]
    db.session.execute(delete(ChangeStamp))
    db.session.commit()
    make.event()
    assert _stamps(db)["events"] != first


def test_bookkeeping_columns_and_rolled_back_changes_move_nothing(db, make):
    user = make.user(name="Olena Kovalenko")
    event = make.event()
    before = _stamps(db)

    from app.timeutil import now

    user.last_login_at = now()
    db.session.commit()
    event.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert _stamps(db) == before

    user.name = "Olena Kovalenko-Shevchenko"
    db.session.commit()
    assert _stamps(db)["users"] == before["users"] + 1


def test_a_fragment_is_rebuilt_after_a_change_to_a_table_it_reads(app, db, make):
    event = make.event(title="Cross-border workshop")
    built = []

    def build():
        built.append(1)
        return db.session.get(Event, event.id).title

    def fragment():
        with app.test_request_context():
            return str(fragments.cached("test.title", (event.id,), ("events",), build))

    assert fragment() == "Cross-border workshop"
    assert fragment() == "Cross-border workshop"
    assert len(built) == 1  # served from the cache the second time

    db.session.get(Event, event.id).title = "Cross-border workshop (moved online)"
    db.session.commit()
    assert fragment() == "Cross-border workshop (moved online)"
    assert len(built) == 2
    # A table the fragment does not read leaves it cached.
    make.theme()
    assert fragment() == "Cross-border workshop (moved online)"
    assert len(built) == 2


def test_within_one_request_a_fragment_sees_the_requests_own_commit(app, db, make):
    event = make.event(title="Before")
    with app.test_request_context():
        first = str(fragments.cached("test.title", (event.id,), ("events",),
                                     lambda: db.session.get(Event, event.id).title))
        db.session.get(Event, event.id).title = "After"
        db.session.commit()
        second = str(fragments.cached("test.title", (event.id,), ("events",),
                                      lambda: db.session.get(Event, event.id).title))
    assert (first, second) == ("Before", "After")


def test_commits_from_writers_on_different_shards_each_move_the_stamp_and_rebuild_the_fragment(
        app, db, make, monkeypatch):
    """Writers move their own shard of a table's stamp (issue 19): each commit, whichever shard it
    moved, changes the table's stamp (the sum of its shards) and rebuilds what was cached on it."""
    event = make.event(title="Title 0")

    def fragment():
        with app.test_request_context():
            return str(fragments.cached("test.title", (event.id,), ("events",),
                                        lambda: db.session.get(Event, event.id).title))

    seen = [_stamps(db)["events"]]
    assert fragment() == "Title 0"
    for number, writer_shard in enumerate((3, 7, 3, 0, 7), start=1):
        monkeypatch.setattr(stamps, "shard", lambda _dialect, chosen=writer_shard: chosen)
        db.session.get(Event, event.id).title = f"Title {number}"
        db.session.commit()
        seen.append(_stamps(db)["events"])
        assert fragment() == f"Title {number}"
    assert len(set(seen)) == len(seen)
    # A shard's second commit adds exactly one, like the single counter did.
    assert seen[3] == seen[2] + 1 and seen[5] == seen[4] + 1
    shards = {row.shard for row in db.session.query(ChangeStampShard).filter_by(name="events")}
    assert {3, 7} <= shards


def test_the_stamps_of_another_shard_are_not_lost_when_shard_zero_is_wiped(app, db, make, monkeypatch):
    monkeypatch.setattr(stamps, "shard", lambda _dialect: 5)
    event = make.event()
    before = _stamps(db)["events"]
    db.session.execute(delete(ChangeStamp))
    db.session.commit()
    event.title = "Renamed"
    db.session.commit()
    assert _stamps(db)["events"] == before + 1
