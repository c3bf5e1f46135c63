"""Count the SQL statements a block of test code sends."""

from __future__ import annotations

from sqlalchemy import event


class QueryCounter:
    """Counts the SQL statements sent to the engine inside a `with` block."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)
