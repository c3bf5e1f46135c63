"""What the agenda edit POST costs (issue 19): a fixed number of statements, whatever the size of
the event; the calendar update goes only to people signed up for the session who are still
confirmed for the event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
# The user with the stamps, the event (with the organiser check), the session with its speakers
# (one statement), the facility choices, the room clash check, the UPDATE, the sign-ups still
# confirmed for the event with their users (one statement: was every confirmed registration of
# the event, then the sign-ups), the message, the sign-up's sequence sent, the audit entry and the
# stamps. Was 13 (the speakers read apart, the event's confirmed registrations read whole).
AGENDA_EDIT = 11


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


def _count(client, url, data) -> tuple[int, list[str]]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split())[:120])

    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post(url, data=data)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    return response.status_code, statements


@pytest.mark.parametrize("registrations", [2, 12])
def test_editing_a_sessions_room_costs_a_fixed_number_of_statements(login, make, registrations):
    creator = make.user(role=Role.ORGANISER)
    event = make.event(starts_at=datetime(2026, 10, 23, 7, 0, tzinfo=UTC), days=2, created_by=creator)
    item = make.session(event, "Panel", starts_at=datetime(2026, 10, 23, 9, 0, tzinfo=UTC), room="Room 1")
    speaker = make.user()
    make.signup(item, make.registration(event, speaker).user)
    gone = make.user()
    make.registration(event, gone, status="cancelled")
    make.signup(item, gone)  # a sign-up left behind by a cancelled registration: told nothing
    for _ in range(registrations - 1):
        make.registration(event, make.user())
    event_id, session_id, speaker_id = event.id, item.id, speaker.id
    client = login(creator)
    status, statements = _count(client, f"/events/{event_id}/sessions/{session_id}/edit", {
        "title": "Panel", "kind": "panel", "starts_at": "2026-10-23T11:00", "ends_at": "2026-10-23T12:00",
        "room": "Room 2"})
    assert status == 302
    assert len(statements) == AGENDA_EDIT, "\n".join(statements)
    told = db.session.scalars(select(OutboxMessage.recipient_user_id).where(OutboxMessage.kind.like("calendar.session%"))).all()
    assert told == [speaker_id]


def test_the_speakers_are_read_as_ids_in_name_order(login, make):
    """_set_speakers compares the speakers chosen with the session's by user id, in name order: the
    users are read as ids only (app.events.queries.user_ids_by_name), and the same speakers in another
    order of choosing are no change; a new speaker takes their place by name."""
    from app.audit.models import AuditEntry
    from app.events.models import SessionSpeaker

    creator = make.user(role=Role.ORGANISER)
    event = make.event(starts_at=datetime(2026, 10, 23, 7, 0, tzinfo=UTC), days=2, created_by=creator)
    item = make.session(event, "Panel", starts_at=datetime(2026, 10, 23, 9, 0, tzinfo=UTC), room="Room 1")
    zed, adam, mia = make.user(name="Zed Zorn"), make.user(name="Adam Ash"), make.user(name="Mia Moe")
    item.speakers = [SessionSpeaker(user_id=adam.id, role="speaker", position=0),
                     SessionSpeaker(user_id=zed.id, role="speaker", position=1)]
    db.session.commit()
    event_id, session_id, ids = event.id, item.id, (zed.id, adam.id, mia.id)
    client = login(creator)
    form = {"title": "Panel", "kind": "panel", "starts_at": "2026-10-23T09:00", "ends_at": "2026-10-23T10:00",
            "room": "Room 1"}
    url = f"/events/{event_id}/sessions/{session_id}/edit"
    status, statements = _count(client, url, {**form, "speaker_ids": [ids[0], ids[1]]})
    assert status == 302
    assert [s for s in statements if s.startswith("SELECT users.id FROM users")], "\n".join(statements)
    first = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.edit"))
    assert first is None or "speakers" not in first.changes, first.changes
    status, _ = _count(client, url, {**form, "speaker_ids": list(ids)})
    assert status == 302
    speakers = db.session.scalars(select(SessionSpeaker.user_id).where(SessionSpeaker.session_id == session_id)
                                  .order_by(SessionSpeaker.position)).all()
    assert speakers == [ids[1], ids[2], ids[0]]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.edit")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.changes["speakers"] == [[f"user:{ids[1]}", f"user:{ids[0]}"],
                                         [f"user:{ids[1]}", f"user:{ids[2]}", f"user:{ids[0]}"]]
