""""My events" built afresh in a fixed number of statements, whatever the number of registrations:
the signed-in user, the registrations (with whether each has its feedback), the session sign-ups and
the open invitations in one statement, the waiting-list places, and the tests of the recent events
(which events: from the registrations read, no statement of its own): 4 statements here (8, then 7
before: the sign-ups, the invitations and the recent events' ids each had their own)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.registrations.models import Feedback
from app.timeutil import set_now
from tests.querycount import cold_statements

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("size", [2, 12])
def test_my_events_cold_in_four_statements(app, make, login, size):
    set_now(NOW)
    try:
        person = make.user()
        past = []
        for index in range(size):
            upcoming = make.event(f"Coming {index}", starts_at=NOW + timedelta(days=index + 1), capacity=1)
            make.registration(upcoming, make.user())
            make.registration(upcoming, person, status="waitlisted")
            event = make.event(f"Held {index}", starts_at=NOW - timedelta(days=index + 3))
            past.append(make.registration(event, person, checked_in=True))
        db.session.add(Feedback(event_id=past[0].event_id, registration_id=past[0].id, overall=4, relevance=4,
                                organisation=4))
        db.session.commit()
        client = login(person)
        statements, page = cold_statements(app, client, "/my/events")
        assert f"Coming {size - 1}" in page
        assert len(statements) == 4, "\n".join(s[:90] for s in statements)
        statements, page = cold_statements(app, client, "/my/events?show=past")
        # Feedback offered for every attended event but the one that has it.
        assert page.count("Give feedback") == size - 1
    finally:
        set_now(None)
