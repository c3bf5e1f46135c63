"""On PostgreSQL the app's longer statements keep their parsed form in psycopg
(app.db_events.keep_long_statements_parsed): a statement over psycopg's default 4,096 bytes runs
its second time without being parsed again."""

from __future__ import annotations

from sqlalchemy import text


def test_a_long_statement_is_parsed_once(app, db):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's driver parses nothing in Python
    from psycopg import _queries

    # 5.5 kB, as the event page's rows and the lessons library's search are (4.4–7.2 kB).
    columns = ", ".join(f":value + {n} AS column_{n:04d}" for n in range(300))
    statement = text(f"SELECT {columns}")
    assert len(str(statement)) > 4096
    before = _queries._query2pg.cache_info()
    for value in (1, 2):
        assert db.session.execute(statement, {"value": value}).first()[0] == value
    after = _queries._query2pg.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
