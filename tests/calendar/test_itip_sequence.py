"""A CANCEL always carries a SEQUENCE above every REQUEST sent for its UID (RFC 5546 section 2.1.4:
Outlook, libical and others ignore a CANCEL that is not newer than what they hold).

Each test threads invitation → update → cancel through the real rules (registering, signing up,
editing, cancelling, removing) and reads the person's queued iTIP messages in order, through all
four parsers: per UID the SEQUENCE strictly increases, and the CANCEL comes last and highest."""

from __future__ import annotations

import base64
from collections import defaultdict

import pytest
from sqlalchemy import select

from app.events import agenda, planning
from app.events.planning import EVENT_FIELDS
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.registrations import cancelling, manage, register, sessions
from tests.calendar.parsers import parse_all


def _values(item, fields, **changes) -> dict:
    values = {name: getattr(item, name) for name in fields}
    values.update(changes)
    return values


@pytest.fixture
def thread(make):
    """A participant invited to an event and one of its sessions, both updated once since."""
    admin = make.user(role="admin")
    event = make.event(timezone="Europe/Kyiv", venue="Хрещатик, 1", city="Kyiv", country="UA")
    session = make.session(event, "Lab", hours=2, room="Room 1", has_signup=True, capacity=10)
    user = make.user()
    registration = register.register(event, user, consent=True).registration
    signup = sessions.sign_up_for_session(session, user).signup
    planning.update_event(admin, event, _values(event, EVENT_FIELDS, venue="Хрещатик, 2"))
    agenda.update_session(admin, session, _values(session, agenda.SESSION_FIELDS, room="Room 2"))
    return admin, event, session, user, registration, signup


def _messages(user) -> list[tuple[str, str, int]]:
    """(UID, METHOD, SEQUENCE) of every calendar message queued for `user`, in order, read by every
    parser (all the messages in one run of each), which must agree."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_user_id == user.id).order_by(OutboxMessage.id)
    ).all()
    bodies = []
    for message in messages:
        if message.calendar:
            (attachment,) = [a for a in message.attachments if a["content_type"] == "text/calendar"]
            body = base64.b64decode(attachment["content_b64"]).decode("utf-8")
            assert attachment["method"] == message.calendar["method"] and body == message.calendar["content"]
            bodies.append(body)
    views = {}
    for name, calendars in parse_all("".join(bodies)).items():
        assert len(calendars) == len(bodies), name
        views[name] = [(c["events"][0]["uid"], c["method"], c["events"][0]["sequence"]) for c in calendars]
    assert len(set(map(tuple, views.values()))) == 1, views
    return views["libical"]


def _check_threads(user, cancelled: set[str]) -> dict[str, list[tuple[str, int]]]:
    """Per UID the SEQUENCE strictly increases; the UIDs in `cancelled` end with a CANCEL above
    every REQUEST. Returns {uid: [(method, sequence), ...]}."""
    threads: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for uid, method, sequence in _messages(user):
        threads[uid].append((method, sequence))
    for uid, thread in threads.items():
        sequences = [sequence for _, sequence in thread]
        assert sequences == sorted(set(sequences)), (uid, thread)
    for uid in cancelled:
        assert threads[uid][-1][0] == "CANCEL", (uid, threads[uid])
        assert threads[uid][-1][1] > max(s for m, s in threads[uid] if m == "REQUEST"), (uid, threads[uid])
    return threads


def _uids(event, session) -> tuple[str, str]:
    return f"{event.uid}@liaison.test", f"session-{session.uid}@liaison.test"


def test_the_thread_before_any_cancel_is_invitation_then_update(thread):
    _, event, session, user, _, _ = thread
    event_uid, session_uid = _uids(event, session)
    threads = _check_threads(user, set())
    assert threads[event_uid] == [("REQUEST", 0), ("REQUEST", 1)]
    assert threads[session_uid] == [("REQUEST", 0), ("REQUEST", 1)]


def test_cancelling_the_event_cancels_it_and_its_sessions_above_their_last_request(thread):
    admin, event, session, user, _, _ = thread
    planning.cancel(admin, event, "Venue unavailable")
    threads = _check_threads(user, set(_uids(event, session)))
    assert [m for m, _ in threads[_uids(event, session)[1]]] == ["REQUEST", "REQUEST", "CANCEL"]


def test_removing_a_session_cancels_it_above_its_last_request(thread):
    admin, event, session, user, _, _ = thread
    event_uid, session_uid = _uids(event, session)
    agenda.delete_session(admin, session)
    threads = _check_threads(user, {session_uid})
    assert [m for m, _ in threads[event_uid]] == ["REQUEST", "REQUEST"]  # the event stays


def test_a_participant_cancelling_takes_event_and_sessions_out_above_their_last_request(thread):
    _, event, session, user, registration, _ = thread
    assert cancelling.cancel_registration(registration, user).ok
    _check_threads(user, set(_uids(event, session)))


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_an_organiser_rejecting_or_removing_a_person_cancels_above_their_last_request(thread, action):
    admin, event, session, user, registration, _ = thread
    result = manage.manage(event, [registration.id], action, admin, reason="Not eligible")
    assert result.done and not result.problems
    _check_threads(user, set(_uids(event, session)))


def test_cancelling_a_session_sign_up_cancels_that_session_only(thread):
    _, event, session, user, _, signup = thread
    event_uid, session_uid = _uids(event, session)
    assert sessions.cancel_session_signup(signup, user).signup.status.value == "cancelled"
    threads = _check_threads(user, {session_uid})
    assert [m for m, _ in threads[event_uid]] == ["REQUEST", "REQUEST"]


def test_coming_back_after_a_cancel_is_a_newer_invitation_than_the_cancel(thread, make):
    admin, event, session, user, registration, _ = thread
    event_uid, session_uid = _uids(event, session)
    cancelling.cancel_registration(registration, user)
    assert register.register(event, user, consent=True).registration.status.value == "confirmed"
    assert sessions.sign_up_for_session(session, user).signup.status.value == "confirmed"
    # The others keep their copy: a later update still reaches them above what they hold.
    other = make.user()
    register.register(event, other, consent=True)
    planning.update_event(admin, event, _values(event, EVENT_FIELDS, venue="Хрещатик, 3"))
    threads = _check_threads(user, set())
    assert [m for m, _ in threads[event_uid]] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST", "REQUEST"]
    assert [m for m, _ in threads[session_uid]] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST"]
    _check_threads(other, set())
