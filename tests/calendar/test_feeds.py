"""Subscription feeds: personal (secret token), organiser, public; caching; bounded queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.accounts.services import regenerate_calendar_token
from app.calendar import public_reads
from app.extensions import db
from app.timeutil import set_now
from tests.calendar.parsers import libical, parse_all, vobject_parse

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _uids(body: bytes) -> set[str]:
    uids = {e["uid"] for e in vobject_parse(body)[0]["events"]}
    assert {e["uid"] for e in libical(body)[0]["events"]} == uids
    return uids


def uid(item, prefix="") -> str:
    return f"{prefix}{item.uid}@liaison.test"


def test_personal_feed_holds_confirmed_events_and_signed_up_sessions_only(client, make, cal):
    set_now(NOW)
    user = make.user(timezone="Asia/Tbilisi")
    organiser = make.user(role="organiser")
    confirmed = make.event("Тренінг з кібербезпеки", starts_at=NOW + timedelta(days=10), timezone="Europe/Kyiv",
                           online_url="https://meet.example.org/kyiv", created_by=organiser)
    waitlisted = make.event("Waitlisted workshop", starts_at=NOW + timedelta(days=20))
    pending = make.event("Pending approval", starts_at=NOW + timedelta(days=21))
    cancelled_registration = make.event("I cancelled", starts_at=NOW + timedelta(days=22))
    cancelled_event = make.event("Cancelled by organisers", starts_at=NOW + timedelta(days=23), status="cancelled",
                                 cancellation_reason="Venue closed")
    not_mine = make.event("Someone else's", starts_at=NOW + timedelta(days=24))
    make.registration(confirmed, user)
    make.registration(waitlisted, user, "waitlisted")
    make.registration(pending, user, "pending")
    make.registration(cancelled_registration, user, "cancelled")
    make.registration(cancelled_event, user)
    make.registration(not_mine, make.user())
    signed = make.session(confirmed, "Hands-on lab")
    not_signed = make.session(confirmed, "Other track")
    waitlisted_session = make.session(confirmed, "Full lab")
    session_of_waitlisted_event = make.session(waitlisted, "Session of waitlisted event")
    make.signup(signed, user)
    make.signup(waitlisted_session, user, "waitlisted")
    make.signup(session_of_waitlisted_event, user)
    make.signup(not_signed, make.user())

    response = client.get(f"/calendar/feed/{user.calendar_token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    expected = {uid(confirmed), uid(cancelled_event), uid(signed, "session-")}
    for name, calendars in parse_all(response.data).items():
        assert calendars[0]["method"] == "PUBLISH", name
        events = {e["uid"]: e for e in calendars[0]["events"]}
        assert set(events) == expected, name
        assert events[uid(confirmed)]["status"] == "CONFIRMED"
        assert events[uid(confirmed)]["start"] == confirmed.starts_at
        assert events[uid(cancelled_event)]["status"] == "CANCELLED"
        assert events[uid(signed, "session-")]["related_to"] == uid(confirmed)
        # A published feed names no ATTENDEE (RFC 5546; libical rejects it): the description says.
        assert all(e["attendees"] == [] for e in events.values()), name
        assert "Your registration: confirmed" in events[uid(confirmed)]["description"], name
        assert "Your sign-up: confirmed" in events[uid(signed, "session-")]["description"], name
    assert "meet.example.org/kyiv" in response.data.decode().replace("\r\n ", "")

    # The preference adds waitlisted events and sign-ups as TENTATIVE.
    user.calendar_include_waitlisted = True
    db.session.commit()
    response = client.get(f"/calendar/feed/{user.calendar_token}.ics")
    for name, calendars in parse_all(response.data).items():
        events = {e["uid"]: e for e in calendars[0]["events"]}
        assert set(events) == expected | {
            uid(waitlisted), uid(waitlisted_session, "session-"), uid(session_of_waitlisted_event, "session-")
        }, name
        assert events[uid(waitlisted)]["status"] == "TENTATIVE"
        assert events[uid(waitlisted_session, "session-")]["status"] == "TENTATIVE"
        assert events[uid(session_of_waitlisted_event, "session-")]["status"] == "TENTATIVE"
        assert events[uid(waitlisted)]["attendees"] == [], name
        assert "Your registration: waiting list" in events[uid(waitlisted)]["description"], name
        assert "Your sign-up: waiting list" in events[uid(waitlisted_session, "session-")]["description"], name
        assert "Your registration: waiting list" in (
            events[uid(session_of_waitlisted_event, "session-")]["description"]), name
        assert "Your registration: confirmed" in events[uid(confirmed)]["description"], name


def test_waitlisted_entries_never_carry_the_online_link(client, make, cal):
    set_now(NOW)
    user = make.user(calendar_include_waitlisted=True)
    event = make.event(starts_at=NOW + timedelta(days=3), online_url="https://meet.example.org/hidden")
    make.registration(event, user, "waitlisted")
    body = client.get(f"/calendar/feed/{user.calendar_token}.ics").data.decode().replace("\r\n ", "")
    assert uid(event) in body
    assert "meet.example.org/hidden" not in body


def test_regenerating_the_token_kills_the_old_address(client, make, cal):
    user = make.user()
    old = user.calendar_token
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 200
    new = regenerate_calendar_token(user)
    assert new != old
    gone = client.get(f"/calendar/feed/{old}.ics")
    assert gone.status_code == 404
    assert old not in gone.get_data(as_text=True)
    assert "text/calendar" not in gone.headers["Content-Type"]
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200


def test_bad_tokens_and_inactive_accounts_get_404_revealing_nothing(client, make):
    user = make.user()
    for token in ("nope", "x" * 200, user.calendar_token[:-1], user.calendar_token.upper()):
        response = client.get(f"/calendar/feed/{token}.ics")
        assert response.status_code == 404, token
        assert user.email not in response.get_data(as_text=True)
    same_as_unknown = _without_csrf(client.get("/calendar/feed/unknown-token.ics").get_data(as_text=True))
    user.is_active_account = False
    db.session.commit()
    disabled = client.get(f"/calendar/feed/{user.calendar_token}.ics")
    assert disabled.status_code == 404
    assert _without_csrf(disabled.get_data(as_text=True)) == same_as_unknown


def _without_csrf(page: str) -> str:
    """The page with its CSRF token blanked: the token carries the second it was signed in, so two
    requests a second apart differ there and nowhere else."""
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', page)


def test_feed_never_shows_a_draft_even_with_a_registration(client, make, cal):
    user = make.user()
    draft = make.event("Secret draft", status="draft")
    make.registration(draft, user)
    make.signup(make.session(draft), user)
    assert _uids(client.get(f"/calendar/feed/{user.calendar_token}.ics").data) == set()


def test_organiser_feed_lists_managed_events_with_online_links(client, make):
    set_now(NOW)
    organiser = make.user(role="organiser")
    co = make.user(role="organiser")
    own = make.event("Own", created_by=organiser, online_url="https://meet.example.org/own",
                     starts_at=NOW + timedelta(days=5))
    co_organised = make.event("Co-organised", organisers=[organiser], created_by=co, starts_at=NOW + timedelta(days=6))
    own_draft = make.event("Own draft", created_by=organiser, status="draft", starts_at=NOW + timedelta(days=7))
    others_draft = make.event("Other's draft", created_by=co, status="draft", starts_at=NOW + timedelta(days=8))
    make.event("Unrelated", starts_at=NOW + timedelta(days=9))
    response = client.get(f"/calendar/feed/{organiser.calendar_token}/organised.ics")
    assert response.status_code == 200
    events = {e["uid"]: e for e in parse_all(response.data)["ical.js"][0]["events"]}
    assert set(events) == {uid(own), uid(co_organised), uid(own_draft)}
    assert events[uid(own_draft)]["status"] == "TENTATIVE"
    assert "meet.example.org/own" in response.data.decode().replace("\r\n ", "")

    coordinator = make.user(role="coordinator")
    seen = _uids(client.get(f"/calendar/feed/{coordinator.calendar_token}/organised.ics").data)
    assert uid(others_draft) not in seen and uid(own_draft) not in seen  # drafts stay with their authors
    member = make.user()
    assert client.get(f"/calendar/feed/{member.calendar_token}/organised.ics").status_code == 404
    assert client.get("/calendar/feed/wrong/organised.ics").status_code == 404


def test_public_feed_holds_published_events_and_takes_the_list_filters(client, make):
    set_now(NOW)
    project, theme = make.project("CYCLOPS"), make.theme("Cybercrime")
    from app.events.models import Event

    workshop_ua = make.event("Workshop UA", kind="workshop", country="UA", online_url="https://meet.example.org/x",
                             starts_at=NOW + timedelta(days=1))
    training_md = make.event("Training MD", kind="training", country="MD", starts_at=NOW + timedelta(days=2))
    webinar = make.event("Webinar", kind="webinar", country="GE", starts_at=NOW + timedelta(days=3))
    db.session.get(Event, webinar.id).projects = [project]
    db.session.get(Event, training_md.id).themes = [theme]
    db.session.commit()
    draft = make.event("Draft", status="draft", country="UA")
    cancelled = make.event("Cancelled", status="cancelled", country="UA")

    everything = client.get("/calendar/public.ics")
    assert everything.status_code == 200
    assert _uids(everything.data) == {uid(workshop_ua), uid(training_md), uid(webinar)}
    assert uid(draft) not in _uids(everything.data) and uid(cancelled) not in _uids(everything.data)
    assert "meet.example.org" not in everything.data.decode().replace("\r\n ", "")
    assert _uids(client.get("/calendar/public.ics?kind=workshop").data) == {uid(workshop_ua)}
    assert _uids(client.get("/calendar/public.ics?country=md").data) == {uid(training_md)}
    assert _uids(client.get(f"/calendar/public.ics?project={project.id}").data) == {uid(webinar)}
    assert _uids(client.get(f"/calendar/public.ics?theme={theme.id}").data) == {uid(training_md)}
    assert _uids(client.get("/calendar/public.ics?kind=training&country=UA").data) == set()
    # Values the events list ignores are ignored here too (never a 500).
    assert client.get("/calendar/public.ics?kind=bogus&project=abc&country=ZZZ").status_code == 200


def test_feeds_answer_304_when_nothing_changed_and_200_after_a_change(client, make, cal):
    set_now(NOW)
    user = make.user()
    event = make.event(starts_at=NOW + timedelta(days=4))
    make.registration(event, user)
    url = f"/calendar/feed/{user.calendar_token}.ics"
    first = client.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified
    assert "private" in first.headers["Cache-Control"]
    set_now(NOW + timedelta(minutes=30))  # DTSTAMP moves with the clock; the ETag must not
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304

    set_now(NOW + timedelta(hours=1))
    event.title = "Moved to another room"
    event.sequence += 1
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200

    public = client.get("/calendar/public.ics")
    assert "public" in public.headers["Cache-Control"]
    assert client.get("/calendar/public.ics", headers={"If-None-Match": public.headers["ETag"]}).status_code == 304


def test_cancelling_a_registration_changes_the_feed_for_if_modified_since(client, make, cal):
    set_now(NOW)
    user = make.user()
    event = make.event(starts_at=NOW + timedelta(days=4))
    registration = make.registration(event, user)
    url = f"/calendar/feed/{user.calendar_token}.ics"
    last_modified = client.get(url).headers["Last-Modified"]
    set_now(NOW + timedelta(hours=2))
    registration.status = "cancelled"
    db.session.commit()
    response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 200
    assert _uids(response.data) == set()


def _fill(make, cal, user, count: int):
    from app.events.models import Event, Session
    from app.registrations.models import Registration, SessionSignup

    organiser = make.user(role="organiser")
    for n in range(count):
        start = NOW + timedelta(days=1 + n % 300, hours=n % 7)
        event = Event(title=f"Event {n}", kind="workshop", status="published", starts_at=start,
                      ends_at=start + timedelta(hours=5), timezone=["Europe/Kyiv", "Asia/Tbilisi"][n % 2],
                      created_by_id=organiser.id)
        db.session.add(event)
        db.session.flush()
        session = Session(event_id=event.id, title=f"Session {n}", starts_at=start, ends_at=start + timedelta(hours=1))
        db.session.add(session)
        db.session.add(Registration(event_id=event.id, user_id=user.id, status="confirmed"))
        db.session.flush()
        db.session.add(SessionSignup(session_id=session.id, user_id=user.id, status="confirmed"))
    db.session.commit()


def test_personal_feed_query_count_does_not_grow_with_its_size(client, make, cal):
    set_now(NOW)
    small, large = make.user(), make.user()
    _fill(make, cal, small, 5)      # 10 entries
    _fill(make, cal, large, 250)    # 500 entries
    counts = {}
    for user, size in ((small, 10), (large, 500)):
        url = f"/calendar/feed/{user.calendar_token}.ics"
        with cal.count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert len(_uids(response.data)) == size
        counts[size] = len(statements)
    assert counts[10] == counts[500], counts
    assert counts[500] <= 6, counts
    # The personal feeds above kept their events' rows in this worker, where the public feed finds
    # them too (app.calendar.public_reads): counted here is the public feed's first read of its own.
    public_reads.forget()
    with cal.count_queries() as public_small:
        client.get("/calendar/public.ics?kind=training")
    with cal.count_queries() as public_large:
        client.get("/calendar/public.ics")
    # An empty public feed and a full one read the same statements, but on PostgreSQL the full one
    # reads the rows this worker has not read yet after their versions (app.calendar.public_reads).
    assert len(public_large) == len(public_small) + (db.engine.dialect.name == "postgresql")



def test_the_personal_feeds_written_entries_are_those_of_a_feed_built_afresh(app, make):
    """A personal feed's entries come written (Feed.vevents, remembered by what they are made of:
    app.calendar.personal_written): the next build finds them, and writes out what a build from
    nothing writes, in its order, whole days or not, in each language."""
    from flask_babel import force_locale

    from app.calendar import feed_entries, feeds, personal_reads
    from app.calendar.ics import write_calendar

    set_now(NOW)
    reader = make.user(calendar_include_waitlisted=True)
    for n in range(4):
        event = make.event(f"Event {n}; ⚡, with\\ escapes " + "ж" * 40 * n, starts_at=NOW + timedelta(days=3 - n),
                           timezone=("Europe/Kyiv", "UTC", "America/Sao_Paulo", "Asia/Tbilisi")[n],
                           online_url=f"https://meet.example.org/{n}", format="hybrid")
        make.registration(event, reader, status=("confirmed", "waitlisted")[n % 2])
        for hour in range(n):
            make.signup(make.session(event, f"Part {hour}", starts_at=event.starts_at + timedelta(hours=hour)), reader,
                        status=("confirmed", "waitlisted")[hour % 2])
    db.session.commit()

    def written(language: str, all_day: bool) -> bytes:
        with force_locale(language):
            feed = feeds.personal_feed(reader, all_day=all_day)
        assert feed.entries is None and len(feed.vevents) == 10
        return write_calendar(feed.vevents, dtstamp=NOW, name=feed.name)

    cases = (("en", False), ("uk", False), ("en", True), ("uk", True))
    with app.test_request_context("/"):
        afresh = {}
        for language, all_day in cases:
            public_reads.forget()
            personal_reads.forget()
            feed_entries.forget()
            afresh[language, all_day] = written(language, all_day)
        for _ in range(2):
            for language, all_day in cases:
                assert written(language, all_day) == afresh[language, all_day]
    for (language, all_day), body in afresh.items():
        text = body.decode().replace("\r\n ", "")
        assert ("Докладніше: " if language == "uk" else "Details: ") in text
        assert ("DTSTART;VALUE=DATE:" in text) == all_day
        assert text.count("BEGIN:VEVENT") == 10 and text.count("STATUS:TENTATIVE") == 7
        starts = re.findall(r"SUMMARY:(Event \d)", text)
        assert starts == ["Event 3", "Event 2", "Event 1", "Event 0"]  # soonest first, then the sessions
