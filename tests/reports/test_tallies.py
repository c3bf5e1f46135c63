"""The participation tallies (app.reports.tallies): whatever writes happen, through the ORM, raw
statements, bulk updates or foreign-key cascades, the network-wide cells read from the tallies
equal the cells counted live from the registrations, at any report instant, whether or not the
scheduler has moved the events' flags since."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from app.accounts.models import Role
from app.events.models import EventKind, EventStatus, Session, SessionKind
from app.extensions import db
from app.privacy.deletion import delete_account
from app.registrations.models import (
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.reports import participants, tallies
from app.reports.cache import NetworkViewer
from app.reports.models import ParticipationTally
from app.reports.scope import ReportFilter, Scope
from app.scheduler.jobs import JOBS_BY_ID
from app.timeutil import now, set_now
from tests import factories
from tests.reports.dataset import NOW


def _cells(at, build) -> list:
    scope = Scope(NetworkViewer(), ReportFilter(), at)
    return sorted((tuple(row) for row in scope.rows(build)), key=repr)


def assert_tallies_exact(label: str) -> None:
    """The tallied cells equal the live ones at instants before, between and after the events' ends."""
    db.session.commit()
    for days in (-40, -3, 0, 2, 9, 60):
        at = NOW + timedelta(days=days)
        live = _cells(at, participants._cells_statement)
        assert _cells(at, participants._tallied_cells_statement) == live, f"{label}, report at {days:+} days"
    db.session.commit()


