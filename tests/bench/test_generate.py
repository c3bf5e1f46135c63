"""The benchmark data generator: a tiny scale on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select, text

from app.accounts.models import Role, User
from app.events.models import Event, Session
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus
from bench import generate

ANCHOR = date(2026, 3, 2)


def _fill(db, seed: int = 7) -> dict:
    return generate.fill(db.engine, scale=0.001, seed=seed, anchor=ANCHOR, verbose=False)


def _wipe(db) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    db.session.remove()


def _snapshot(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
            if table.name not in ("change_stamps", "change_stamps_shards")  # cache counters, new random after a load
        }


def test_tiny_scale_fills_every_main_table_within_the_rules(app, db):
    manifest = _fill(db)
    counts = generate.Counts.for_scale(0.001)

    assert db.session.scalar(select(func.count()).select_from(Event)) == counts.events
    assert db.session.scalar(select(func.count()).select_from(Session)) == counts.events * 10
    assert manifest["counts"]["registrations"] >= counts.registrations * 0.8
    assert manifest["counts"]["lessons"] == counts.lessons
    assert manifest["counts"]["follow_up_actions"] == counts.actions

    # The named accounts and events the runner relies on.
    member = db.session.scalar(select(User).where(User.email == generate.MEMBER_EMAIL))
    assert member.role == Role.MEMBER
    assert db.session.scalar(select(User.role).where(User.email == generate.COORDINATOR_EMAIL)) == Role.COORDINATOR
    confirmed = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.user_id == member.id, Registration.status == RegistrationStatus.CONFIRMED)
    )
    assert confirmed == counts.member_registrations
    big = db.session.scalar(select(Event).where(Event.uid == generate.BIG_EVENT_UID))
    assert db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.event_id == big.id)
    ) == counts.big_event_registrations
    target = db.session.scalar(select(Event).where(Event.uid == generate.TARGET_EVENT_UID))
    assert target.capacity == counts.target_capacity
    assert db.session.scalar(select(func.count()).where(Registration.event_id == target.id)) == 0
    assert target.registration_opens_at < datetime(2026, 3, 2, tzinfo=UTC) < target.registration_closes_at

    # Capacity is never exceeded by seat-taking confirmed registrations.
    seats = (
        select(Registration.event_id, func.count().label("taken"))
        .where(Registration.status == RegistrationStatus.CONFIRMED,
               Registration.role.in_([ParticipantRole.PARTICIPANT, ParticipantRole.OBSERVER]))
        .group_by(Registration.event_id)
        .subquery()
    )
    over = db.session.scalar(
        select(func.count()).select_from(Event).join(seats, seats.c.event_id == Event.id)
        .where(Event.capacity.is_not(None), seats.c.taken > Event.capacity)
    )
    assert over == 0


def test_same_seed_and_anchor_give_the_same_rows(app, db):
    _fill(db, seed=11)
    first = _snapshot(db)
    _wipe(db)
    _fill(db, seed=11)
    assert _snapshot(db) == first
    _wipe(db)
    _fill(db, seed=12)
    assert _snapshot(db)["users"] != first["users"]


def test_bench_users_sign_in_and_new_rows_get_fresh_ids(app, db, client, make):
    _fill(db)
    response = client.post("/login", data={"email": generate.MEMBER_EMAIL, "password": generate.BENCH_PASSWORD})
    assert response.status_code == 302
    # Explicit ids must not leave PostgreSQL's sequences behind.
    newcomer = make.user()
    assert newcomer.id > db.session.scalar(select(func.count()).select_from(User)) - 1
