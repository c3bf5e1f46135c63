"""Capacity under concurrency: many people register at the same instant, through the real service
and its transactions, each in its own application context (own connection)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.accounts.models import User
from app.events.models import Event, Session
from app.registrations import cancelling, register, sessions, waitlist
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)

THREADS = 60
SEATS = 10


def _fire(app, work, count):
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    results: list = [None] * count

    def run(index):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = work(index)
            except BaseException as error:  # noqa: BLE001 - any error fails the test
                errors.append(error)
            finally:
                from app.extensions import db

                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_sixty_simultaneous_registrations_never_exceed_ten_seats(app, db, make):
    event = make.event(capacity=SEATS)
    users = [make.user() for _ in range(THREADS)]
    event_id, user_ids = event.id, [u.id for u in users]
    db.session.remove()

    def work(index):
        from app.accounts.models import User
        from app.extensions import db as thread_db

        outcome = register.register(thread_db.session.get(Event, event_id),
                                    thread_db.session.get(User, user_ids[index]), consent=True)
        return (outcome.status, outcome.waitlist_position)

    results, errors = _fire(app, work, THREADS)
    assert errors == []
    statuses = [status for status, _ in results]
    assert statuses.count(RegistrationStatus.CONFIRMED) == SEATS
    assert statuses.count(RegistrationStatus.WAITLISTED) == THREADS - SEATS

    registrations = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    assert len(registrations) == THREADS
    assert len({r.user_id for r in registrations}) == THREADS  # no duplicate
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    assert len(confirmed) == SEATS
    waitlisted = sorted((r for r in registrations if r.status == RegistrationStatus.WAITLISTED),
                        key=lambda r: (r.waitlisted_at, r.id))
    # The confirmed ones registered before everyone on the waiting list.
    assert max(r.confirmed_at for r in confirmed) <= min(r.waitlisted_at for r in waitlisted)
    positions = [waitlist.waitlist_position(r) for r in waitlisted]
    assert positions == list(range(1, THREADS - SEATS + 1))
    # What each person was told matches where they are.
    told = sorted(position for status, position in results if status == RegistrationStatus.WAITLISTED)
    assert told == list(range(1, THREADS - SEATS + 1))


def test_simultaneous_session_signups_respect_the_session_capacity(app, db, make):
    event = make.event(kind="training")
    session = make.session(event, title="Hands-on OSINT lab", capacity=SEATS, has_signup=True)
    users = [make.user() for _ in range(THREADS)]
    for user in users:
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    session_id, user_ids = session.id, [u.id for u in users]
    db.session.remove()

    def work(index):
        from app.accounts.models import User
        from app.extensions import db as thread_db

        outcome = sessions.sign_up_for_session(thread_db.session.get(Session, session_id),
                                               thread_db.session.get(User, user_ids[index]))
        assert outcome.ok, outcome.message
        return (outcome.signup.status, outcome.position)

    results, errors = _fire(app, work, THREADS)
    assert errors == []
    signups = db.session.scalars(select(SessionSignup).where(SessionSignup.session_id == session_id)).all()
    assert len(signups) == THREADS
    assert len({s.user_id for s in signups}) == THREADS
    confirmed = [s for s in signups if s.status == SessionSignupStatus.CONFIRMED]
    waitlisted = sorted((s for s in signups if s.status == SessionSignupStatus.WAITLISTED),
                        key=lambda s: (s.waitlisted_at, s.id))
    assert len(confirmed) == SEATS
    assert [waitlist.signup_position(s) for s in waitlisted] == list(range(1, THREADS - SEATS + 1))
    assert sorted(p for status, p in results if status == SessionSignupStatus.WAITLISTED) == list(
        range(1, THREADS - SEATS + 1))

    # A freed place goes to the first on the session's waiting list.
    first_waiting = waitlisted[0]
    sessions.cancel_session_signup(confirmed[0], confirmed[0].user)
    db.session.expire_all()
    assert db.session.get(SessionSignup, first_waiting.id).status == SessionSignupStatus.CONFIRMED
    assert db.session.scalar(
        select(__import__("sqlalchemy").func.count(SessionSignup.id)).where(
            SessionSignup.session_id == session_id, SessionSignup.status == SessionSignupStatus.CONFIRMED)
    ) == SEATS


def test_concurrent_cancellations_and_registrations_keep_capacity(app, db, make):
    """Cancellations (which promote) racing with new registrations still never exceed capacity."""
    event = make.event(capacity=5)
    first = [make.user() for _ in range(15)]
    for user in first:
        register.register(event, user, consent=True)
    later = [make.user() for _ in range(15)]
    confirmed_ids = [r.id for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED))]
    event_id = event.id
    later_ids = [u.id for u in later]
    db.session.remove()

    def work(index):
        from app.accounts.models import User
        from app.extensions import db as thread_db

        if index < len(confirmed_ids):
            registration = thread_db.session.get(Registration, confirmed_ids[index])
            return cancelling.cancel_registration(registration, registration.user).ok
        user = thread_db.session.get(User, later_ids[index - len(confirmed_ids)])
        return register.register(thread_db.session.get(Event, event_id), user, consent=True).ok

    results, errors = _fire(app, work, len(confirmed_ids) + len(later_ids))
    assert errors == []
    assert all(results)
    assert waitlist.seats_taken(event_id) == 5


def test_the_registration_transaction_starts_by_taking_the_lock(app, db, make):
    """SQLite: the transaction begins with BEGIN IMMEDIATE (the write lock); PostgreSQL: its first
    statement locks the event row (SELECT ... FOR UPDATE)."""
    from sqlalchemy import event as sa_event

    event = make.event(capacity=3)
    user = make.user()
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement.strip())

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        register.register(event, user, consent=True)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)
    if db.engine.dialect.name == "sqlite":
        begin = statements.index("BEGIN IMMEDIATE")
        assert statements[begin + 1].startswith("SELECT events.")
        assert "INSERT INTO registrations" in "\n".join(statements[begin:])
    else:
        # Issue 9: the messages are rendered before the lock (plain reads); every write comes after it.
        first = next(i for i, s in enumerate(statements) if s.endswith("FOR UPDATE OF events"))
        assert statements[first].startswith("SELECT events.")
        assert not [s for s in statements[:first] if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert "INSERT INTO registrations" in "\n".join(statements[first:])


def test_the_lock_sees_what_another_transaction_committed_after_the_first_read(app, db, make):
    """PostgreSQL takes the registration's lock in the transaction of its first read of the event
    (same_transaction): the event it returns holds the row as committed when the lock was granted
    (an organiser's change of capacity in between counts), whether the row changed or not."""
    from app.registrations import transactions

    event = make.event(capacity=5)
    event_id = event.id
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        return  # SQLite begins a new transaction for the lock (BEGIN IMMEDIATE): nothing to keep
    with app.app_context():
        from app.extensions import db as request_db

        first = request_db.session.get(Event, event_id)
        assert request_db.session().in_transaction() and first.capacity == 5
        unchanged = transactions.lock_event(event_id, same_transaction=True)
        assert unchanged is first and unchanged.capacity == 5
        request_db.session.rollback()

        first = request_db.session.get(Event, event_id)
        assert first.capacity == 5

        def edit(_index):
            from app.extensions import db as other_db

            other = other_db.session.get(Event, event_id)
            other.capacity, other.title = 7, "Renamed"
            other_db.session.commit()

        _results, errors = _fire(app, edit, 1)
        assert not errors
        locked = transactions.lock_event(event_id, same_transaction=True)
        assert locked is first and (locked.capacity, locked.title) == (7, "Renamed")
        request_db.session.rollback()


def test_the_lock_compares_the_row_version_of_the_registrations_first_read(app, db, make):
    """After event_with_tally (a registration's first read), PostgreSQL's lock reads the row's
    version alone: an unchanged row keeps the loaded event; a change committed in between (even one
    that leaves every value as it was) is seen, the event reloaded under the lock."""
    from sqlalchemy import event as sa_event

    from app.registrations import transactions

    event = make.event(capacity=5)
    user_id = make.user().id
    event_id = event.id
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        return  # SQLite begins a new transaction for the lock (BEGIN IMMEDIATE): nothing to keep
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    def edit(capacity):
        def work(_index):
            from app.extensions import db as other_db

            other_db.session.get(Event, event_id).capacity = capacity
            other_db.session.commit()
        return work

    with app.app_context():
        from app.extensions import db as request_db

        user = request_db.session.get(User, user_id)
        request_db.session.commit()
        sa_event.listen(request_db.engine, "before_cursor_execute", before)
        try:
            first, counted = waitlist.event_with_tally(event_id, user)
            assert counted.seats_taken == 0 and first.capacity == 5
            del statements[:]
            assert transactions.lock_event(event_id, same_transaction=True) is first
            assert len(statements) == 1 and statements[0].endswith("FOR UPDATE OF events")
            assert "xmin" in statements[0] and "capacity" not in statements[0]
            request_db.session.rollback()

            for capacity in (7, 7):  # a change, then an UPDATE writing the same value again
                first, _counted = waitlist.event_with_tally(event_id, user)
                _results, errors = _fire(app, edit(capacity), 1)
                assert not errors
                del statements[:]
                locked = transactions.lock_event(event_id, same_transaction=True)
                assert locked is first and locked.capacity == capacity
                assert len(statements) == 2  # the version under the lock, then the row reloaded
                request_db.session.rollback()
        finally:
            sa_event.remove(request_db.engine, "before_cursor_execute", before)
