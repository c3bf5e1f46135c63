"""Count the SQL statements a block of test code sends."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.cache import fragments
from app.extensions import db


class QueryCounter:
    """Counts the SQL statements sent to the engine inside a `with` block."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []
        self.connections: set[int] = set()  # the DBAPI connections they ran on (by id)

    def _count(self, conn, cursor, statement, *args, **kwargs):
        self.count += 1
        self.statements.append(statement)
        self.connections.add(id(getattr(cursor, "connection", None)))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def cold_statements(app, client, url: str) -> tuple[list[str], str]:
    """The statements `url` sends when its cached entries are built afresh (asked once to warm
    everything else, the cache emptied, asked again; SQLite's BEGIN left out), and the page."""
    client.get(url)
    fragments.clear(app)
    statements, page = sent_by(client, url, lambda statement: not statement.startswith("BEGIN"))
    return [" ".join(statement.split()) for statement in statements], page


def sent_by(client, url: str, kept=lambda statement: True) -> tuple[list[str], str]:
    """The statements (those `kept` keeps) the GET of `url` sends, and its page (it must answer 200)."""
    seen: list[str] = []

    def _seen(conn, cursor, statement, *args):
        if kept(statement):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    assert response.status_code == 200
    return seen, response.get_data(as_text=True)


def without_literals(statement: str) -> str:
    """The statement with its quoted string constants emptied: the change stamps' read names every
    table as a constant ('registration_answers', 'session_signups@*'), which is not reading them."""
    return re.sub(r"'[^']*'", "''", statement)
