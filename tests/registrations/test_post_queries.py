"""What the register and cancel POSTs cost (issue 19): a fixed number of statements, with every
cache off (the event's registration questions and the organisers' own paragraphs are read) and
with the caches on (they are remembered). A count that grows fails here."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.cache import fragments
from app.notifications.models import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus

# Register (a first registration, confirmed or waitlisted): the signed-in user with the stamps, the
# event with its seat count, the registration questions and the organisers' paragraph (both
# remembered when the caches are on); then the event's lock, the count under it, the registration,
# its audit entry, its message and the stamps (one statement). SQLite's BEGIN IMMEDIATE (one per
# transaction) is not counted. Before issue 19's second pass: 10 cold, 9 warm. On PostgreSQL the
# audit entry and the message go in one statement (the entry's INSERT as a CTE of the message's):
# one fewer. Since issue 19's third pass, on PostgreSQL the count under the lock also draws the new
# registration's id from its sequence, and ONE statement writes the registration, its audit entry,
# its message and moves the change stamps (CTEs of the message's INSERT): 7 cold, 5 warm (were 9, 7).
# Since the fourth pass the event's first read also tells whether it has questions and paragraphs of
# its organisers (page_facts.keep): an event without them reads neither, cold too (were 10 and 7).
REGISTER = {"cold": 8, "warm": 8}
REGISTER_POSTGRESQL = {"cold": 5, "warm": 5}
# Register again after cancelling (the row revived): as a first one, but the registration's row is
# read under the lock and UPDATEd once (not twice, with a read of its answers between: issue 19),
# and the person's confirmed session sign-ups are looked up for their invitations. On PostgreSQL the
# audit entry's INSERT moves the stamps too (one fewer).
REGISTER_AGAIN = {"cold": 10, "warm": 10}  # were 14 and 13, then 12 cold (the fourth pass as above)
REGISTER_AGAIN_POSTGRESQL = {"cold": 9, "warm": 9}  # 11 cold before the fourth pass
# Cancel (confirmed, nobody waiting): the user, the event; under the lock the event, the person's
# registration, its audit entry and UPDATE, their sign-ups (one read for the calendar and the
# sign-ups), the event's SEQUENCE, the calendar cancellation, the waiting list (free seats counted
# in the same statement) and the stamps (one statement for all). Was 17 (the registration read
# before the lock and again under it, the sign-ups twice, the seats counted apart from the waiting
# list, one statement per stamp, the event and the user read again after the commit).
# Since issue 19's fourth pass the event's first read is its lock (cancelling.locked_visible: no
# unlocked read before it) and the registration is read with whether the person has sign-ups its
# end touches and whether anyone waits (neither list is read when empty): 8.
CANCEL = 8
# On PostgreSQL the audit entry is written last, with the change stamps, in one statement; since
# the fourth pass the registration's and the event's UPDATEs and the calendar cancellation are
# CTEs of that statement too (transactions.write_now): the user, the event locked, the
# registration with its facts, one write. Was 10.
CANCEL_POSTGRESQL = 4


def _sent(statements: list[str]) -> list[str]:
    """The statements but SQLite's BEGIN IMMEDIATE (one per transaction: it holds the write lock)."""
    return [statement for statement in statements if not statement.startswith("BEGIN")]


@pytest.fixture(params=["cold", "warm"])
def caches(request, app, monkeypatch):
    if request.param == "cold":
        monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
        monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
    yield request.param
    if request.param == "cold":
        app.extensions.pop(fragments.EXTENSION, None)


def _register(client, event_id):
    return client.post(f"/events/{event_id}/register", data={"role": "participant", "consent": "y"})


@contextmanager
def recorded(db, width: int | None = 120):
    """The statements sent (each on one line, cut to `width` characters)."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split())[:width])

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("status", [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED])
def test_registering_costs_a_fixed_number_of_statements(db, make, login, caches, status):
    """The warm caches hold what earlier registrations of the event read (the first registration
    and the first one on the waiting list)."""
    event = make.event(capacity=1 if status == RegistrationStatus.WAITLISTED else 5)
    event_id = event.id
    for _ in range(2 if status == RegistrationStatus.WAITLISTED else 1):
        assert _register(login(make.user()), event_id).status_code == 302
    client = login(make.user())
    with recorded(db) as statements:
        response = _register(client, event_id)
    assert response.status_code == 302
    statuses = db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)
                                  .order_by(Registration.id)).all()
    assert statuses[-1] == status
    pinned = REGISTER_POSTGRESQL if db.engine.dialect.name == "postgresql" else REGISTER
    assert len(_sent(statements)) == pinned[caches], "\n".join(statements)


def test_registering_again_costs_a_fixed_number_of_statements(db, make, login, caches):
    event = make.event(capacity=5)
    client, event_id = login(make.user()), event.id
    assert _register(client, event_id).status_code == 302
    assert client.post(f"/events/{event_id}/registration/cancel").status_code == 302
    with recorded(db) as statements:
        response = _register(client, event_id)
    assert response.status_code == 302
    assert db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)).all() == [
        RegistrationStatus.CONFIRMED]
    pinned = REGISTER_AGAIN_POSTGRESQL if db.engine.dialect.name == "postgresql" else REGISTER_AGAIN
    assert len(_sent(statements)) == pinned[caches], "\n".join(statements)
    assert len([s for s in statements if s.startswith("UPDATE registrations")]) == 1, statements


def test_cancelling_costs_a_fixed_number_of_statements(db, make, login):
    event = make.event(capacity=5)
    person = make.user()
    client = login(person)
    assert _register(client, event.id).status_code == 302
    event_id, person_id = event.id, person.id
    with recorded(db) as statements:
        response = client.post(f"/events/{event_id}/registration/cancel")
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).one()
    assert registration.status == RegistrationStatus.CANCELLED
    assert db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_user_id == person_id)
                              .order_by(OutboxMessage.id)).all() == ["calendar.invitation", "calendar.registration_cancelled"]
    pinned = CANCEL_POSTGRESQL if db.engine.dialect.name == "postgresql" else CANCEL
    assert len(_sent(statements)) == pinned, "\n".join(statements)


def test_a_cancellation_that_frees_a_seat_promotes_in_one_read_of_the_waiting_list(db, make, login):
    """The free seats are counted in the statement that reads the waiting list."""
    event = make.event(capacity=1)
    holder, waiting = make.user(), make.user()
    client = login(holder)
    _register(client, event.id)
    _register(login(waiting), event.id)
    event_id = event.id
    with recorded(db, width=None) as statements:
        assert client.post(f"/events/{event_id}/registration/cancel").status_code == 302
    waiting_list_reads = [s for s in statements if s.startswith("SELECT") and "FROM registrations" in s
                          and "count(" in s.lower()]
    assert len(waiting_list_reads) == 1 and " LIMIT " in waiting_list_reads[0], waiting_list_reads
    assert db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)
                              .order_by(Registration.id)).all() == [RegistrationStatus.CANCELLED,
                                                                    RegistrationStatus.CONFIRMED]