class _World:
    """A few people, events, sessions and registrations, and the writes the test draws from."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        countries = ("UA", "MD", "GE")
        organisations = [factories.organisation(country=country) for country in countries]
        self.admin = factories.user(Role.ADMIN)
        self.people = [factories.user(organisation=rng.choice(organisations), country=rng.choice((None, *countries)))
                       for _ in range(10)]
        self.events = []
        for index in range(5):
            start = NOW + timedelta(days=rng.choice((-30, -10, -2, 1, 5)))
            event = factories.event(starts_at=start, days=1 + index % 2, kind=rng.choice(("training", "workshop")))
            self.events.append(event)
            for kind in (SessionKind.TRAINING, SessionKind.PLENARY):
                factories.session(event, kind=kind)
        for person in self.people:
            for event in rng.sample(self.events, 2):
                factories.registration(event, person, checked_in=rng.random() < 0.5)

    def registrations(self) -> list[Registration]:
        return db.session.scalars(select(Registration).order_by(Registration.id)).all()

    def pick(self, items):
        return self.rng.choice(items) if items else None

    def status(self) -> RegistrationStatus:
        """Mostly confirmed: the status that counts."""
        return RegistrationStatus.CONFIRMED if self.rng.random() < 0.6 else self.pick(list(RegistrationStatus))

    # --- the writes: each returns a label, or None when it found nothing to do --------------------
    def register(self):
        person, event = self.pick(self.people), self.pick(self.events)
        if db.session.scalar(select(Registration.id).filter_by(event_id=event.id, user_id=person.id)):
            return None
        db.session.add(Registration(event_id=event.id, user_id=person.id, registered_at=now(),
                                    status=self.status(), role=self.pick(list(ParticipantRole))))
        return "register (ORM)"

    def set_status(self):
        registration = self.pick(self.registrations())
        if registration is None:
            return None
        registration.status = self.status()
        return "status change (ORM)"

    def promote_waitlisted(self):
        event = self.pick(self.events)
        db.session.execute(update(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED,
        ).values(status=RegistrationStatus.CONFIRMED))
        return "bulk promotion (UPDATE)"

    def check_in(self):
        registration = self.pick(self.registrations())
        if registration is None:
            return None
        value = None if registration.checked_in_at else now()
        db.session.execute(text("UPDATE registrations SET checked_in_at = :at WHERE id = :id"),
                           {"at": value, "id": registration.id})
        return "check-in or undo (raw SQL)"

    def change_role(self):
        registration = self.pick(self.registrations())
        if registration is None:
            return None
        registration.role = self.pick(list(ParticipantRole))
        return "role change (ORM)"

    def session_check_in(self):
        registration = self.pick(self.registrations())
        if registration is None:
            return None
        sessions = db.session.scalars(select(Session).where(Session.event_id == registration.event_id)).all()
        session = self.pick(sessions)
        if session is None:
            return None
        found = db.session.scalar(select(SessionAttendance).filter_by(session_id=session.id,
                                                                      registration_id=registration.id))
        if found is not None:
            db.session.delete(found)
            return "session check-in undone (ORM)"
        db.session.add(SessionAttendance(session_id=session.id, registration_id=registration.id, checked_in_at=now()))
        return "session check-in (ORM)"

    def move_session_check_in(self):
        found = self.pick(db.session.scalars(select(SessionAttendance)).all())
        if found is None:
            return None
        others = db.session.scalars(select(Session.id).where(Session.id != found.session_id)).all()
        taken = set(db.session.scalars(select(SessionAttendance.session_id).filter_by(
            registration_id=found.registration_id)).all())
        target = self.pick([session_id for session_id in others if session_id not in taken])
        if target is None:
            return None
        db.session.execute(text("UPDATE session_attendance SET session_id = :to WHERE id = :id"),
                           {"to": target, "id": found.id})
        return "session check-in moved (raw SQL)"

    def session_kind(self):
        session = self.pick(db.session.scalars(select(Session)).all())
        if session is None:
            return None
        session.kind = SessionKind.PLENARY if session.kind == SessionKind.TRAINING else SessionKind.TRAINING
        return "session kind (ORM)"

    def delete_session(self):
        session = self.pick(db.session.scalars(select(Session)).all())
        if session is None:
            return None
        db.session.execute(delete(Session).where(Session.id == session.id))
        return "session deleted (cascade)"

    def event_status(self):
        event = self.pick(self.events)
        event.status = EventStatus.PUBLISHED if event.status != EventStatus.PUBLISHED else self.pick(list(EventStatus))
        return "event status (ORM)"

    def event_kind(self):
        event = self.pick(self.events)
        event.kind = EventKind.WORKSHOP if event.kind == EventKind.TRAINING else EventKind.TRAINING
        return "event kind (ORM)"

    def move_end(self):
        """Across the report instants: the flag now lags the event's held state."""
        event = self.pick(self.events)
        event.starts_at = NOW + timedelta(days=self.rng.choice((-50, -5, -1, 1, 3, 20)))
        event.ends_at = event.starts_at + timedelta(hours=self.rng.choice((2, 30)))
        return "event end moved (ORM)"

    def delete_registration(self):
        registration = self.pick(self.registrations())
        if registration is None:
            return None
        db.session.execute(delete(Registration).where(Registration.id == registration.id))
        return "registration deleted (Core)"

    def erase_person(self):
        person = self.pick(self.people)
        self.people.remove(person)
        if self.rng.random() < 0.5:
            delete_account(person, self.admin)
            return "account deleted (the privacy service)"
        db.session.execute(delete(person.__class__).where(person.__class__.id == person.id))
        return "user row deleted (cascade)"

    def move_flags(self):
        tallies.move_flags(NOW + timedelta(days=self.rng.choice((-3, 0, 4))))
        return "flags moved"

    WRITES = ("register", "register", "register", "register", "register", "set_status", "promote_waitlisted", "check_in", "check_in",
              "change_role", "session_check_in", "session_check_in", "session_check_in", "move_session_check_in",
              "session_kind", "session_kind", "delete_session",
              "event_status", "event_kind", "move_end", "move_end", "delete_registration", "erase_person",
              "move_flags")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallied_cells_equal_the_live_ones_after_any_writes(app, seed):
    set_now(NOW)
    rng = random.Random(seed)
    world = _World(rng)
    assert_tallies_exact("the world built")
    done, tallied = [], []
    for _step in range(90):
        label = getattr(world, rng.choice(_World.WRITES))()
        if label is None:
            continue
        done.append(label)
        db.session.commit()
        assert_tallies_exact(f"seed {seed}, after {done[-3:]}")
        tallied.append(db.session.scalar(select(func.count()).select_from(ParticipationTally)))
    tallies.move_flags(NOW)
    assert_tallies_exact(f"seed {seed}, flags moved at the end")
    print(tallied, len(world.registrations()))
    assert min(tallied) >= 4, tallied  # the writes kept several people counted along the way


