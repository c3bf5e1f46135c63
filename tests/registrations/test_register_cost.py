"""What one registration costs while it holds the event lock (issue 9: every request waits for it),
and that the messages built before the lock end up exactly as the locked path would write them."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.notifications.models import OutboxMessage
from app.registrations import cancelling, notices, register, waitlist
from app.registrations.models import Registration, RegistrationStatus
from tests.querycount import without_literals


@contextmanager
def recorded(db):
    """Every statement sent, and "COMMIT" where a transaction committed."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    def commit(conn):
        statements.append("COMMIT")

    sa_event.listen(db.engine, "before_cursor_execute", before)
    sa_event.listen(db.engine, "commit", commit)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)
        sa_event.remove(db.engine, "commit", commit)


def _under_the_lock(db, statements: list[str]) -> list[str]:
    """The statements from the lock to its commit."""
    if db.engine.dialect.name == "sqlite":
        start = statements.index("BEGIN IMMEDIATE") + 1
    else:
        start = next(i for i, s in enumerate(statements) if s.endswith("FOR UPDATE OF events"))
    end = statements.index("COMMIT", start)
    return statements[start:end]


def _outbox(kind, user):
    from app.extensions import db

    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind,
                                                          OutboxMessage.recipient_user_id == user.id)).all()


def test_a_new_registration_reads_once_under_the_lock_then_only_inserts(db, make):
    """Confirmed or waitlisted: the event row, one count over its registrations (seats, waiting list,
    the person's own row), then the registration, its audit entry and its message. No look-up of the
    message's dedupe key: it names the new registration."""
    event = make.event(capacity=1)
    for person, status in ((make.user(), RegistrationStatus.CONFIRMED), (make.user(), RegistrationStatus.WAITLISTED)):
        with recorded(db) as statements:
            assert register.register(event, person, consent=True).status == status
        locked = _under_the_lock(db, statements)
        reads = [s for s in locked if s.startswith("SELECT")]
        assert len(reads) == 2, reads
        assert reads[0].startswith("SELECT events.") and " FROM registrations " in reads[1]
        inserts = {table for s in locked if s.startswith(("INSERT", "WITH")) for table in re.findall(r"INSERT INTO (\w+)", s)}
        assert {"registrations", "audit_entries", "outbox_messages"} <= inserts
        assert not [s for s in locked if s.startswith(("UPDATE", "DELETE"))]


def test_waiting_list_notice_built_before_the_lock_is_never_sent_twice(db, make):
    """It carries the dedupe key the locked path would give it: producing the notice again adds nothing."""
    event = make.event(capacity=1)
    holder, waiting = make.user(), make.user()
    register.register(event, holder, consent=True)
    outcome = register.register(event, waiting, consent=True)
    registration = db.session.get(Registration, outcome.registration.id)
    (notice,) = _outbox("registration.waitlisted", waiting)
    assert notice.dedupe_key == f"registration:{registration.id}:waitlisted:{registration.waitlisted_at.isoformat()}"
    notices.tell_waitlisted(registration, 1)
    db.session.commit()
    assert len(_outbox("registration.waitlisted", waiting)) == 1


def test_a_seat_freed_before_the_lock_confirms_and_drops_the_waiting_list_notice(db, make, monkeypatch):
    event = make.event(capacity=1)
    holder, late = make.user(), make.user()
    assert register.register(event, holder, consent=True).status == RegistrationStatus.CONFIRMED
    real_prepare = register._prepare_messages
    guesses = []

    def prepare_then_the_holder_cancels(event_id, user, role, tally=None):
        prepared = real_prepare(event_id, user, role, tally)
        guesses.append(prepared)
        mine = db.session.scalars(select(Registration).where(Registration.user_id == holder.id)).one()
        assert cancelling.cancel_registration(mine, holder).ok
        return prepared

    monkeypatch.setattr(register, "_prepare_messages", prepare_then_the_holder_cancels)
    outcome = register.register(event, late, consent=True)
    assert guesses[0].waitlisted is not None  # the guess was "full"
    assert (outcome.status, outcome.waitlist_position) == (RegistrationStatus.CONFIRMED, None)
    assert _outbox("registration.waitlisted", late) == []
    assert len(_outbox("calendar.invitation", late)) == 1
    assert waitlist.seats_taken(event.id) == 1


