"""A published event with an open call: its organiser, two confirmed participants, one invited
person, and an outsider. The clock is fixed (no test depends on the wall clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.contributions.calls import save_call
from app.registrations.invitations import invite
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=10)


@dataclass
class World:
    event: object
    organiser: object
    ana: object
    bogdan: object
    invited: object
    outsider: object
    waitlisted: object


@pytest.fixture
def world(app, make) -> World:
    set_now(NOW)
    organiser = make.user("organiser", name="Olga Organiser")
    event = make.event("Cross-border cybercrime workshop", starts_at=NOW + timedelta(days=30), days=2,
                       organisers=[organiser], created_by=organiser, timezone="Europe/Chisinau")
    ana = make.user(name="Ana Rusu")
    bogdan = make.user(name="Bogdan Petrović")
    invited = make.user(name="Irakli Beridze", email="irakli@example.org", language="ro")
    outsider = make.user(name="Outside Person")
    waitlisted = make.user(name="Wait Listed")
    make.registration(event, ana)
    make.registration(event, bogdan)
    make.registration(event, waitlisted, status="waitlisted")
    invite(event, [("irakli@example.org", "Irakli Beridze")], organiser)
    save_call(organiser, event, DEADLINE, "Cases of ransomware against public bodies are especially welcome.")
    return World(event, organiser, ana, bogdan, invited, outsider, waitlisted)
