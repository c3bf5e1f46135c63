"""A pooled connection that sat idle is tested before use and replaced if the server dropped it
(app.db_events.install_idle_ping); a connection used a moment ago costs no extra round trip."""

from __future__ import annotations

from sqlalchemy import select

from app import db_events
from app.accounts.models import User


def _pooled_records(engine):
    return list(engine.pool._pool.queue)  # the idle connections, as the pool keeps them


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(app, db, make):
    make.user(email="olena@police.gov.ua")
    db.session.close()
    if db.engine.dialect.name == "sqlite":
        assert ("ping", id(db.engine)) not in db_events._installed  # no server to drop connections
        return
    import psycopg

    # Every pooled connection dies on the server (a restart, a firewall's idle timeout) ...
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as outside:
        outside.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    # ... and is next handed out after sitting idle: the request still gets its answer.
    for record in _pooled_records(db.engine):
        record.info[db_events._LAST_USED] -= 3600
    with app.test_request_context("/", method="GET"):
        assert db.session.scalar(select(User.email)) == "olena@police.gov.ua"
        db.session.close()

    # A connection used a moment ago is handed out as it is: no test statement.
    import time

    for record in _pooled_records(db.engine):
        record.info[db_events._LAST_USED] = time.monotonic()
    pings: list[int] = []
    original = db.engine.dialect.do_ping
    db.engine.dialect.do_ping = lambda connection: pings.append(1) or original(connection)
    try:
        with app.test_request_context("/", method="GET"):
            db.session.scalar(select(User.email))
            db.session.close()
    finally:
        db.engine.dialect.do_ping = original
        # The other pooled connections were killed above and then marked as used a moment ago:
        # drop them all, so no later test is handed a dead one without a test statement.
        db.engine.dispose()
    assert pings == []
