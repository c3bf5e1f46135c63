"""A signed-in viewer's registration, open invitation and sign-ups are read with the event in the
event page's first statement (registrations.event_page.VIEWER through events.page_facts): one
statement fewer than when the registration box read them on its own, and the same page. A visitor's
first statement joins nothing; an organiser's counts per status come in a statement of their own."""

from __future__ import annotations

import pytest

from app.events import page_facts
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Invitation
from app.timeutil import now
from tests.querycount import QueryCounter
from tests.rendering import without_token_times

# What the registration box shows for each state (the viewer's registration, invitation, sign-ups).
MARKS = {
    "not registered": "Join the waiting list</button>",
    "confirmed": "You are registered as",
    "waitlisted": 'data-testid="waitlist-position">1<',
    "pending": "Pending approval",
    "cancelled": "Your earlier registration is cancelled.",
    "rejected": "Not accepted",
    "invited by account": "Answer the invitation",
    "invited by address": "Answer the invitation",
    "signed up": "Signed up",
    "on a session's waiting list": "Waiting list: 1",
}


def _event_and_viewer(make, state: str):
    """An event with two sessions with sign-up (one full) and a viewer in `state`."""
    event = make.event(capacity=1)
    full, other = (make.session(event, title=title, has_signup=True, capacity=1) for title in ("Full", "Other"))
    make.registration(event, make.user())  # the event's one seat
    make.signup(full, make.user())
    viewer = make.user()
    if state in ("confirmed", "waitlisted", "pending", "cancelled", "rejected"):
        make.registration(event, viewer, status=state, waitlisted_at=now() if state == "waitlisted" else None)
    elif state.startswith("invited"):
        db.session.add(Invitation(event_id=event.id, email=viewer.email, token=f"token-{viewer.id}",
                                  user_id=viewer.id if state == "invited by account" else None))
        db.session.commit()
    elif state == "signed up":
        make.registration(event, viewer)
        make.signup(other, viewer)
        make.signup(full, viewer, status="cancelled")
    elif state == "on a session's waiting list":
        make.registration(event, viewer)
        make.signup(full, viewer, status="waitlisted")
    return event.id, viewer


def _page(client, event_id: int) -> tuple[int, str, list[str]]:
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return counter.count, without_token_times(response.get_data(as_text=True)), counter.statements


@pytest.mark.parametrize("state", sorted(MARKS))
def test_a_member_s_page_reads_their_facts_with_the_event_one_statement_fewer(cold, login, make, monkeypatch,
                                                                               state):
    event_id, viewer = _event_and_viewer(make, state)
    client = login(viewer)
    client.get(f"/events/{event_id}")  # the sign-in's welcome shown
    count, page, statements = _page(client, event_id)
    assert MARKS[state] in page
    assert "viewer_registration" in next(s for s in statements if "co_organises" in s)
    # Without the viewer facts registered: the box's own statement, and the same page.
    monkeypatch.setattr(page_facts, "_viewer_facts", {})
    alone, page_alone, _statements = _page(client, event_id)
    assert (count, page) == (alone - 1, page_alone)


def test_a_visitor_s_first_statement_joins_no_viewer_s_row(cold, client, make):
    event_id, _person = _event_and_viewer(make, "confirmed")
    _count, page, statements = _page(client, event_id)
    assert "Sign in to register" in page
    assert not any("viewer_registration" in statement for statement in statements)


def test_an_organiser_s_counts_keep_their_own_statement(cold, login, make):
    event_id, _person = _event_and_viewer(make, "not registered")
    organiser = make.user()
    db.session.get(Event, event_id).organisers = [organiser]
    db.session.commit()
    _count, page, statements = _page(login(organiser), event_id)
    assert "Confirmed 1 · waiting 0 · pending 0 · attended 0" in page
    # Their registration read with the event, the counts per status in a statement of their own.
    assert "viewer_registration" in next(s for s in statements if "co_organises" in s)
    assert [s for s in statements if "status_tally" in s or s.startswith("SELECT registrations.id")] == [
        next(s for s in statements if "status_tally" in s)]
