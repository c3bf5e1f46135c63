"""The web side: registering through the event box, permissions per role, bounded queries and
bad input that never answers 500."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.registrations import register
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now


@contextmanager
def count_queries(db):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)


def test_member_registers_through_the_form_and_sees_status(db, make, login, itip_calls):
    event = make.event(capacity=1, title="Cross-border cybercrime workshop")
    first, second = make.user(name="Ana Popescu"), make.user(name="Ivan Petrenko")
    client = login(first)
    page = client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Speakers, trainers and organisers do not take participant seats" in page
    response = client.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y",
                                                                "dietary_needs": "Vegetarian"})
    assert response.status_code == 302
    assert "Confirmed" in client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    other = login(second)
    other.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y"})
    page = other.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Waiting list" in page and 'data-testid="waitlist-position">1<' in page
    # The first cancels; the second is confirmed.
    assert client.post(f"/events/{event.id}/registration/cancel").status_code == 302
    assert "Confirmed" in other.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Ivan Petrenko" not in client.get("/my/events").get_data(as_text=True)


def test_missing_consent_shows_the_error_beside_the_field(db, make, login):
    event = make.event()
    client = login(make.user())
    response = client.post(f"/events/{event.id}/register", data={"role": "participant"})
    assert response.status_code == 422
    assert "Please accept the privacy notice" in response.get_data(as_text=True)
    assert db.session.scalar(select(Registration)) is None


def test_needs_are_visible_only_to_organisers(db, make, login, organiser, itip_calls):
    event = make.event(organisers=[organiser])
    member = make.user(name="Nika")
    register.register(event, member, "participant", register.Needs("Halal, no nuts", None, True), consent=True)
    other = make.user(role="organiser")  # organiser of other events only
    plain_member = make.user()
    coordinator = make.user(role="coordinator")
    url = f"/events/{event.id}/participants"
    assert "Halal, no nuts" in login(organiser).get(url).get_data(as_text=True)
    assert login(other).get(url).status_code == 403
    assert login(plain_member).get(url).status_code == 403
    assert "Halal, no nuts" not in login(member).get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert login(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("path", [
    "/events/{id}/participants", "/events/{id}/participants/export?format=csv", "/events/{id}/invitations",
    "/events/{id}/participants/import", "/events/{id}/participants/message", "/events/{id}/check-in",
    "/events/{id}/attendance", "/events/{id}/feedback/results",
])
def test_organiser_pages_refuse_members_and_anonymous(db, make, login, client, organiser, path):
    event = make.event(organisers=[organiser])
    member = make.user()
    url = path.format(id=event.id)
    assert login(organiser).get(url).status_code == 200
    assert login(member).get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the sign-in page


def test_drafts_are_hidden_from_members(db, make, login, organiser):
    draft = make.event(status="draft", organisers=[organiser])
    member = login(make.user())
    assert member.get(f"/events/{draft.id}/registration").status_code == 404
    assert member.post(f"/events/{draft.id}/register", data={"consent": "y", "role": "participant"}).status_code == 404
    assert member.get(f"/events/{draft.id}/participants").status_code == 404


def test_posts_without_sign_in_are_refused(db, make, client):
    event = make.event()
    assert client.post(f"/events/{event.id}/register", data={"consent": "y"}).status_code in (302, 403)
    assert db.session.scalar(select(Registration)) is None


def test_bad_input_never_answers_500(db, make, login, organiser, itip_calls):
    event = make.event(organisers=[organiser])
    register.register(event, make.user(), consent=True)
    client = login(organiser)
    checks = [
        client.post(f"/events/{event.id}/participants/bulk", data={"ids": ["x", "9999"], "action": "approve"}),
        client.post(f"/events/{event.id}/participants/bulk", data={"ids": ["1"], "action": "explode"}),
        client.post(f"/events/{event.id}/participants/bulk", data={"ids": ["1"], "action": "role", "role": ""}),
        client.post(f"/events/{event.id}/participants/bulk", data={}),
        client.get(f"/events/{event.id}/participants?page=abc&status=zzz&q=" + "x" * 500),
        client.get(f"/events/{event.id}/participants/export?format=pdf"),
        client.get(f"/events/{event.id}/participants/export?format=csv&columns=nope"),
        client.get(f"/events/{event.id}/check-in?day=notaday&session=abc&when=session:zz"),
        client.post(f"/events/{event.id}/check-in/1", data={"day": "2001-01-01"}),
        client.post(f"/events/{event.id}/check-in/999", data={"day": "x"}),
        client.get(f"/events/{event.id}/attendance-sheet.pdf?day=garbage"),
        client.get(f"/events/{event.id}/certificates/1.pdf"),
        client.post(f"/events/{event.id}/participants/import/confirm", data={"payload": "tampered"}),
        client.post(f"/events/{event.id}/participants/import", data={"mode": "invite"}),
        client.post(f"/events/{event.id}/participants/message", data={"group": "everyone", "subject": ""}),
        client.post(f"/events/{event.id}/invitations", data={"emails": "not an email\n@@", "role": "participant"}),
        client.get("/invitations/" + "z" * 300),
        client.post("/invitations/nope/decline"),
        client.post("/sessions/999/signup"),
        client.post(f"/events/{event.id}/feedback", data={"overall": "9"}),
        client.get("/events/999999/registration"),
    ]
    codes = [response.status_code for response in checks]
    assert all(code < 500 for code in codes), codes


def test_participant_list_queries_do_not_grow_with_its_length(db, make, login, organiser, itip_calls):
    from app.accounts.models import User

    def build(count):
        event = make.event(capacity=count // 2, organisers=[organiser])
        org = make.organisation()
        users = [User(email=f"p{event.id}-{i}@example.org", name=f"Person {i}", organisation_id=org.id,
                      password_hash="x") for i in range(count)]
        db.session.add_all(users)
        db.session.commit()
        for i, user in enumerate(users):
            status = RegistrationStatus.CONFIRMED if i < count // 2 else RegistrationStatus.WAITLISTED
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=status,
                                        waitlisted_at=now() if status == RegistrationStatus.WAITLISTED else None,
                                        dietary_needs="Vegan" if i % 3 == 0 else None))
        db.session.commit()
        return event

    small, large = build(5), build(200)
    client = login(organiser)
    counts = []
    for event in (small, large):
        for path in (f"/events/{event.id}/participants", f"/events/{event.id}/check-in",
                     f"/events/{event.id}/attendance", f"/events/{event.id}/participants/export?format=csv",
                     f"/events/{event.id}/registration"):
            with count_queries(db) as statements:
                response = client.get(path)
            assert response.status_code == 200, path
            counts.append((path.replace(str(event.id), "ID"), len(statements)))
    half = len(counts) // 2
    assert counts[:half] == counts[half:], counts
    assert max(n for _, n in counts) < 25


def test_my_events_lists_status_position_and_sessions_in_bounded_queries(db, make, login, itip_calls):
    user = make.user()
    client = login(user)

    def add_events(count):
        for _ in range(count):
            event = make.event(capacity=1)
            register.register(event, make.user(), consent=True)
            register.register(event, user, consent=True)
            session = make.session(event, has_signup=True, capacity=5)
            db.session.add(__import__("app.registrations.models", fromlist=["SessionSignup"]).SessionSignup(
                session_id=session.id, user_id=user.id))
            db.session.commit()

    add_events(2)
    with count_queries(db) as few:
        page = client.get("/my/events").get_data(as_text=True)
    assert "On the waiting list — number 2" not in page
    assert "On the waiting list — number 1" in page and "signed up" in page
    assert "on its waiting list" not in page
    db.session.rollback()  # end the test's read snapshot before writing (SQLite WAL)
    add_events(10)
    with count_queries(db) as many:
        assert client.get("/my/events").status_code == 200
    assert len(few) == len(many)


def test_event_page_box_costs_bounded_queries(db, make, login, organiser, itip_calls):
    from app.extensions import db as _db

    event = make.event(capacity=3, organisers=[organiser], kind="training")
    for _ in range(3):
        make.session(event, has_signup=True, capacity=2)
    for _ in range(6):
        register.register(event, make.user(), consent=True)
    client = login(organiser)
    with count_queries(_db) as statements:
        page = client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "For organisers" in page and "Confirmed 3" in page
    assert len(statements) < 15


def test_session_signup_through_the_page(db, make, login, itip_calls):
    event = make.event(kind="training")
    session = make.session(event, title="Dark-web forensics lab", has_signup=True, capacity=1)
    a, b = make.user(), make.user()
    register.register(event, a, consent=True)
    register.register(event, b, consent=True)
    client_a, client_b = login(a), login(b)
    client_a.post(f"/sessions/{session.id}/signup")
    client_b.post(f"/sessions/{session.id}/signup")
    assert "Waiting list: 1" in client_b.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Dark-web forensics lab" in (mine := client_b.get("/my/events").get_data(as_text=True))
    assert "number 1 on its waiting list" in mine
    client_a.post(f"/sessions/{session.id}/signup/cancel")
    assert "Signed up" in client_b.get(f"/events/{event.id}/registration").get_data(as_text=True)
    from app.notifications.models import OutboxMessage

    db.session.rollback()  # a fresh snapshot sees what the requests committed
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "registration.session_promoted"))


def test_unconfirmed_people_cannot_sign_up_for_sessions(db, make, login):
    event = make.event(capacity=0)
    session = make.session(event, has_signup=True, capacity=3)
    user = make.user()
    register.register(event, user, consent=True)  # waitlisted: capacity 0
    response = login(user).post(f"/sessions/{session.id}/signup", follow_redirects=True)
    assert "Only confirmed participants" in response.get_data(as_text=True)


def test_my_events_shows_upcoming_first_a_page_at_a_time_and_past_behind_a_tab(db, make, login):
    """Issue 9: a member with hundreds of registrations got them all on one page (111 KB)."""
    from datetime import timedelta

    from app.registrations.views.my_events import MY_EVENTS_PER_PAGE
    from app.timeutil import now

    user = make.user()
    client = login(user)
    soon = now() + timedelta(days=2)

    def add(count, offset_days, prefix):
        for index in range(count):
            event = make.event(f"{prefix} {index:03d}", starts_at=soon + timedelta(days=offset_days + index))
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED))
        db.session.commit()

    add(MY_EVENTS_PER_PAGE + 5, 0, "Coming")
    add(3, -400, "Gone")  # ended long ago
    first = client.get("/my/events").get_data(as_text=True)
    assert "Coming 000" in first and f"Coming {MY_EVENTS_PER_PAGE - 1:03d}" in first
    assert f"Coming {MY_EVENTS_PER_PAGE:03d}" not in first and "Gone" not in first
    assert first.count('data-testid="my-registration-') == MY_EVENTS_PER_PAGE
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/my/events?page=2").get_data(as_text=True)
    assert f"Coming {MY_EVENTS_PER_PAGE + 4:03d}" in second and "Coming 000" not in second
    past = client.get("/my/events?show=past").get_data(as_text=True)
    assert past.index("Gone 002") < past.index("Gone 000")  # latest first
    assert "Coming" not in past and past.count('data-testid="my-registration-') == 3
    assert client.get("/my/events?page=banana&show=nonsense").status_code == 200
    db.session.rollback()

    # The same queries with one more page of registrations (both built afresh, not from the cache).
    from app.cache import fragments

    fragments.clear()
    with count_queries(db) as few:
        client.get("/my/events?page=2")
    add(MY_EVENTS_PER_PAGE, 40, "Later")
    fragments.clear()
    with count_queries(db) as many:
        assert "Page 2 of 3" in client.get("/my/events?page=2").get_data(as_text=True)
    assert len(few) == len(many) <= 8
