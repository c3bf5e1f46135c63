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
