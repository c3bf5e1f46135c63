"""The participant list built from nothing (every cache off): its statements are pinned, and the rows
written in Python show what the template showed (answers in the questions' order, sensitive ones and
needs only for the event's own organisers, every value escaped)."""

from __future__ import annotations

import re

import pytest

from app.cache import fragments
from app.calendar.models import CalendarReply, ReplyOutcome
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.question_models import RegistrationAnswer
from app.registrations.questions import QuestionData, save_question
from tests.querycount import cold_statements, without_literals


def _row_of(page: str, name: str) -> str:
    start = page.index(f"aria-label=\"Select {name}\"")
    return page[start:page.index("</tr>", start)]


def _event(make, organiser):
    event = make.event("Study visit", created_by=organiser, organisers=[organiser])
    people = [make.user(name="Ana <b>Sousa</b>", country="UA"), make.user(name="Ion Rusu")]
    for person in people:
        db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                    dietary_needs="Vegan & no nuts"))
    db.session.commit()
    return event


def test_participant_list_without_questions_asks_three_statements(app, db, make, login, cold):
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    statements, page = cold_statements(app, login(organiser), f"/events/{event.id}/participants")
    # The viewer, the event, the rows with the facets (which say the event asks no questions and has no
    # calendar replies: neither its questions, answers nor replies are read).
    assert len(statements) == 3, statements
    assert not any("registration_answers" in without_literals(statement)
                   or statement.startswith("SELECT registration_questions.")
                   or statement.startswith("SELECT calendar_replies.")
                   for statement in statements)
    ana = _row_of(page, "Ana &lt;b&gt;Sousa&lt;/b&gt;")
    assert "<td>Ukraine</td>" in ana and "<td>Participant</td>" in ana and "<td>Confirmed</td>" in ana
    assert "<div>Diet: Vegan &amp; no nuts</div>" in ana


def test_participant_list_shows_answers_by_who_may_see_them(app, db, make, login, cold):
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    passport = save_question(event, QuestionData("Passport number", "document_number", is_sensitive=True), organiser)
    nationality = save_question(event, QuestionData("Nationality", "country"), organiser)
    ana = db.session.scalar(db.select(Registration).join(Registration.user).where(
        Registration.event_id == event.id).order_by(Registration.id))
    db.session.add_all([RegistrationAnswer(registration_id=ana.id, question_id=passport.id, value="FE<123>"),
                        RegistrationAnswer(registration_id=ana.id, question_id=nationality.id, value="RO")])
    db.session.commit()
    statements, page = cold_statements(app, login(organiser), f"/events/{event.id}/participants")
    # ... and with questions, the questions and the page's answers.
    assert len(statements) == 5, statements
    answers = _row_of(page, "Ana &lt;b&gt;Sousa&lt;/b&gt;").split('data-testid="answers">')[1]
    assert answers.startswith("<div>Passport number: FE&lt;123&gt;</div><div>Nationality: Romania</div></td>")
    coordinator_page = login(make.user(role="coordinator")).get(f"/events/{event.id}/participants").get_data(as_text=True)
    coordinator_row = _row_of(coordinator_page, "Ana &lt;b&gt;Sousa&lt;/b&gt;")
    assert "FE&lt;123&gt;" not in coordinator_row and "Vegan" not in coordinator_row
    assert "<div>Nationality: Romania</div>" in coordinator_row


@pytest.mark.parametrize("query", ["", "?status=waitlisted", "?q=waits", "?status=confirmed"])
def test_the_rows_and_counts_are_the_same_read_at_once_or_kept(app, db, make, login, monkeypatch, query):
    """With every cache off the facets and the rows are one statement; kept, two entries: the same
    page either way (the waiting-list places, the counts, the total)."""
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    for name in ("Waits First", "Waits Second"):
        make.registration(event, make.user(name=name), status="waitlisted")
    client = login(organiser)
    url = f"/events/{event.id}/participants{query}"
    client.get(url)  # the welcome
    kept = _without_tokens(client.get(url).get_data(as_text=True))
    monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
    monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
    statements, cold = cold_statements(app, client, url)
    assert len(statements) == 3, statements
    assert _without_tokens(cold) == kept
    assert ">On the waiting list (2)<" in cold
    assert ("On the waiting list #2" in cold) == (query != "?status=confirmed")


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]*"', "", page)


def test_a_question_added_after_the_list_was_seen_shows_its_answers(db, make, login):
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    client = login(organiser)
    url = f"/events/{event.id}/participants"
    assert "Nationality" not in client.get(url).get_data(as_text=True)  # remembered: no questions
    nationality = save_question(event, QuestionData("Nationality", "country"), organiser)
    registration = db.session.scalar(db.select(Registration).where(Registration.event_id == event.id)
                                     .order_by(Registration.id))
    db.session.add(RegistrationAnswer(registration_id=registration.id, question_id=nationality.id, value="RO"))
    db.session.commit()
    assert "<div>Nationality: Romania</div>" in client.get(url).get_data(as_text=True)


def _reply(event, registration_id: int, outcome: ReplyOutcome, number: int) -> None:
    db.session.add(CalendarReply(message_id=f"<reply-{event.id}-{number}@mail.example.org>", received_at=event.starts_at,
                                 from_address="someone@example.org", outcome=outcome, event_id=event.id,
                                 registration_id=registration_id))
    db.session.commit()


def test_calendar_replies_are_read_only_for_an_event_that_has_some(app, db, make, login, cold):
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    registration_id = db.session.scalar(db.select(Registration.id).where(Registration.event_id == event.id))
    _reply(event, registration_id, ReplyOutcome.IGNORED_NO_MATCH, 1)  # not one an organiser is shown
    statements, page = cold_statements(app, login(organiser), f"/events/{event.id}/participants")
    assert len(statements) == 3 and 'data-testid="calendar-replies"' not in page
    _reply(event, registration_id, ReplyOutcome.APPLIED, 2)
    statements, page = cold_statements(app, login(organiser), f"/events/{event.id}/participants")
    assert len(statements) == 4 and statements[-1].startswith("SELECT calendar_replies."), statements
    assert 'data-testid="calendar-replies"' in page and "accepted in their calendar" in page


def test_a_reply_received_after_the_list_was_seen_shows(db, make, login):
    organiser = make.user(role="organiser")
    event = _event(make, organiser)
    client = login(organiser)
    url = f"/events/{event.id}/participants"
    assert 'data-testid="calendar-replies"' not in client.get(url).get_data(as_text=True)  # remembered: none
    registration_id = db.session.scalar(db.select(Registration.id).where(Registration.event_id == event.id))
    _reply(event, registration_id, ReplyOutcome.PENDING_CONFIRMATION, 1)
    assert "decline pending confirmation" in client.get(url).get_data(as_text=True)
