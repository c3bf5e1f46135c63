"""Feed fingerprints and the rendered-feed cache: an unchanged feed costs one statement (304 or a
cached body: the user by token with the fingerprint's aggregate), and every change a subscriber
must see changes the ETag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.services import regenerate_calendar_token, update_profile
from app.calendar import feeds as calendar_feeds
from app.calendar import public_reads
from app.events import planning as event_services
from app.extensions import db
from app.registrations import cancelling, register
from app.timeutil import set_now
from tests.calendar.parsers import libical, vobject_parse

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _uids(body: bytes) -> set[str]:
    uids = {e["uid"] for e in vobject_parse(body)[0]["events"]}
    assert {e["uid"] for e in libical(body)[0]["events"]} == uids
    return uids


class Subscriber:
    """A calendar program polling one feed with If-None-Match, as real ones do."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        first = client.get(url)
        assert first.status_code == 200
        self.etag, self.body = first.headers["ETag"], first.data

    def poll(self):
        response = self.client.get(self.url, headers={"If-None-Match": self.etag})
        if response.status_code == 200:
            assert response.headers["ETag"] != self.etag
            self.etag, self.body = response.headers["ETag"], response.data
        return response.status_code


def _later(minutes: int) -> None:
    set_now(NOW + timedelta(minutes=minutes))


@pytest.fixture
def setup(client, make, cal):
    set_now(NOW)
    organiser = make.user(role="organiser")
    user = make.user()
    event = make.event(starts_at=NOW + timedelta(days=5), created_by=organiser, capacity=10)
    make.registration(event, user)
    feed = Subscriber(client, f"/calendar/feed/{user.calendar_token}.ics")
    assert feed.poll() == 304
    return organiser, user, event, feed


def test_a_new_registration_changes_the_personal_feed(setup, make):
    organiser, user, _event, feed = setup
    other = make.event(starts_at=NOW + timedelta(days=9), created_by=organiser, capacity=10)
    _later(1)
    outcome = register.register(other, user, consent=True)
    assert outcome.ok, outcome
    assert feed.poll() == 200
    assert f"{other.uid}@liaison.test" in _uids(feed.body)
    assert feed.poll() == 304


def test_cancelling_a_registration_changes_the_personal_feed(setup):
    _organiser, user, event, feed = setup
    from app.registrations.models import Registration

    registration = db.session.query(Registration).filter_by(event_id=event.id, user_id=user.id).one()
    _later(1)
    assert cancelling.cancel_registration(registration, user).ok
    assert feed.poll() == 200
    assert _uids(feed.body) == set()


def test_editing_the_event_changes_the_personal_feed(setup):
    _organiser, _user, event, feed = setup
    _later(1)
    event.title = "Moved to the blue room"
    db.session.commit()
    assert feed.poll() == 200
    assert "Moved to the blue room" in feed.body.decode()
    assert feed.poll() == 304


def test_cancelling_the_event_changes_the_personal_and_public_feeds(setup, client):
    organiser, _user, event, feed = setup
    public = Subscriber(client, "/calendar/public.ics")
    assert f"{event.uid}@liaison.test" in _uids(public.body)
    _later(1)
    event_services.cancel(organiser, event, "Venue flooded")
    assert feed.poll() == 200
    assert "STATUS:CANCELLED" in feed.body.decode()
    assert public.poll() == 200
    assert _uids(public.body) == set()


def test_a_new_session_signup_and_a_session_edit_change_the_personal_feed(setup, make, cal):
    _organiser, user, event, feed = setup
    session = make.session(event, title="Lab")
    _later(1)
    make.signup(session, user)
    assert feed.poll() == 200
    assert f"session-{session.uid}@liaison.test" in _uids(feed.body)
    _later(2)
    session.title = "Lab, second floor"
    db.session.commit()
    assert feed.poll() == 200
    assert "Lab\\, second floor" in feed.body.decode()


