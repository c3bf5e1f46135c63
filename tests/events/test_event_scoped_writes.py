"""The organiser's agenda forms move the edited event's scoped stamps (app.cache.scopes), never the
"every event" ones: another event's cached page entries stay found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.cache import event_stamps, stamps
from app.events.models import Session
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
EVERY = ("sessions@*", "session_speakers@*", "events@*")


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


def _form(**overrides):
    data = {"title": "Panel", "kind": "panel", "starts_at": "2026-10-24T10:00", "ends_at": "2026-10-24T11:00"}
    data.update(overrides)
    return data


def test_adding_and_editing_a_session_moves_only_its_events_stamps(login, make, db):
    creator = make.user(role=Role.ORGANISER, name="Oksana Organiser")
    speaker, other_speaker = make.user(name="Taras Trainer"), make.user(name="Ana Popescu")
    event = make.event("Kyiv study visit", starts_at=datetime(2026, 10, 23, 7, 0, tzinfo=UTC), days=3,
                       created_by=creator)
    event_id = event.id
    client = login(creator)
    db.session.commit()
    every, own = {n: stamps.read(db.session).get(n) for n in EVERY}, event_stamps.read(db.session, event_id)

    response = client.post(f"/events/{event_id}/sessions/new", data=_form(speaker_ids=str(speaker.id)))
    assert response.status_code == 302
    db.session.rollback()
    session_id = db.session.scalar(select(Session.id).where(Session.title == "Panel"))
    added = event_stamps.read(db.session, event_id)
    assert added.get("sessions") != own.get("sessions")
    assert added.get("session_speakers") != own.get("session_speakers")

    response = client.post(f"/events/{event_id}/sessions/{session_id}/edit",
                           data=_form(title="Panel on hot pursuit", speaker_ids=str(other_speaker.id)))
    assert response.status_code == 302
    db.session.rollback()
    edited = event_stamps.read(db.session, event_id)
    assert edited.get("sessions") != added.get("sessions")
    assert edited.get("session_speakers") != added.get("session_speakers")
    assert {n: stamps.read(db.session).get(n) for n in EVERY} == every
