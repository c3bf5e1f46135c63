""""My events" built afresh in a fixed number of statements, whatever the number of registrations:
the signed-in user, the registrations (with whether each has its feedback and whether its event has
a knowledge check and offers a certificate), the session sign-ups and the open invitations in one statement, the waiting-list
places, and the tests of the recent events only when one of them has a test (which events: from the
registrations read, no statement of its own): 3 statements here (8, then 7, then 4 before: the
sign-ups, the invitations and the recent events' ids each had their own, then the tests were asked
for whenever a recent event was attended)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.learning import banks
from app.learning.models import CheckKind, QuestionKind
from app.registrations.models import Feedback
from app.timeutil import set_now
from tests.querycount import cold_statements

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("size", [2, 12])
def test_my_events_cold_in_three_statements(app, make, login, size):
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
        assert len(statements) == 3, "\n".join(s[:90] for s in statements)
        statements, page = cold_statements(app, client, "/my/events?show=past")
        # Feedback offered for every attended event but the one that has it.
        assert page.count("Give feedback") == size - 1
    finally:
        set_now(None)


def test_the_tests_box_asks_for_tests_only_when_a_recent_event_has_one(app, make, login):
    set_now(NOW)
    try:
        person, organiser = make.user(), make.user(role="organiser")
        make.registration(make.event("Attended seminar", starts_at=NOW - timedelta(days=3)), person, checked_in=True)
        training = make.event("Tracing training", starts_at=NOW + timedelta(minutes=30), kind="training",
                              organisers=[organiser], created_by=organiser)
        make.registration(training, person)
        db.session.commit()
        client = login(person)
        statements, page = cold_statements(app, client, "/my/events")
        assert len(statements) == 2, "\n".join(s[:90] for s in statements)  # the user, "my events"
        assert "Take the pre-test" not in page
        check = banks.create_check(training, None, CheckKind.PRE, organiser)
        statements, page = cold_statements(app, client, "/my/events")
        assert len(statements) == 2 and "Take the pre-test" not in page  # a test without questions
        banks.add_question(check, QuestionKind.SINGLE, "Which hash follows the funds?", 1, "*Transaction\nBlock",
                           organiser)
        db.session.commit()
        statements, page = cold_statements(app, client, "/my/events")
        assert len(statements) == 4, "\n".join(s[:90] for s in statements)  # and the tests, their events
        assert "Take the pre-test: Tracing training" in page
    finally:
        set_now(None)