def test_a_person_without_a_counted_registration_has_no_tally(app):
    person, event = factories.user(), factories.event()
    registration = factories.registration(event, person)
    assert db.session.get(ParticipationTally, person.id).registrations == 1
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert db.session.get(ParticipationTally, person.id) is None


def test_a_training_session_check_in_trains_until_undone_or_its_session_changes(app):
    set_now(NOW)
    person = factories.user()
    event = factories.event(starts_at=NOW - timedelta(days=3))
    training, plenary = factories.session(event, kind=SessionKind.TRAINING), factories.session(event)
    registration = factories.registration(event, person)
    tallies.move_flags(NOW)

    def trained() -> int:
        db.session.expire_all()
        return db.session.get(ParticipationTally, person.id).trained

    check_in = SessionAttendance(session_id=training.id, registration_id=registration.id, checked_in_at=NOW)
    db.session.add(check_in)
    db.session.commit()
    assert trained() == 1
    db.session.delete(check_in)
    db.session.commit()
    assert trained() == 0
    factories.session_attendance(registration, plenary)
    assert trained() == 0
    db.session.execute(update(Session).where(Session.id == plenary.id).values(kind=SessionKind.TRAINING))
    db.session.commit()
    assert trained() == 1
    db.session.execute(delete(Session).where(Session.id == plenary.id))
    db.session.commit()
    assert trained() == 0
    assert_tallies_exact("after the training session checks")


def test_the_job_moves_the_flags_of_ended_events_and_the_tallies_follow(app):
    set_now(NOW)
    person = factories.user()
    ended = factories.event(starts_at=NOW - timedelta(days=3))
    coming = factories.event(starts_at=NOW + timedelta(days=3))
    factories.attendee(ended, person)
    factories.registration(coming, person)
    assert db.session.get(ParticipationTally, person.id).held_registrations == 0
    assert "1 event(s) moved" in str(JOBS_BY_ID["participation_tallies"].run(NOW))
    db.session.expire_all()
    assert (ended.tallied_held, coming.tallied_held) == (True, False)
    tally = db.session.get(ParticipationTally, person.id)
    assert (tally.registrations, tally.held_registrations, tally.held_attended) == (2, 1, 1)
    assert "0 event(s) moved" in str(JOBS_BY_ID["participation_tallies"].run(NOW))  # idempotent


def test_the_dashboard_reads_the_tallies_only_for_the_whole_network_without_filter(app):
    coordinator, organiser = factories.user(Role.COORDINATOR), factories.user(Role.ORGANISER)
    at = NOW
    assert participants.reads_tallies(Scope(coordinator, ReportFilter(), at))
    assert participants.reads_tallies(Scope(NetworkViewer(), ReportFilter(), at))
    assert not participants.reads_tallies(Scope(organiser, ReportFilter(), at))
    assert not participants.reads_tallies(Scope(coordinator, ReportFilter(country="UA"), at))


def test_two_connections_registering_one_person_at_once_both_count(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    people = [factories.user() for _ in range(6)]
    events = [factories.event(), factories.event()]
    factories.registration(factories.event(), people[0])  # one person already has a tally row
    db.session.commit()

    engine, failures = db.engine, []

    def register(person_id: int, event_id: int, barrier: threading.Barrier) -> None:
        try:
            with engine.connect() as connection:
                barrier.wait()  # both at once: the second waits for the first's lock on the person's tally
                connection.execute(text(
                    "INSERT INTO registrations (event_id, user_id, status, role, needs_visa_letter, created_at, "
                    "updated_at) VALUES (:event, :person, 'confirmed', 'participant', false, now(), now())"),
                    {"event": event_id, "person": person_id})
                connection.commit()
        except Exception as error:  # noqa: BLE001 (reported by the test's thread)
            failures.append(error)

    for person in people:
        barrier = threading.Barrier(2, timeout=30)
        threads = [threading.Thread(target=register, args=(person.id, event.id, barrier)) for event in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    db.session.expire_all()
    counts = {person.id: db.session.get(ParticipationTally, person.id).registrations for person in people}
    assert counts == {person.id: 3 if person is people[0] else 2 for person in people}
