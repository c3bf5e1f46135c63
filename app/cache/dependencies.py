"""The check that a cache entry's declared tables are the tables its build really reads.

While an entry is built under `watching(name, tables)` (app.cache.fragments does it when
CACHE_CHECK_DEPENDENCIES is on, as in the tests), every statement executed is inspected: the tables
are taken from SQLAlchemy's statement object as compiled (for ORM queries the statement the ORM
compiled, with its eager-load joins), never from the SQL text. Entries used inside the build count
with the tables they declare (the outer entry depends on them too). When the build is done, a table
read but not declared raises UndeclaredDependency, naming the entry and the tables to add.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import TableClause

# Read to key the entries, never part of what they hold.
NOT_DEPENDENCIES = frozenset({"change_stamps", "change_stamps_shards"})


class UndeclaredDependency(AssertionError):
    """A cache entry's build read a table that the entry does not declare."""


class _Watch:
    __slots__ = ("name", "declared", "read")

    def __init__(self, name: str, declared: frozenset[str]):
        self.name = name
        self.declared = declared
        self.read: set[str] = set()


_watches: ContextVar[tuple[_Watch, ...]] = ContextVar("liaison_cache_watches", default=())
_installed = False


def tables_of(statement) -> set[str]:
    """The names of the tables a statement object reads or writes (FROM lists, joins, subqueries)."""
    return {element.name for element in visitors.iterate(statement) if isinstance(element, TableClause)}


def _compiled_statement(context):
    compiled = getattr(context, "compiled", None)
    if compiled is None:  # BEGIN, PRAGMA, driver-level SQL: no statement object, no table
        return None
    compile_state = getattr(compiled, "compile_state", None)
    statement = getattr(compile_state, "statement", None)  # the ORM's compiled Core statement
    return statement if statement is not None else compiled.statement


def _before_cursor_execute(_conn, _cursor, _sql, _parameters, context, _executemany) -> None:
    watches = _watches.get()
    if not watches:
        return
    statement = _compiled_statement(context)
    if statement is None:
        return
    found = tables_of(statement) - NOT_DEPENDENCIES
    for watch in watches:
        watch.read.update(found)


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
        _installed = True


def note(tables) -> None:
    """An entry declaring `tables` is used: every entry being built around it depends on them."""
    for watch in _watches.get():
        watch.read.update(tables)


@contextmanager
def watching(name: str, tables):
    """Run a build of entry `name` (declaring `tables`); raise UndeclaredDependency if it read more."""
    watch = _Watch(name, frozenset(tables))
    token = _watches.set((*_watches.get(), watch))
    try:
        yield watch
    finally:
        _watches.reset(token)
    undeclared = watch.read - watch.declared
    if undeclared:
        raise UndeclaredDependency(
            f"cache entry {name!r} read the tables {sorted(undeclared)} but declares only "
            f"{sorted(watch.declared)}: add them to its tables (or stop reading them)")