def test_registering_through_the_form_reads_nothing_after_its_commit(db, make, login):
    """The redirect is built before the commit, so the expired event is not loaded again."""
    event = make.event(capacity=5)
    client = login(make.user())
    with recorded(db) as statements:
        response = client.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}")
    assert "COMMIT" in statements
    assert statements[len(statements) - statements[::-1].index("COMMIT"):] == []


def test_a_first_registration_through_the_form_reads_the_event_and_its_count_once_before_the_lock(db, make, login):
    """Before the lock: the signed-in user, then the event with the seat count in one statement, and
    no look-up of session sign-ups (a first registration has none: they need a confirmed one). On
    PostgreSQL the lock is taken in the transaction already open: one COMMIT in the whole request."""
    event = make.event(capacity=5)
    client, event_id = login(make.user()), event.id
    with recorded(db) as statements:
        response = client.post(f"/events/{event_id}/register", data={"role": "participant", "consent": "y"})
    assert response.status_code == 302
    assert db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)).all() == [
        RegistrationStatus.CONFIRMED]
    assert not [s for s in statements if "session_signups" in without_literals(s)]
    # The locked read: the event row alone (FOR UPDATE on PostgreSQL).
    lock = next(i for i, s in enumerate(statements) if s.startswith("SELECT events.") and "(SELECT " not in s)
    before_lock = [s for s in statements[:lock] if " FROM registrations" in s]
    assert len(before_lock) == 1 and " FROM events JOIN (SELECT " in before_lock[0], statements
    if db.engine.dialect.name != "sqlite":
        assert statements[lock].endswith("FOR UPDATE OF events")
        request = statements[next(i for i, s in enumerate(statements) if s.startswith("SELECT users.")):]
        assert request.count("COMMIT") == 1, request
    registrant = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).one().user
    assert len(_outbox("calendar.invitation", registrant)) == 1


def test_a_confirmation_rendered_before_the_lock_goes_when_the_last_seat_went_meanwhile(db, make, monkeypatch):
    """The guess was "a seat is free" (its invitation rendered before the lock); someone else took
    the last seat in between: the person joins the waiting list, gets the waiting-list notice and no
    invitation."""
    event = make.event(capacity=1)
    late, quick = make.user(), make.user()
    real_prepare = register._prepare_messages
    guesses = []

    def prepare_then_someone_takes_the_seat(event_id, user, role, tally=None):
        prepared = real_prepare(event_id, user, role, tally)
        guesses.append(prepared)
        if user is late:
            assert register.register(db.session.get(type(event), event_id), quick, consent=True).status == (
                RegistrationStatus.CONFIRMED)
        return prepared

    monkeypatch.setattr(register, "_prepare_messages", prepare_then_someone_takes_the_seat)
    outcome = register.register(event, late, consent=True)
    assert guesses[0].confirmed  # the guess was "confirmed"
    assert (outcome.status, outcome.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert _outbox("calendar.invitation", late) == []
    assert len(_outbox("registration.waitlisted", late)) == 1
    assert len(_outbox("calendar.invitation", quick)) == 1


def test_a_double_submit_keeps_one_registration_and_sends_nothing_more(db, make, monkeypatch):
    """The guess was "a first registration"; the same person's first submission commits in between:
    the second is refused as already registered, and the invitation rendered for it is not sent."""
    event = make.event(capacity=5)
    person = make.user()
    real_prepare = register._prepare_messages
    calls = []

    def prepare_then_the_first_submission_commits(event_id, user, role, tally=None):
        prepared = real_prepare(event_id, user, role, tally)
        calls.append(prepared)
        if len(calls) == 1:
            assert register.register(db.session.get(type(event), event_id), person, consent=True).ok
        return prepared

    monkeypatch.setattr(register, "_prepare_messages", prepare_then_the_first_submission_commits)
    outcome = register.register(event, person, consent=True)
    assert outcome.status == RegistrationStatus.CONFIRMED and "already registered" in outcome.message
    assert len(_outbox("calendar.invitation", person)) == 1
    assert len(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)).all()) == 1
