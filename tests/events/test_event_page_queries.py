"""A cold event page (every cache off) reads what it shows in a fixed number of statements, whatever
the number of organisers, projects, themes, sessions, speakers and lessons, and whatever the viewer
(issue 19): the event's first statement also reads whether it co-organises it and the facts the boxes
of the packages above need (app.events.page_facts), so a box with nothing to show asks nothing."""

from __future__ import annotations

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

# A signed-in member, not registered, on an upcoming event: the user (with the stamps), the event
# (with whether they co-organise it, the seats taken and the page facts), their registration with an
# open invitation's id, the event's people, projects, themes and sessions with speakers (one UNION,
# app.events.page_main), and the session sign-up counts with the viewer's sign-ups. SQLite adds its
# BEGIN. (Before issue 19: 18; after issues 22/23 added boxes: 12; then 6; now 5.)
COLD_EVENT_PAGE_STATEMENTS = 5

# The same event seen by a visitor: no user, no registration; the sign-up counts alone.
ANONYMOUS_STATEMENTS = 3

# The worst case: a training event with certificate settings, a pre- and a post-test, a call for
# contributions, registration questions, travel settings and a lesson (the certificate rule and the
# travel flags are read with the event).
#   visitor: the event, the main column, the lessons box, the sign-up counts
#   member not registered: + the user, their registration, the call's panel, the form's questions
#   confirmed participant: + the user, their registration, the call's panel, their tests
#   organiser: + the user, their registration with the counts per status, the call's panel, the questions
WORST_CASE = {"anonymous": 4, "member": 8, "participant": 8, "organiser": 8}


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
