"""Capacity under concurrency through the API: 40 people register at the same instant for an event of
10 seats, each with their own token and client (own request, own connection); exactly 10 are
confirmed and 30 wait in order — the registration service's lock holds on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.registrations.models import Registration, RegistrationStatus
from tests.api.conftest import ApiClient, token_for

PEOPLE = 40
SEATS = 10


def _fire(clients, path):
    barrier = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)
    errors: list[BaseException] = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            answers[index] = clients[index].post(path, json={"consent": True})
        except BaseException as error:  # noqa: BLE001 - any error fails the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers, errors


def test_forty_api_registrations_at_once_confirm_exactly_ten(app, db, make):
    event = make.event(capacity=SEATS)
    clients = [ApiClient(app.test_client(), token_for(make.user())) for _ in range(PEOPLE)]
    event_id = event.id
    db.session.remove()

    answers, errors = _fire(clients, f"/api/v1/events/{event_id}/registration")
    assert errors == []
    assert [a.status_code for a in answers] == [201] * PEOPLE, [a.get_json() for a in answers if a.status_code != 201]
    statuses = [a.json["status"] for a in answers]
    assert statuses.count("confirmed") == SEATS and statuses.count("waitlisted") == PEOPLE - SEATS
    told = sorted(a.json["waitlist_position"] for a in answers if a.json["status"] == "waitlisted")
    assert told == list(range(1, PEOPLE - SEATS + 1))
    stored = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    assert len(stored) == PEOPLE and len({r.user_id for r in stored}) == PEOPLE
    assert sum(r.status == RegistrationStatus.CONFIRMED for r in stored) == SEATS
