""""Attended" is a fact stored on the registration (issue 19): checked_in_at, the earliest of its
day and session check-ins, kept on every path that checks in or undoes a check-in, kept by a
registration revived after a check-in, and set by the migration on rows imported with check-ins
only; the SQL rule the reports count with and the loaded row agree at every step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, insert, select, update

from app.events.models import Session
from app.extensions import db
from app.registrations import attendance, cancelling, register
from app.registrations.models import Registration
from app.reports import participants
from app.reports.scope import ReportFilter, Scope
from app.timeutil import set_now
from tests import factories
from tests.test_migrations import MIGRATIONS, _migrating_app, migrated_url  # noqa: F401 (a fixture)

START = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # 09:00 in Brussels, three days


def _training(make, organiser):
    return make.event(kind="training", starts_at=START, ends_at=START + timedelta(days=2, hours=9),
                      organisers=[organiser], capacity=20)


def _registered(make, event):
    set_now(START - timedelta(days=7))
    return register.register(event, make.user(), consent=True).registration


def _attended(registration: Registration, coordinator) -> tuple[bool, bool, int]:
    """(the loaded row, the SQL rule, the reports' count) for the registration's event."""
    db.session.refresh(registration)
    in_sql = db.session.scalar(select(Registration.id).where(Registration.id == registration.id,
                                                             attendance.attended_clause())) is not None
    cells = participants.participant_cells(Scope(coordinator, ReportFilter(), START + timedelta(days=30)))
    return attendance.attended(registration), in_sql, participants.totals(cells)["attended"]


def test_checked_in_at_is_the_earliest_check_in_through_every_check_in_and_undo(db, make, organiser,
                                                                                 itip_calls):
    coordinator = make.user(role="coordinator")
    event = _training(make, organiser)
    second_day = make.session(event, starts_at=START + timedelta(days=1, hours=1))
    registration = _registered(make, event)
    assert registration.checked_in_at is None and _attended(registration, coordinator) == (False, False, 0)

    set_now(START + timedelta(days=1))  # the second day: its session
    attendance.check_in_session(registration, second_day, organiser)
    assert registration.checked_in_at == START + timedelta(days=1)
    set_now(START + timedelta(days=3))  # after the event: the two days, as late corrections
    attendance.check_in(registration, date(2027, 3, 8), organiser, late_correction=True)
    set_now(START + timedelta(days=4))
    attendance.check_in(registration, date(2027, 3, 9), organiser, late_correction=True)
    assert registration.checked_in_at == START + timedelta(days=1)  # the session's, the earliest
    assert _attended(registration, coordinator) == (True, True, 1)

    attendance.undo_session_check_in(registration, second_day, organiser)
    assert registration.checked_in_at == START + timedelta(days=3)  # now the first day's
    attendance.undo_check_in(registration, date(2027, 3, 8), organiser)
    assert registration.checked_in_at == START + timedelta(days=4)
    assert _attended(registration, coordinator) == (True, True, 1)
    attendance.undo_check_in(registration, date(2027, 3, 9), organiser)
    assert registration.checked_in_at is None
    assert _attended(registration, coordinator) == (False, False, 0)


def test_a_check_in_outlives_its_deleted_session_and_a_revived_registration_keeps_its_check_ins(
        db, make, organiser, itip_calls):
    coordinator = make.user(role="coordinator")
    event = _training(make, organiser)
    session = make.session(event, starts_at=START)
    at_session, on_day = _registered(make, event), _registered(make, event)
    set_now(START - timedelta(minutes=30))  # the first day, before the start
    attendance.check_in_session(at_session, session, organiser)
    attendance.check_in(on_day, date(2027, 3, 8), organiser)

    # A deleted session takes its check-ins with it; the person still attended (as before).
    db.session.delete(db.session.get(Session, session.id))
    db.session.commit()
    assert _attended(at_session, coordinator)[:2] == (True, True)

    # Cancelled by the organisers, then registered again before the start: the day's check-in is
    # still recorded, so the person attended, in the loaded row and in the reports alike.
    checked_in_at = on_day.checked_in_at
    assert cancelling.cancel_registration(on_day, organiser, by_organiser=True).ok
    assert _attended(on_day, coordinator) == (False, False, 1)
    revived = register.register(event, on_day.user, consent=True).registration
    assert revived.id == on_day.id and revived.checked_in_at == checked_in_at
    assert _attended(revived, coordinator) == (True, True, 2)


def _event_at_that_revision() -> SimpleNamespace:
    """An event written into the events table as the old revision has it (the model has columns
    added since, e.g. tallied_held), with what the factories read of an event."""
    events = Table("events", MetaData(), autoload_with=db.session.connection())
    ends_at = START + timedelta(days=3)
    event_id = db.session.execute(insert(events).values(
        uid="attended-fact-migration", sequence=0, kind="workshop", format="in_person", status="published",
        title="Workshop", starts_at=START, ends_at=ends_at, timezone="Europe/Brussels", registration_mode="open",
        reminder_days="7,1", created_at=START, updated_at=START,
    ).returning(events.c.id)).scalar_one()
    db.session.commit()
    return SimpleNamespace(id=event_id, starts_at=START, ends_at=ends_at, timezone="Europe/Brussels")


def test_the_migration_sets_checked_in_at_on_rows_imported_with_check_ins_only(migrated_url):  # noqa: F811
    app = _migrating_app(migrated_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="p19dash00001")
        event = _event_at_that_revision()
        session = factories.session(event, starts_at=START + timedelta(hours=2))
        people = [factories.user() for _ in range(4)]
        by_day, by_session, by_both, at_the_door = (factories.registration(event, person) for person in people)
        factories.attendance_day(by_day, date(2027, 3, 9), START + timedelta(days=1))
        factories.session_attendance(by_session, session)
        factories.session_attendance(by_both, session)
        factories.attendance_day(by_both, date(2027, 3, 8), START + timedelta(minutes=30))
        # Imported history: the check-ins without the registration's column; at the door: the column only.
        db.session.execute(update(Registration).values(checked_in_at=None))
        db.session.execute(update(Registration).where(Registration.id == at_the_door.id).values(checked_in_at=START))
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        db.session.expire_all()
        assert [db.session.get(Registration, r.id).checked_in_at for r in (by_day, by_session, by_both, at_the_door)] == [
            START + timedelta(days=1), START + timedelta(hours=2), START + timedelta(minutes=30), START]
        db.session.remove()
        db.engine.dispose()
