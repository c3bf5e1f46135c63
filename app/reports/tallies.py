"""The participation tallies (app.reports.models.ParticipationTally), kept exact by the database.

Every write that can change a person's participation figures fires a trigger that recounts that
person's row from their registrations (about nine rows, by ix_registrations_user_id_status), with
the one statement of those figures (app.reports.participants.per_person, held = Event.tallied_held)
compiled for the dialect: so every write path (the ORM, raw statements, bulk updates, foreign-key
cascades, erasing a user) keeps the tallies right without the application remembering to. Recounting
rather than adding deltas keeps a trigger simple and any missed write impossible to accumulate.

What fires a recount, and for whom:
- registrations: insert, delete, a change of status, role, check-in, event or person (both persons);
- session_attendance: insert, delete, a change of session or registration (a training session's
  check-in trains its person);
- sessions: a change of kind (to or from training); a deleted session's check-ins are deleted by
  their foreign key's cascade, which fires the session_attendance trigger;
- events: a change of status, kind or tallied_held (every registrant, in user_id order).

On PostgreSQL a recount first locks the person's row (creating it when the person has a counted
registration), then recounts in a new statement: under READ COMMITTED each statement of a plpgsql
function takes a fresh snapshot, so two transactions registering one person at once cannot lose each
other's count (the second waits for the first to commit, then sees both). A person with nothing
left to count loses their row, so erasing a user never inserts a row for them. SQLite has one
writer at a time: its triggers delete the rows and insert them again.

The held figures depend on the clock: the tallies count an event's registrations as held when its
tallied_held flag says so, the scheduler moves the flags once events end (move_flags, job
participation_tallies) and the report corrects, live, for the few events whose flag lags
(participants._tallied_cells_statement), so its figures are exact whatever the flags say.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, func, literal_column, select, text, update

from app.cache import stamps
from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.reports.models import ParticipationTally
from app.reports.participants import per_person

TABLE = ParticipationTally.__tablename__
COLUMNS = ("user_id", "registrations", "attended", "held_registrations", "held_attended", "trained")
RECOUNT = "participation_tally_recount"  # the PostgreSQL function recounting one person

# (trigger name, table, operation, condition on the changed row or None, whose rows to recount:
# SQL selecting user ids, NEW/OLD naming the row).
_PEOPLE_OF_REGISTRATION = "SELECT user_id FROM registrations WHERE id = {row}.registration_id"
TRIGGERS = [
    ("tally_registrations_insert", "registrations", "INSERT", None, "SELECT NEW.user_id"),
    ("tally_registrations_delete", "registrations", "DELETE", None, "SELECT OLD.user_id"),
    ("tally_registrations_update", "registrations", "UPDATE OF status, role, checked_in_at, event_id, user_id",
     ("status", "role", "checked_in_at", "event_id", "user_id"), "SELECT NEW.user_id UNION SELECT OLD.user_id"),
    ("tally_session_attendance_insert", "session_attendance", "INSERT", None,
     _PEOPLE_OF_REGISTRATION.format(row="NEW")),
    ("tally_session_attendance_delete", "session_attendance", "DELETE", None,
     _PEOPLE_OF_REGISTRATION.format(row="OLD")),
    ("tally_session_attendance_update", "session_attendance", "UPDATE OF session_id, registration_id",
     ("session_id", "registration_id"),
     f"{_PEOPLE_OF_REGISTRATION.format(row='NEW')} UNION {_PEOPLE_OF_REGISTRATION.format(row='OLD')}"),
    ("tally_sessions_update", "sessions", "UPDATE OF kind", ("kind",),
     "SELECT registrations.user_id FROM registrations JOIN session_attendance "
     "ON session_attendance.registration_id = registrations.id WHERE session_attendance.session_id = NEW.id"),
    ("tally_events_update", "events", "UPDATE OF status, kind, tallied_held", ("status", "kind", "tallied_held"),
     "SELECT user_id FROM registrations WHERE event_id = NEW.id"),
]


def counted(people, *, fence: bool = False):
    """Per person among `people` (a condition on Registration.user_id), the figures the tallies
    hold (COLUMNS' order): confirmed registrations at published events, held = Event.tallied_held."""
    return per_person(Event.tallied_held, Event.status == EventStatus.PUBLISHED, people, fence=fence)


def _sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in columns)


# The registrations' triggers fire only for a row the tallies count, before or after the change: the
# tallies hold confirmed registrations alone (per_person), so a registration that joins the waiting
# list, waits for approval or leaves either changes no one's figures. In the registration benchmark
# about a third of the rows over 50 events, and most on one full event, are such rows.
_COUNTED_ROWS = {"tally_registrations_insert": ("NEW",), "tally_registrations_delete": ("OLD",),
                 "tally_registrations_update": ("OLD", "NEW")}


def _when(name: str, columns, dialect) -> str:
    """The trigger's WHEN condition ("" for none): a counted row (_COUNTED_ROWS) and a change of
    one of `columns`."""
    parts = []
    rows_counted = _COUNTED_ROWS.get(name)
    if rows_counted:
        confirmed = _sql(Registration.status == RegistrationStatus.CONFIRMED, dialect)
        parts.append(" OR ".join(confirmed.replace("registrations.", f"{row}.") for row in rows_counted))
    if columns:
        changed = _changed(columns)
        parts.append(changed if dialect.name == "postgresql" else changed.replace("IS DISTINCT FROM", "IS NOT"))
    return " AND ".join(f"({part})" for part in parts)


