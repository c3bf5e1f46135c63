"""The check that a cache entry's declared tables are the tables its build really reads.

While an entry is built under `watching(name, tables)` (app.cache.fragments does it when
CACHE_CHECK_DEPENDENCIES is on, as in the tests), every statement executed is inspected: the tables
are taken from SQLAlchemy's statement object as compiled (for ORM queries the statement the ORM
compiled, with its eager-load joins), never from the SQL text. Entries used inside the build count
with the tables they declare (the outer entry depends on them too). When the build is done, a table
read but not declared raises UndeclaredDependency, naming the entry and the tables to add.

An entry scoped to an event (`scope=`) is keyed on that event's stamps of its tables kept per event
(app.cache.scopes): every ORM row of such a table loaded while it is built must belong to that event
(rows whose event cannot be told without a query are let through), and every other statement
reading such a table must carry the event's id among its parameters; else the build raises
UndeclaredDependency too.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapper
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import TableClause

from app.cache import scopes

# Read to key the entries, never part of what they hold.
NOT_DEPENDENCIES = frozenset({"change_stamps", "change_stamps_shards"})


class UndeclaredDependency(AssertionError):
    """A cache entry's build read a table that the entry does not declare."""


class _Watch:
    __slots__ = ("name", "declared", "read", "scope", "foreign")

    def __init__(self, name: str, declared: frozenset[str], scope: int | None = None):
        self.name = name
        self.declared = declared
        self.read: set[str] = set()
        self.scope = scope
        self.foreign: set[tuple[str, object]] = set()  # (table, event id or "?") read beyond the scope


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
        if watch.scope is not None and found & scopes.SCOPED & watch.declared:
            _check_scope(watch, context, found & scopes.SCOPED & watch.declared)


def _values(parameters) -> set:
    found = set()
    for value in parameters.values():
        if isinstance(value, list | tuple | set | frozenset):
            found.update(value)
        else:
            found.add(value)
    return found


def _loads_entities(context) -> bool:
    """Whether the statement loads ORM rows (then _loaded inspects each row's event)."""
    descriptions = getattr(context.compiled.statement, "column_descriptions", None) or ()
    return any(d.get("entity") is not None and d.get("expr") is d.get("entity") for d in descriptions)


def _check_scope(watch, context, tables: set[str]) -> None:
    """A statement of a scoped entry's build that reads a table kept per event must name the event
    among its parameters (e.g. `WHERE sessions.event_id = :id`) or load ORM rows (checked one by
    one): a statement that could read any event's rows, not proven to read only the scope's, fails."""
    for parameters in context.compiled_parameters or ({},):
        if watch.scope in _values(parameters):
            return
    if not _loads_entities(context):
        watch.foreign.update((table, "?") for table in tables)


def _loaded(target, *_args) -> None:
    """An ORM row was loaded: under an entry scoped to an event, it must be that event's."""
    scoped = [watch for watch in _watches.get() if watch.scope is not None]
    if not scoped:
        return
    state = target._sa_instance_state
    table = state.mapper.local_table.name
    if table not in scopes.SCOPED:
        return
    events = scopes.event_ids(state)
    for watch in scoped:
        if events is not None and table in watch.declared:
            watch.foreign.update((table, other) for other in events if other != watch.scope)


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
        event.listen(Mapper, "load", _loaded)
        event.listen(Mapper, "refresh", _loaded)
        _installed = True


def note(tables) -> None:
    """An entry declaring `tables` is used: every entry being built around it depends on them."""
    for watch in _watches.get():
        watch.read.update(tables)


@contextmanager
def watching(name: str, tables, scope: int | None = None):
    """Run a build of entry `name` (declaring `tables`, scoped to event `scope` if given); raise
    UndeclaredDependency if it read more, or rows of another event."""
    watch = _Watch(name, frozenset(tables), scope)
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
    if watch.foreign:
        raise UndeclaredDependency(
            f"cache entry {name!r} is scoped to event {scope} but read rows of other events "
            f"{sorted(watch.foreign, key=str)} (\"?\": a statement not bound to the event's id): drop its "
            f"scope (or stop reading them)")
