"""A cold event page (every cache off) reads what it shows in a fixed number of statements, whatever
the number of organisers, projects, themes, sessions, speakers and lessons, and whatever the viewer
(issue 19): the event's first statement also reads whether it co-organises it and the facts the boxes
of the packages above need (app.events.page_facts), so a box with nothing to show asks nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.cache import fragments
from app.certificates.models import CertificateSettings
from app.contributions.models import ContributionCall
from app.events.models import SessionSpeaker
from app.extensions import db
from app.learning import banks
from app.learning.models import CheckKind, QuestionKind
from app.registrations.question_models import RegistrationQuestion
from app.timeutil import now
from app.travel.models import TravelSettings
from tests.querycount import QueryCounter
from tests.rendering import without_token_times

# A signed-in member, not registered, on an upcoming event: the user (with the stamps), the event
# (with whether they co-organise it, the seats taken, the sessions' sign-up counts, the page facts
# and the viewer's facts: their registration, an open invitation's id and their sessions' sign-ups),
# the event's people, projects, themes and sessions with speakers (one UNION, app.events.page_main).
# SQLite adds its BEGIN. (Before issue 19: 18; after issues 22/23 added boxes: 12; then 6, 5, 4;
# now 3.)
COLD_EVENT_PAGE_STATEMENTS = 3

# The same event seen by a visitor: no user, no registration: the event and the main column.
ANONYMOUS_STATEMENTS = 2

# The same page for a visitor with the caches on, its parts kept: the event, with every table's
# change stamps in the same statement (a visitor has no user's row to bring them).
WARM_ANONYMOUS_STATEMENTS = 1

# The worst case: a training event with certificate settings, a pre- and a post-test, a call for
# contributions, registration questions, travel settings and a lesson (the certificate rule and the
# travel flags are read with the event).
#   visitor: the event (with the sign-up counts), the main column, the lessons box
#   member not registered: + the user, the call's panel, the form's questions (their registration
#     is read with the event)
#   confirmed participant: + the user, the call's panel, their tests (their registration and
#     sign-ups read with the event)
#   organiser: + the user, their registration with the counts per status, the call's panel, the questions
WORST_CASE = {"anonymous": 3, "member": 6, "participant": 6, "organiser": 7}


def _event(make, size: int, **kw):
    people = [make.user(organisation=make.organisation()) for _ in range(size)]
    event = make.event(organisers=people, created_by=people[0], **kw)
    event.projects = [make.project() for _ in range(size)]
    event.themes = [make.theme() for _ in range(size)]
    db.session.commit()
    for index in range(size * 2):
        session = make.session(event, title=f"Session {index}", has_signup=True, capacity=20)
        for person in people:
            db.session.add(SessionSpeaker(session_id=session.id, user_id=person.id))
        db.session.add(SessionSpeaker(session_id=session.id, external_name="Ana Popescu"))
    db.session.commit()
    return event


def _statements(client, event_id: int, *, contains: str | None = None) -> int:
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    if contains is not None:
        assert contains in response.get_data(as_text=True)
    return counter.count


def _expected(count: int) -> int:
    return count + (db.engine.dialect.name == "sqlite")


def test_a_cold_event_page_needs_the_same_few_statements_for_a_small_and_a_large_event(cold, login, make):
    member = make.user()
    client = login(member)
    small, large = _event(make, 1).id, _event(make, 4).id
    assert fragments.enabled() is False
    expected = _expected(COLD_EVENT_PAGE_STATEMENTS)
    assert _statements(client, small) == _statements(client, large) == expected


def test_a_visitor_s_cold_event_page_needs_fewer(cold, client, make):
    small, large = _event(make, 1).id, _event(make, 4).id
    assert _statements(client, small) == _statements(client, large) == _expected(ANONYMOUS_STATEMENTS)


def test_a_visitor_s_warm_event_page_reads_the_stamps_with_the_event(client, make):
    event_id = _event(make, 2).id
    assert fragments.enabled()
    first = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert _statements(client, event_id) == _expected(WARM_ANONYMOUS_STATEMENTS)
    again = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'name="csrf_token"' in first and without_token_times(again) == without_token_times(first)


def _everything(make, size: int):
    """A training event starting in 20 minutes (its pre-test open) with everything the page's boxes
    show: certificate settings, tests (of the event and of a session with sign-up), a call for
    contributions, registration questions, travel settings and a lesson."""
    event = _event(make, size, kind="training", starts_at=(now() + timedelta(minutes=20)).replace(microsecond=0))
    organiser = event.organisers[0]
    db.session.add(CertificateSettings(event_id=event.id, minimum_score=60, training_hours=Decimal("6.0")))
    db.session.add(ContributionCall(event_id=event.id, deadline_at=event.starts_at, intro="Bring a case"))
    for position in range(size):
        db.session.add(RegistrationQuestion(event_id=event.id, label=f"Question {position}", position=position))
    db.session.add(TravelSettings(event_id=event.id, logistics_enabled=True, letter_template="Dear {name}"))
    db.session.commit()
    for session_id in (None, event.sessions[0].id):
        pre = banks.create_check(event, session_id, CheckKind.PRE, organiser)
        banks.add_question(pre, QuestionKind.SINGLE, "Which identifier follows funds?", 1, "*A hash\nA phone", organiser)
        banks.copy_to_post(pre, organiser)
    make.lesson(event, organiser)
    db.session.commit()
    return event


@pytest.mark.parametrize("viewer", sorted(WORST_CASE))
def test_the_worst_case_event_page_stays_bounded_for_every_viewer(cold, app, client, login, make, viewer):
    small, large = _everything(make, 1), _everything(make, 3)
    marks = {"anonymous": "Sign in to register", "member": 'name="q', "participant": "data-testid=\"tests-box\"",
             "organiser": "data-testid=\"call-panel\""}
    if viewer != "anonymous":
        person = make.user()
        for event in (small, large):
            if viewer == "participant":
                make.registration(event, person)
                make.signup(event.sessions[0], person)
            elif viewer == "organiser":
                event.organisers = [*event.organisers, person]
        db.session.commit()
        client = login(person)
    ids = [small.id, large.id]
    counts = [_statements(client, event_id, contains=marks[viewer]) for event_id in ids]
    assert counts == [_expected(WORST_CASE[viewer])] * 2


def _box_session(page: str, session_id: int) -> str:
    """The session's line of the box, its forms' CSRF tokens blanked (they carry the second they were
    signed: two pages a second apart differ there)."""
    start = page.index(f'data-testid="session-{session_id}"')
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", page[start:page.index("</li>", start)])


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_sessions_sign_ups_read_with_the_event_show_as_the_box_s_own_statement_did(
        cold, app, client, login, make, signed_in):
    """The box's sessions take their confirmed counts and the viewer's own sign-ups from the
    event's first statement: the same box as the registration page's, which reads them itself."""
    event = make.event()
    full, half, empty = (make.session(event, title=title, has_signup=True, capacity=capacity)
                         for title, capacity in (("Full", 1), ("Half", 2), ("Empty", 5)))
    make.session(event, title="Plenary")
    viewer, other = make.user(), make.user()
    make.registration(event, viewer)
    make.registration(event, other)
    make.signup(full, other)
    make.signup(full, viewer, status="waitlisted")
    make.signup(half, viewer)
    make.signup(empty, viewer, status="cancelled")
    full, half, empty = full.id, half.id, empty.id
    if signed_in:
        client = login(viewer)
    event_id = event.id
    # (+1 for the viewer: their place on the full session's waiting list.)
    assert _statements(client, event_id) == _expected(COLD_EVENT_PAGE_STATEMENTS + 1 if signed_in else ANONYMOUS_STATEMENTS)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    own_page = client.get(f"/events/{event_id}/registration").get_data(as_text=True).replace(
        f'"/events/{event_id}/registration"', f'"/events/{event_id}"')  # the forms' way back
    for session_id in (full, half, empty):
        assert _box_session(page, session_id) == _box_session(own_page, session_id)
    assert "1/1 place" in _box_session(page, full) and "1/2 places" in _box_session(page, half)
    assert "0/5 places" in _box_session(page, empty)
    if signed_in:
        assert "Waiting list: 1" in _box_session(page, full) and "Signed up" in _box_session(page, half)
        assert "Signed up" not in _box_session(page, empty)
