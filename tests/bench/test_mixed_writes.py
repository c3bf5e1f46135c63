"""bench.mixed_db.verify_writes: a write answered with a redirect is looked for in the database, and
the ones it does not find are named (PostgreSQL: it joins against unnest())."""

import pytest

from bench.mixed_db import verify_writes


def test_writes_the_database_does_not_show_are_named(app, db, make, database_url):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("verify_writes reads PostgreSQL (unnest of two arrays)")
    event = make.event()
    kept, cancelled, never = make.user(), make.user(), make.user()
    make.registration(event, kept)
    make.registration(event, cancelled, status="cancelled")
    agenda_item = make.session(event)
    agenda_item.room = "Room 7"
    db.session.commit()
    intents = [
        ("registration", kept.id, event.id, "cancelled"), ("registration", kept.id, event.id, "registered"),
        ("registration", cancelled.id, event.id, "registered"),  # its last write did not land
        ("registration", never.id, event.id, "registered"),  # no row at all
        ("session", agenda_item.id, "Room 9"), ("lesson", "A title nobody wrote"),
    ]
    found = verify_writes(database_url, intents)
    assert found["registrations"] == [1, 3] and found["sessions"] == [0, 1] and found["lessons"] == [0, 1]
    assert found["missed"] == [
        f"registration of user {cancelled.id} to event {event.id}: registered, the database says cancelled",
        f"registration of user {never.id} to event {event.id}: registered, the database says None",
        f"session {agenda_item.id}: room 'Room 9', the database says 'Room 7'",
    ]
