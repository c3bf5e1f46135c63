"""GET requests read PostgreSQL without BEGIN/ROLLBACK round trips (app.db_events), yet a GET
that writes still writes in one transaction, and nothing leaks into the next use of the connection."""

from __future__ import annotations

from sqlalchemy import func, select

from app.directory.models import Organisation


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def test_a_get_reads_outside_a_transaction_and_writes_inside_one(app, db):
    postgresql = db.engine.dialect.name == "postgresql"
    db.session.close()  # the test's own connection goes back to the pool
    with app.test_request_context("/events", method="GET"):
        assert _count(db) == 0
        raw = db.session.connection().connection.dbapi_connection
        if postgresql:
            from psycopg.pq import TransactionStatus

            assert raw.autocommit is True
            assert raw.info.transaction_status == TransactionStatus.IDLE  # no BEGIN was sent
        db.session.add(Organisation(name="Border Police of Moldova", country="MD"))
        db.session.add(Organisation(name="National Police of Ukraine", country="UA"))
        db.session.flush()
        if postgresql:
            assert raw.autocommit is False
            assert raw.info.transaction_status == TransactionStatus.INTRANS
        db.session.rollback()  # a failure after the writes: both go
        assert _count(db) == 0
        db.session.close()
    # A later request that is not a GET gets a transactional connection, as always.
    with app.test_request_context("/events", method="POST"):
        _count(db)
        raw = db.session.connection().connection.dbapi_connection
        if postgresql:
            assert raw.autocommit is False
        db.session.close()


def test_a_get_that_commits_keeps_its_writes(app, db):
    db.session.close()
    with app.test_request_context("/", method="GET"):
        db.session.add(Organisation(name="Europol", country="NL"))
        db.session.commit()
        db.session.close()
    assert _count(db) == 1


def test_a_row_lock_taken_in_a_get_is_held_until_the_transaction_ends(app, db, make):
    from app.events.models import Event

    event_id = make.event().id
    db.session.close()
    with app.test_request_context("/", method="GET"):
        locked = db.session.execute(select(Event).where(Event.id == event_id).with_for_update()).scalar_one()
        assert locked.id == event_id
        raw = db.session.connection().connection.dbapi_connection
        if db.engine.dialect.name == "postgresql":
            from psycopg.pq import TransactionStatus

            assert raw.autocommit is False
            assert raw.info.transaction_status == TransactionStatus.INTRANS  # the lock is still held
        db.session.rollback()
        db.session.close()


def test_a_reports_settings_hold_for_its_statements_on_a_get_and_end_with_the_request(app, db):
    """The report's aggregates run with a raised work_mem and parallel workers allowed (SET LOCAL):
    on a GET, read in autocommit, such a setting used to end with its own statement, so every
    dashboard ran with the server's defaults. It now holds until the request's transaction ends,
    and the next request on the same connection has the defaults again."""
    from sqlalchemy import text

    from app.reports.counting import PG_PARALLEL, PG_WORK_MEM, tune_for_aggregates

    if db.engine.dialect.name != "postgresql":
        with app.test_request_context("/reports/", method="GET"):
            tune_for_aggregates()  # nothing to tune on SQLite, and nothing breaks
            assert _count(db) == 0
        return
    db.session.close()
    with app.test_request_context("/reports/", method="GET"):
        default = db.session.execute(text("SHOW work_mem")).scalar()
        assert default != PG_WORK_MEM
        tune_for_aggregates()
        assert db.session.execute(text("SHOW work_mem")).scalar() == PG_WORK_MEM
        assert _count(db) == 0
        assert db.session.execute(text("SHOW parallel_setup_cost")).scalar() == PG_PARALLEL["parallel_setup_cost"]
        db.session.remove()
    with app.test_request_context("/reports/", method="GET"):
        assert db.session.execute(text("SHOW work_mem")).scalar() == default
        assert db.session.execute(text("SHOW parallel_setup_cost")).scalar() != PG_PARALLEL["parallel_setup_cost"]
        db.session.remove()