def test_regenerating_the_token_and_changing_preferences_change_the_feed(setup, client, make, cal):
    organiser, user, _event, feed = setup
    waiting = make.event(starts_at=NOW + timedelta(days=7), created_by=organiser)
    make.registration(waiting, user, "waitlisted")
    feed.poll()  # the waitlisted registration is not shown, but the fingerprint may move: settle
    assert f"{waiting.uid}@liaison.test" not in _uids(feed.body)
    assert feed.poll() == 304

    _later(1)
    update_profile(user, calendar_include_waitlisted=True)
    assert feed.poll() == 200
    assert f"{waiting.uid}@liaison.test" in _uids(feed.body)

    old_etag = feed.etag
    token = regenerate_calendar_token(user)
    assert feed.poll() == 404  # the old address is gone, cached body or not
    fresh = client.get(f"/calendar/feed/{token}.ics", headers={"If-None-Match": old_etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != old_etag


def test_a_renamed_user_gets_a_new_feed(setup):
    _organiser, user, _event, feed = setup
    _later(1)
    update_profile(user, name="Renamed Person")
    assert feed.poll() == 200
    assert "Renamed Person" in feed.body.decode()


def test_public_feed_changes_with_a_new_published_event_and_filters_are_separate(client, make):
    set_now(NOW)
    make.event(starts_at=NOW + timedelta(days=3), kind="workshop")
    everything = Subscriber(client, "/calendar/public.ics")
    trainings = Subscriber(client, "/calendar/public.ics?kind=training")
    assert everything.etag != trainings.etag
    assert _uids(trainings.body) == set()
    _later(1)
    training = make.event(starts_at=NOW + timedelta(days=4), kind="training")
    assert everything.poll() == 200 and trainings.poll() == 200
    assert _uids(trainings.body) == {f"{training.uid}@liaison.test"}
    draft = make.event(starts_at=NOW + timedelta(days=6), kind="training", status="draft")
    assert draft.id
    assert trainings.poll() == 304  # a draft never reaches the public feed


def _selects(statements: list[str]) -> int:
    """Statements other than SQLite's BEGIN (PostgreSQL's is not a cursor statement)."""
    return sum(1 for statement in statements if not statement.lstrip().upper().startswith("BEGIN"))


def polls_cost_one_statement(client, cal, url: str, etag: str) -> None:
    """Two polls of an unchanged feed (a fresh session each: nothing known), each answered 304 after
    one statement."""
    for _ in range(2):
        db.session.expunge_all()
        with cal.count_queries() as statements:
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert _selects(statements) == 1, statements


def test_an_unchanged_feed_costs_one_query_whatever_its_size(client, make, cal, monkeypatch):
    from tests.calendar.test_feeds import _fill

    set_now(NOW)
    small, large = make.user(), make.user()
    _fill(make, cal, small, 5)
    _fill(make, cal, large, 150)
    built = []
    real_build = calendar_feeds.personal_feed

    def counting_build(*args, **kwargs):
        built.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(calendar_feeds, "personal_feed", counting_build)
    counts = {}
    for user, size in ((small, 10), (large, 300)):
        url = f"/calendar/feed/{user.calendar_token}.ics"
        first = client.get(url)
        assert len(_uids(first.data)) == size
        with cal.count_queries() as not_modified:
            assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        builds = len(built)
        with cal.count_queries() as cached:
            again = client.get(url)
        assert again.status_code == 200 and again.data == first.data
        assert len(built) == builds  # served from the cache, not built again
        counts[size] = (_selects(not_modified), _selects(cached))
    # The user by token with the fingerprint, one statement (computed on every request, not kept
    # under the change stamps: app.calendar.views.personal_feed): nothing is read row by row, and
    # the body is found by its fingerprint, not built. On PostgreSQL a request holding no copy
    # reads the user, then the feed's listing, which gives the fingerprint and which a build reads.
    assert counts[10] == counts[300] == (1, 1 + (db.engine.dialect.name == "postgresql")), counts
    # The personal feeds above kept their events' rows in this worker, where the public feed finds
    # them too (app.calendar.public_reads): counted here is the public feed's first read of its own.
    public_reads.forget()
    with cal.count_queries() as public_small:
        client.get("/calendar/public.ics?kind=training")
    with cal.count_queries() as public_large:
        client.get("/calendar/public.ics")
    # Stamps, fingerprint, events (the empty feed with kind=training too); on PostgreSQL the full feed
    # reads its events' row versions, then the rows this worker has not read (app.calendar.public_reads).
    assert _selects(public_large) == _selects(public_small) + (db.engine.dialect.name == "postgresql") <= 4
    with cal.count_queries() as public_again:
        client.get("/calendar/public.ics")
    assert _selects(public_again) == 1


@pytest.mark.parametrize("caches", ["on", "off"])
def test_the_owners_language_time_zone_and_waitlist_setting_change_the_feed_at_once(setup, request, caches):
    """Changes to the owner's settings reach the feed at once, even within the same instant (the
    fingerprint names them; it does not count on updated_at having moved)."""
    _organiser, user, _event, feed = setup
    if caches == "off":
        request.getfixturevalue("cold")
    english = feed.body
    update_profile(user, language="uk")
    assert feed.poll() == 200
    assert feed.body != english and feed.poll() == 304
    etag = feed.etag
    update_profile(user, timezone="Europe/Kyiv")
    assert feed.poll() == 200 and feed.etag != etag
    etag = feed.etag
    update_profile(user, calendar_include_waitlisted=True)
    assert feed.poll() == 200 and feed.etag != etag
    assert feed.poll() == 304


def test_a_registration_confirmed_from_the_waiting_list_changes_the_feed(client, make):
    """Promoted from the waiting list, the event enters the feed of a subscriber who does not list
    waitlisted events, and turns from TENTATIVE to confirmed in one who does: either poll sees it."""
    set_now(NOW)
    organiser = make.user(role="organiser")
    event = make.event(starts_at=NOW + timedelta(days=5), created_by=organiser, capacity=1)
    seated = make.user()
    make.registration(event, seated)
    hidden, listed = make.user(), make.user(calendar_include_waitlisted=True)
    make.registration(event, hidden, "waitlisted")
    make.registration(event, listed, "waitlisted")
    feeds = {user.id: Subscriber(client, f"/calendar/feed/{user.calendar_token}.ics") for user in (hidden, listed)}
    assert _uids(feeds[hidden.id].body) == set() and "STATUS:TENTATIVE" in feeds[listed.id].body.decode()
    for user in (hidden, listed):
        assert feeds[user.id].poll() == 304
    from app.registrations.models import Registration

    for promoted in (hidden, listed):  # the first in line, then the second
        _later(1 if promoted is hidden else 2)
        ahead = db.session.query(Registration).filter_by(event_id=event.id, status="confirmed").one()
        assert cancelling.cancel_registration(ahead, db.session.get(type(promoted), ahead.user_id)).ok
        assert db.session.query(Registration).filter_by(event_id=event.id, user_id=promoted.id).one().status == "confirmed"
        feed = feeds[promoted.id]
        assert feed.poll() == 200
        assert _uids(feed.body) == {f"{event.uid}@liaison.test"} and "STATUS:TENTATIVE" not in feed.body.decode()
        assert feed.poll() == 304


@pytest.mark.parametrize("who", ["member", "waitlisted", "organiser", "coordinator", "admin", "unconfirmed"])
def test_a_poll_reads_the_user_and_the_fingerprint_in_one_statement(client, make, cal, who):
    """A poll's one statement finds the owner by token and computes the fingerprint of a reader of
    the shape the owner had at their last poll (the usual one the first time): for an owner of
    another shape the fingerprint is read again on its own, once; the ETag is always the fingerprint
    of what the owner sees (a draft their own to an organiser, every draft to an admin, waitlisted
    events to one who asked)."""
    set_now(NOW)
    role = who if who in ("organiser", "coordinator", "admin") else "member"
    owner = make.user(role=role, calendar_include_waitlisted=who == "waitlisted",
                      **({"email_confirmed_at": None} if who == "unconfirmed" else {}))
    draft = make.event(starts_at=NOW + timedelta(days=4), created_by=owner, status="draft")
    other_draft = make.event(starts_at=NOW + timedelta(days=5), status="draft")
    waiting = make.event(starts_at=NOW + timedelta(days=6), capacity=10)
    for event in (draft, other_draft):
        make.registration(event, owner)
    make.registration(waiting, owner, "waitlisted")
    own_draft, their_draft, waitlisted = (f"{event.uid}@liaison.test" for event in (draft, other_draft, waiting))
    url = f"/calendar/feed/{owner.calendar_token}.ics"
    first = client.get(url, headers={"If-None-Match": '"none"'})
    assert first.status_code == 200
    with client.application.test_request_context("/"):
        expected = calendar_feeds.personal_fingerprint(db.session.get(type(owner), owner.id), from_listing=False)
    assert first.headers["ETag"] == f'"{expected.etag}"'
    polls_cost_one_statement(client, cal, url, first.headers["ETag"])
    shown = _uids(first.data)
    assert (own_draft in shown) == (who != "unconfirmed")  # an unconfirmed account sees what visitors see
    assert (their_draft in shown) == (who == "admin")
    assert (waitlisted in shown) == (who == "waitlisted")


def test_an_inactive_owner_or_a_revoked_token_gets_404_on_a_poll(client, make, cal):
    set_now(NOW)
    owner = make.user()
    url = f"/calendar/feed/{owner.calendar_token}.ics"
    etag = client.get(url).headers["ETag"]
    owner.is_active_account = False
    db.session.commit()
    with cal.count_queries() as statements:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
    assert _selects(statements) == 1
    owner.is_active_account = True
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    regenerate_calendar_token(owner)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