def _postgresql(dialect) -> list[str]:
    """The recount function and one trigger function and trigger per entry of TRIGGERS."""
    one = _sql(counted(Registration.user_id == literal_column("person")), dialect)
    figures = ", ".join(COLUMNS[1:])
    statements = [f"""
CREATE OR REPLACE FUNCTION {RECOUNT}(person integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM {TABLE} WHERE user_id = person FOR UPDATE;
    IF NOT FOUND THEN
        -- Nobody counted this person yet: the row, when they have a counted registration. When
        -- another transaction is inserting it, this waits for it and leaves its row.
        INSERT INTO {TABLE} ({", ".join(COLUMNS)}) {one} ON CONFLICT (user_id) DO NOTHING;
        IF FOUND THEN
            RETURN;
        END IF;
        PERFORM 1 FROM {TABLE} WHERE user_id = person FOR UPDATE;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    -- Locked: this statement's snapshot sees every transaction that recounted before.
    UPDATE {TABLE} SET ({figures}) = ({", ".join("recounted." + name for name in COLUMNS[1:])})
    FROM ({one}) AS recounted WHERE {TABLE}.user_id = person;
    IF NOT FOUND THEN
        DELETE FROM {TABLE} WHERE user_id = person;
    END IF;
END $$"""]
    for name, table, operation, columns, people in TRIGGERS:
        if people.startswith("SELECT NEW.user_id UNION"):
            body = (f"PERFORM {RECOUNT}(LEAST(NEW.user_id, OLD.user_id));\n    IF NEW.user_id <> OLD.user_id THEN\n"
                    f"        PERFORM {RECOUNT}(GREATEST(NEW.user_id, OLD.user_id));\n    END IF;")
        elif people in ("SELECT NEW.user_id", "SELECT OLD.user_id"):
            body = f"PERFORM {RECOUNT}({people.removeprefix('SELECT ')});"
        else:  # several people: in user_id order, so two such recounts lock them in the same order
            body = (f"FOR person IN SELECT DISTINCT user_id FROM ({people}) AS people ORDER BY user_id LOOP\n"
                    f"        PERFORM {RECOUNT}(person);\n    END LOOP;")
        statements.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    person integer;
BEGIN
    {body}
    RETURN NULL;
END $$""")
        condition = _when(name, columns, dialect)
        when = f" WHEN ({condition})" if condition else ""
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        statements.append(f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} "
                          f"EXECUTE FUNCTION {name}()")
    return statements


def _sqlite(dialect) -> list[str]:
    """One trigger per entry of TRIGGERS: the people's rows deleted, then inserted from a recount."""
    statements = []
    for name, table, operation, columns, people in TRIGGERS:
        chosen = Registration.user_id.in_(text(people).columns(Registration.user_id))
        recount = _sql(counted(chosen), dialect)
        condition = _when(name, columns, dialect)
        when = f" WHEN {condition}" if condition else ""
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"""
CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when}
BEGIN
    DELETE FROM {TABLE} WHERE user_id IN ({people});
    INSERT INTO {TABLE} ({", ".join(COLUMNS)}) {recount};
END""")
    return statements


def trigger_statements(dialect) -> list[str]:
    """The DDL creating (or replacing) the triggers on `dialect`."""
    return _postgresql(dialect) if dialect.name == "postgresql" else _sqlite(dialect)


def drop_statements(dialect) -> list[str]:
    """The DDL dropping the triggers (and on PostgreSQL their functions)."""
    if dialect.name == "postgresql":
        return [*(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, *_rest in TRIGGERS),
                *(f"DROP FUNCTION IF EXISTS {name}()" for name, *_rest in TRIGGERS),
                f"DROP FUNCTION IF EXISTS {RECOUNT}(integer)"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name, *_rest in TRIGGERS]


def create_triggers(connection) -> None:
    for statement in trigger_statements(connection.dialect):
        connection.exec_driver_sql(statement)


def drop_triggers(connection) -> None:
    for statement in drop_statements(connection.dialect):
        connection.exec_driver_sql(statement)


def backfill(connection, at: datetime) -> int:
    """Every event's flag as at `at` and every person's tally, counted in set statements (with the
    triggers absent: a migration, a bulk load, or triggers dropped around it). Returns the tallies."""
    connection.execute(_flags_set(Event.ends_at <= at))
    table = ParticipationTally.__table__
    connection.execute(table.delete())
    connection.execute(table.insert().from_select(list(COLUMNS), counted(Registration.user_id.is_not(None), fence=True)))
    return connection.scalar(select(func.count()).select_from(table))


def _flags_set(held):
    """UPDATE events SET tallied_held = `held`, nothing else: the flag is the tallies' bookkeeping,
    not a change of the event (its updated_at stays, and no page shows the flag, so no cached
    page's change stamp moves either: move_flags runs the statement as noted)."""
    return update(Event).values(tallied_held=held, updated_at=Event.updated_at)


def move_flags(at: datetime) -> int:
    """Set tallied_held on the events whose held state at `at` differs from it (the events
    trigger recounts their registrants); commits. Returns how many moved. Idempotent: a second
    run at the same instant finds nothing to move."""
    held = Event.ends_at <= at
    moved = db.session.execute(
        _flags_set(held).where(held != Event.tallied_held)
        .execution_options(synchronize_session=False, **{stamps.NOTED: True})
    ).rowcount
    db.session.commit()
    return moved


@event.listens_for(db.metadata, "after_create")
def _create_with_schema(metadata, connection, **_kw) -> None:
    """The triggers come with the tables metadata.create_all builds (tests, bench data)."""
    if metadata.tables.keys() >= {TABLE, "registrations", "events", "sessions", "session_attendance"}:
        create_triggers(connection)
