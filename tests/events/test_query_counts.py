"""The events list, the month calendar and the event page issue the same number of queries whatever the data size."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from app.accounts.models import Role
from app.events.models import Event, SessionSpeaker
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@contextmanager
def count_queries():
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", _count)


def build(make, size: int):
    set_now(NOW)
    organisation = make.organisation()
    organiser = make.user(role=Role.ORGANISER, organisation=organisation)
    co_organisers = [make.user(role=Role.ORGANISER, organisation=organisation) for _ in range(3)]
    themes = [make.theme(empact_cycle="2026-2029") for _ in range(3)]
    projects = [make.project() for _ in range(3)]
    start = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)
    events = []
    for index in range(size):
        events.append(make.event(
            f"Event {index}", starts_at=start + timedelta(hours=index), days=3, created_by=organiser,
            organisers=co_organisers, country="UA", city="Kyiv", host_organisation_id=organisation.id,
            timezone="Europe/Kyiv", capacity=500,
        ))
        events[-1].themes = themes
        events[-1].projects = projects
    main = events[0]
    speakers = [make.user(organisation=make.organisation()) for _ in range(3)]
    for index in range(size):
        item = make.session(main, f"Session {index}", starts_at=main.starts_at + timedelta(minutes=30 * index),
                            hours=0.5, room=f"Room {index}")
        for position, speaker in enumerate(speakers):
            db.session.add(SessionSpeaker(session_id=item.id, user_id=speaker.id, position=position))
        db.session.add(SessionSpeaker(session_id=item.id, external_name=f"Guest {index}", external_organisation="Europol"))
        participant = make.user()
        db.session.add(Registration(event_id=main.id, user_id=participant.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    viewer = make.user(role=Role.MEMBER, timezone="America/New_York")
    return main.id, viewer


@pytest.mark.parametrize("path", ["/events", "/events/calendar?year=2026&month=10", "/events/{id}", "/"])
def test_pages_issue_a_bounded_number_of_queries(app, make, login, path):
    counts = []
    for size in (3, 60):
        from tests.conftest import _clean

        db.session.rollback()
        _clean(app)
        event_id, viewer = build(make, size)
        client = login(viewer)
        url = path.format(id=event_id)
        client.get(url)  # warm caches
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        if "{id}" in path:
            assert f"Session {size - 1}" in body and f"Guest {size - 1}" in body
        counts.append(len(statements))
    set_now(None)
    assert counts[0] == counts[1], counts
    # Other capabilities add their boxes to the event page; the point is that nothing grows with data.
    assert counts[1] <= 30, counts


def _event_page_statements(client, event_id):
    client.get(f"/events/{event_id}")  # warm caches
    with count_queries() as statements:
        response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return [" ".join(s.split()) for s in statements]


# The event page's own questions, each asked once per request (issue 9: it used to ask the organiser
# check up to five times, the seat count and the viewer's registration twice each).
@pytest.mark.parametrize("viewer_kind, limit", [("anonymous", 10), ("member", 15), ("participant", 14), ("organiser", 15)])
def test_event_page_asks_each_question_once(app, make, login, client, viewer_kind, limit):
    event_id, member = build(make, 5)
    event = db.session.get(Event, event_id)
    event.online_url = "https://meet.example/room"
    if viewer_kind == "participant":
        db.session.add(Registration(event_id=event_id, user_id=member.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    if viewer_kind == "anonymous":
        web = client
    elif viewer_kind == "organiser":
        web = login(event.organisers[0])  # a co-organiser: the EXISTS check is needed
    else:
        web = login(member)
    statements = _event_page_statements(web, event_id)
    set_now(None)
    organiser_checks = [s for s in statements if s.startswith("SELECT EXISTS (SELECT * FROM event_organisers WHERE")]
    seat_counts = [s for s in statements if s.startswith("SELECT count(registrations.id)") and "registrations.role IN" in s]
    # Read with the event (events.page_facts' viewer facts): an organiser's counts per status come on their own.
    my_registration = [s for s in statements if "viewer_registration.id" in s
                       or (s.startswith("SELECT registrations.id") and "registrations.user_id" in s)]
    # Asked at most once; the answers are remembered until the tables they read change
    # (app.cache), so the warmed page may not ask at all.
    assert len(organiser_checks) <= (0 if viewer_kind == "anonymous" else 1), organiser_checks
    assert len(seat_counts) <= 1, seat_counts
    assert len(my_registration) == (0 if viewer_kind == "anonymous" else 1), my_registration
    # Other capabilities add their boxes to the page; this is today's total — lower it when you can.
    assert len(statements) <= limit, "\n".join(statements)


def test_organiser_check_is_memoised_per_request_only(app, make):
    """Outside a request (services, CLI) the answer is never cached: a new co-organiser counts at once."""
    from app.events.access import is_organiser_of

    set_now(NOW)
    creator = make.user(role=Role.ORGANISER)
    other = make.user(role=Role.ORGANISER)
    event = make.event(created_by=creator)
    assert not is_organiser_of(other, event)
    event.organisers = [other]
    db.session.commit()
    assert is_organiser_of(other, event)
    with app.test_request_context("/"):
        with count_queries() as statements:
            assert is_organiser_of(other, event) and is_organiser_of(other, event)
        assert len(statements) <= 2  # the change stamps (app.cache) and the question, once
    event.organisers = []
    db.session.commit()
    with app.test_request_context("/"):
        assert not is_organiser_of(other, event)  # the next request sees the change at once
    with app.test_request_context("/", method="POST"):
        with count_queries() as statements:
            assert not is_organiser_of(other, event)
        assert len(statements) == 1  # a form submission always asks the database
    set_now(None)
