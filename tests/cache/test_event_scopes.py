"""Event-scoped stamps (app.cache.scopes): an entry about one event is rebuilt when that event's rows
change, or when a write whose event cannot be told lands, and stays found when another event's rows
change; the dependency check fails a scoped entry that reads other events' rows."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text, update

from app.cache import event_stamps, fragments, scopes, stamps
from app.cache.dependencies import UndeclaredDependency
from app.events.models import Session, SessionSpeaker
from app.extensions import db
from app.registrations.models import Registration


def _titles(event_id: int):
    built = []

    def build() -> str:
        built.append(event_id)
        return ",".join(db.session.scalars(select(Session.title).where(Session.event_id == event_id)
                                           .order_by(Session.id)))

    return built, build


def _ask(event_id: int) -> tuple[str, bool]:
    """(the entry's value, whether it was built on this call)."""
    built, build = _titles(event_id)
    value = fragments.cached("probe.agenda", (event_id,), ("sessions", "users"), build, scope=event_id)
    return str(value), bool(built)


def test_an_agenda_edit_of_one_event_leaves_the_others_entries_found(app, make):
    first, second = make.event(), make.event()
    opening = make.session(first, title="Opening")
    make.session(second, title="Welcome")
    assert _ask(first.id) == ("Opening", True)
    assert _ask(second.id) == ("Welcome", True)
    assert _ask(first.id) == ("Opening", False)

    opening.title = "Opening plenary"
    db.session.commit()
    assert _ask(second.id) == ("Welcome", False)  # another event's agenda: still found
    assert _ask(first.id) == ("Opening plenary", True)  # its own: shown at the next read

    make.session(first, title="Closing")
    assert _ask(second.id) == ("Welcome", False)
    assert _ask(first.id) == ("Opening plenary,Closing", True)


def test_a_write_whose_event_cannot_be_told_rebuilds_every_events_entry(app, make):
    first, second = make.event(), make.event()
    make.session(first, title="Opening")
    make.session(second, title="Welcome")
    _ask(first.id), _ask(second.id)

    db.session.execute(update(Session).values(room="Room A"))  # bulk: any event's rows
    db.session.commit()
    assert _ask(first.id)[1] and _ask(second.id)[1]

    stamps.bump(db.session.connection(), "sessions")  # a write past the ORM
    db.session.commit()
    assert _ask(first.id)[1] and _ask(second.id)[1]

    stamps.bump_all(db.session.connection())
    db.session.commit()
    assert _ask(first.id)[1] and _ask(second.id)[1]


def test_an_unscoped_table_of_a_scoped_entry_counts_whole(app, make):
    event = make.event()
    make.session(event, title="Opening")
    _ask(event.id)
    make.user()
    assert _ask(event.id)[1]


def test_rows_owned_through_a_parent_move_the_parents_event(app, make):
    first, second = make.event(), make.event()
    first_id, second_id = first.id, second.id
    talk = make.session(first, title="Talk")
    make.session(second, title="Welcome")
    talk_id = talk.id
    before_first, before_second = event_stamps.read(db.session, first_id), event_stamps.read(db.session, second_id)
    whole = stamps.read(db.session)

    db.session.add(SessionSpeaker(session_id=talk_id, external_name="Ana Popescu"))  # its session is loaded
    db.session.commit()
    assert event_stamps.read(db.session, first_id).get("session_speakers") != before_first.get("session_speakers")
    assert event_stamps.read(db.session, second_id) == before_second
    assert stamps.read(db.session).get("session_speakers@*") == whole.get("session_speakers@*")

    db.session.expunge_all()  # the parent is not at hand: the "every event" stamp moves
    db.session.add(SessionSpeaker(session_id=talk_id, external_name="Giorgi Beridze"))
    db.session.commit()
    assert stamps.read(db.session).get("session_speakers@*") != whole.get("session_speakers@*")


def test_moving_a_row_to_another_event_moves_both_events(app, make):
    first, second = make.event(), make.event()
    first_id, second_id = first.id, second.id
    talk = make.session(first, title="Talk")
    before = event_stamps.read(db.session, first_id), event_stamps.read(db.session, second_id)
    assert talk.event_id == first_id  # loaded: its old value is known
    talk.event_id = second_id
    db.session.commit()
    after = event_stamps.read(db.session, first_id), event_stamps.read(db.session, second_id)
    assert after[0].get("sessions") != before[0].get("sessions")
    assert after[1].get("sessions") != before[1].get("sessions")

    every = stamps.read(db.session).get("sessions@*")
    talk.event_id = first_id  # expired by the commit: its old value is not known
    db.session.commit()
    assert stamps.read(db.session).get("sessions@*") != every


def test_a_commit_moves_all_its_stamps_in_one_statement(app, make):
    event = make.event()
    person = make.user()
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        db.session.add(Registration(event_id=event.id, user_id=person.id))
        make.session(event, title="Opening")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    writes = [s for s in sent if "change_stamps" in s]
    assert len(writes) == 1, writes
    moved = stamps.read(db.session)
    assert event_stamps.read(db.session, event.id).keys() >= {"registrations", "sessions"}
    assert "registrations@*" not in moved and "sessions@*" not in moved


def test_a_scoped_entry_that_loads_another_events_rows_fails(app, make):
    first, second = make.event(), make.event()
    first_id = first.id
    make.session(first, title="Opening")
    make.session(second, title="Welcome")
    db.session.expunge_all()

    def every_session() -> str:
        return ",".join(s.title for s in db.session.scalars(select(Session).order_by(Session.id)))

    with pytest.raises(UndeclaredDependency, match="scoped to event"):
        fragments.cached("probe.rows", (first_id,), ("sessions",), every_session, scope=first_id)
    assert fragments.cached("probe.whole", (), ("sessions",), every_session) == "Opening,Welcome"


def test_a_scoped_entry_whose_statement_is_not_bound_to_the_event_fails(app, make):
    first, second = make.event(), make.event()
    make.session(first, title="Opening")
    make.session(second, title="Welcome")

    def count_all() -> int:
        return db.session.scalar(select(func.count(Session.id)))

    with pytest.raises(UndeclaredDependency, match="scoped to event"):
        fragments.remember("probe.count", (first.id,), ("sessions",), count_all, scope=first.id)
    assert _ask(first.id) == ("Opening", True)  # bound to the event: accepted


def test_the_whole_read_leaves_the_events_rows_out(app, make):
    event = make.event()
    make.session(event, title="Opening")
    names = set(stamps.read(db.session))
    assert "sessions" in names and not any("@" in n and not n.endswith("@*") for n in names)
    assert scopes.event_name("sessions", event.id) in {
        row[0] for row in db.session.execute(text("SELECT name FROM change_stamps"))} | {
        row[0] for row in db.session.execute(text("SELECT name FROM change_stamps_shards"))}


def _page_lookups(client, monkeypatch, event_id: int) -> dict[str, str]:
    """{entry name: "found" or "built"} of one view of the event page."""
    from app.cache import timing

    seen: dict[str, str] = {}
    monkeypatch.setattr(timing, "note_lookup", lambda hit, key="": seen.__setitem__(
        key.split(":", 1)[0], "found" if hit else "built"))
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    seen["_page"] = response.get_data(as_text=True)
    return seen


def test_an_agenda_edit_leaves_another_events_page_entries_found(client, make, monkeypatch):
    from app.timeutil import freeze, now

    first, second = make.event(title="Border workshop"), make.event(title="Study visit")
    opening = make.session(first, title="Opening")
    make.session(second, title="Welcome")
    first_id, second_id = first.id, second.id
    with freeze(now()):  # the lessons box is kept per minute
        _page_lookups(client, monkeypatch, first_id), _page_lookups(client, monkeypatch, second_id)
        opening.title = "Opening plenary"
        db.session.commit()
        other = _page_lookups(client, monkeypatch, second_id)
        assert other["events.detail_main"] == "found" and "events.calendar_links" not in other, other
        own = _page_lookups(client, monkeypatch, first_id)
        assert own["events.detail_main"] == "built" and "Opening plenary" in own["_page"]

        db.session.execute(update(Session).values(room="Room B"))  # any event's rows
        db.session.commit()
        assert _page_lookups(client, monkeypatch, second_id)["events.detail_main"] == "built"
