"""An organiser's feed polled as the personal feed is (app.calendar.organiser_polls): the owner found
by the token and the feed's fingerprint in one statement, computed on every poll (not kept under
the change stamps), the ETag always organiser_fingerprint's of what the owner manages and sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.services import regenerate_calendar_token
from app.calendar import feeds as calendar_feeds
from app.calendar import organiser_polls
from app.extensions import db
from app.timeutil import set_now
from tests.calendar.test_feed_cache import _selects, _uids, polls_cost_one_statement

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_guesses():
    organiser_polls.guesses.forget()
    yield
    organiser_polls.guesses.forget()


def _expected_etag(client, owner) -> str:
    with client.application.test_request_context("/"):
        return f'"{calendar_feeds.organiser_fingerprint(db.session.get(type(owner), owner.id)).etag}"'


@pytest.mark.parametrize("caches", ["on", "off"])
@pytest.mark.parametrize("who", ["organiser", "coordinator", "admin", "unconfirmed"])
def test_a_poll_reads_the_owner_and_the_fingerprint_in_one_statement(client, make, cal, request, who, caches):
    """The first poll of an owner of another shape than an organiser's (a coordinator manages every
    event, an admin also sees every draft, an unconfirmed account is a visitor) reads the
    fingerprint again on its own; the next ones guess right. The feed holds what the owner manages and may see."""
    if caches == "off":
        request.getfixturevalue("cold")
    set_now(NOW)
    owner = make.user(role="organiser" if who == "unconfirmed" else who,
                      **({"email_confirmed_at": None} if who == "unconfirmed" else {}))
    own_draft = make.event(starts_at=NOW + timedelta(days=4), created_by=owner, status="draft")
    their_draft = make.event(starts_at=NOW + timedelta(days=5), status="draft")
    theirs = make.event(starts_at=NOW + timedelta(days=6))
    own_draft, their_draft, theirs = (f"{event.uid}@liaison.test" for event in (own_draft, their_draft, theirs))
    url = f"/calendar/feed/{owner.calendar_token}/organised.ics"
    with cal.count_queries() as statements:
        first = client.get(url, headers={"If-None-Match": '"none"'})
    assert first.status_code == 200 and first.headers["ETag"] == _expected_etag(client, owner)
    # The owner with the fingerprint (again on its own when the shape was not an organiser's), the events.
    assert _selects(statements) == (2 if who == "organiser" else 3), statements
    polls_cost_one_statement(client, cal, url, first.headers["ETag"])
    shown = _uids(first.data)
    assert (own_draft in shown) == (who != "unconfirmed")  # unconfirmed: as a visitor, managing nothing
    assert (their_draft in shown) == (who == "admin")
    assert (theirs in shown) == (who in ("coordinator", "admin"))


def test_an_edit_of_a_managed_event_changes_the_etag_and_others_do_not(client, make):
    set_now(NOW)
    organiser = make.user(role="organiser")
    mine = make.event("Border workshop", starts_at=NOW + timedelta(days=4), created_by=organiser)
    other = make.event("Someone else's", starts_at=NOW + timedelta(days=5))
    url = f"/calendar/feed/{organiser.calendar_token}/organised.ics"
    etag = client.get(url).headers["ETag"]
    set_now(NOW + timedelta(minutes=1))
    other.title = "Someone else's, renamed"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    mine.title = "Border workshop, moved online"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"moved online" in changed.data
    assert changed.headers["ETag"] == _expected_etag(client, organiser) != etag


def test_a_member_an_unknown_or_revoked_token_and_an_inactive_owner_get_404_in_one_statement(client, make, cal):
    set_now(NOW)
    organiser, member = make.user(role="organiser"), make.user()
    url = f"/calendar/feed/{organiser.calendar_token}/organised.ics"
    etag = client.get(url).headers["ETag"]
    organiser.is_active_account = False
    db.session.commit()
    for path in (url, f"/calendar/feed/{member.calendar_token}/organised.ics", "/calendar/feed/nobody/organised.ics"):
        with cal.count_queries() as statements:
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 404
        assert _selects(statements) == 1, path
    assert client.get(f"/calendar/feed/{'x' * 65}/organised.ics").status_code == 404
    organiser.is_active_account = True
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    regenerate_calendar_token(organiser)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_an_organisers_events_by_ids_are_those_organised_clause_selects(app, make):
    """managed_clause_of(..., by_ids=True), which the feed reads by: created, co-organised, both."""
    from sqlalchemy import select

    from app.events.access import managed_clause_of
    from app.events.models import Event

    organiser, colleague = make.user(role="organiser"), make.user(role="organiser")
    make.event("Created", created_by=organiser)
    make.event("Co-organised", created_by=colleague, organisers=[organiser])
    make.event("Both", created_by=organiser, organisers=[organiser, colleague])
    make.event("Not theirs", created_by=colleague, organisers=[colleague])
    make.event("Nobody's")
    for user in (organiser, colleague):
        ids = [set(db.session.scalars(select(Event.id).where(managed_clause_of("own", user.id, by_ids=by_ids))))
               for by_ids in (False, True)]
        assert ids[0] == ids[1] and len(ids[0]) == 3
