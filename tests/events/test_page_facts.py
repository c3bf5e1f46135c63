"""The event page's per-event facts (app.events.page_facts): read with the event, kept for that
request only, and never stale — a box that skips its query because of a fact shows a change at the
next request, with the caches on."""

from __future__ import annotations

from app.events import page_facts
from app.extensions import db
from app.registrations.event_page import SEATS_TAKEN
from app.registrations.question_models import RegistrationQuestion
from app.registrations.questions import HAS_QUESTIONS


class Visitor:
    is_authenticated = False
    id = None


def test_facts_are_known_for_the_page_s_event_and_request_only(app, make):
    event, other = make.event(capacity=5), make.event()
    make.registration(event, make.user())
    with app.test_request_context(f"/events/{event.id}"):
        assert page_facts.known(event.id, SEATS_TAKEN) is page_facts.UNKNOWN
        assert page_facts.load_visible_or_404(event.id, Visitor()).id == event.id
        assert page_facts.known(event.id, SEATS_TAKEN) == 1
        assert page_facts.absent(event.id, HAS_QUESTIONS) is True
        assert page_facts.known(other.id, SEATS_TAKEN) is page_facts.UNKNOWN
        assert page_facts.absent(other.id, HAS_QUESTIONS) is False  # unknown: ask as usual
    with app.test_request_context(f"/events/{event.id}"):
        assert page_facts.known(event.id, SEATS_TAKEN) is page_facts.UNKNOWN


def test_a_question_added_shows_at_the_next_request_with_the_caches_on(login, make):
    event = make.event()
    client = login(make.user())
    assert 'name="q' not in client.get(f"/events/{event.id}").get_data(as_text=True)
    db.session.add(RegistrationQuestion(event_id=event.id, label="Passport number", position=1))
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Passport number" in page and 'name="q' in page
