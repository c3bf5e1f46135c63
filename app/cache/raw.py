"""One hot SELECT run straight on the DBAPI cursor of a SQLAlchemy connection.

Every signed-in request's first statement (its user's row with the change stamps: app.cache.stamps)
went through SQLAlchemy's execute: its compiled cache's lookup, execution context, result metadata
and row objects cost about twice the CPU the driver spends on the statement. Here the statement is
compiled once per statement and kind of database (the SQL text with its IN lists expanded, the
constant parameters, where each caller's parameter goes, the columns' result processors), then each
run is one `cursor.execute` and one `fetchone`, with SQLAlchemy's types applied to the values.

What stays as before: the statement runs on the session's connection (its transaction, or GET's
autocommit: app.db_events), the engine's `before_cursor_execute` / `after_cursor_execute` listeners
see it (statement counts, Server-Timing, the dependency check), and a failing statement is run again
through SQLAlchemy's own execute, which raises its usual error and invalidates a connection that
the database dropped.
"""

from __future__ import annotations

import collections
import functools
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Float, Numeric, inspect
from sqlalchemy.engine import processors
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.util import identity_key


@dataclass(frozen=True)
class _Plan:
    sql: str
    positional: bool
    constants: tuple | dict  # the statement's own parameters, processed once
    slots: tuple  # (caller's parameter name, its positions or its key, its bind processor)
    keys: tuple[str, ...]  # the columns' labels
    processors: tuple  # each column's result processor (or None)


class _Context:
    """What cursor-execute listeners read from SQLAlchemy's execution context: the compiled
    statement and the caller's values (app.cache.dependencies) and room for their own notes
    (app.cache.timing)."""

    def __init__(self, compiled, params: dict):
        self.compiled = compiled
        self.compiled_parameters = [params]


_PLANNED: dict = {}  # planned()'s statements: a few shapes per caller and kind of database


def planned(key, build, dialect, parameter_names) -> tuple:
    """(statement, plan, compiled) for `key` on `dialect`: `build()` made and planned the first time
    only (the caller's key names everything the statement depends on but the database)."""
    full_key = (key, dialect.name, dialect.driver, dialect.paramstyle)
    found = _PLANNED.get(full_key)
    if found is None:
        statement = build()
        found = _PLANNED[full_key] = (statement, *plan(statement, dialect, tuple(parameter_names)))
    return found


def plan(statement, dialect, parameter_names) -> tuple[_Plan, object]:
    """The plan of `statement` on `dialect`, for parameters named `parameter_names`."""
    compiled = statement.compile(dialect=dialect)
    state = compiled.construct_expanded_state(dict.fromkeys(parameter_names))
    processors = state.processors or {}

    def processed(name, value):
        processor = processors.get(name)
        return value if processor is None or value is None else processor(value)

    positional = state.positiontup is not None
    if positional:
        names = list(state.positiontup)
        constants = tuple(processed(name, state.parameters[name]) for name in names)
        slots = tuple((name, tuple(i for i, n in enumerate(names) if n == name), processors.get(name))
                      for name in parameter_names)
    else:
        constants = {name: processed(name, value) for name, value in state.parameters.items()
                     if name not in parameter_names}
        slots = tuple((name, name, processors.get(name)) for name in parameter_names)
    columns = list(statement.selected_columns)
    result_processors = tuple(_result_processor(column.type, dialect) for column in columns)
    return _Plan(state.statement, positional, constants, slots, tuple(c.key for c in columns), result_processors), compiled


def _result_processor(type_, dialect):
    """The column type's result processor as SQLAlchemy's execute would choose it. psycopg's Numeric
    chooses by the column's type code, which only a cursor's description holds: there the value's
    own type decides (a float made a Decimal of the type's scale, a Decimal made a float, as asked)."""
    try:
        return type_.dialect_impl(dialect).result_processor(dialect, None)
    except TypeError:
        if not isinstance(type_, (Numeric, Float)):  # (SQLAlchemy 2.1: a Float is no Numeric)
            raise
    if type_.asdecimal:
        to_decimal = processors.to_decimal_processor_factory(Decimal, type_._effective_decimal_return_scale)
        return lambda value: to_decimal(value) if isinstance(value, float) else value
    return lambda value: float(value) if isinstance(value, Decimal) else value


def _parameters(prepared: _Plan, params: dict):
    if prepared.positional:
        values = list(prepared.constants)
        for name, positions, processor in prepared.slots:
            value = params[name]
            if processor is not None and value is not None:
                value = processor(value)
            for position in positions:
                values[position] = value
        return tuple(values)
    values = dict(prepared.constants)
    for name, key, processor in prepared.slots:
        value = params[name]
        values[key] = processor(value) if processor is not None and value is not None else value
    return values


def _run(connection, prepared: _Plan, compiled, statement, params: dict, fetch_all: bool):
    """(the planned statement's first row, or all its rows with `fetch_all`, whether their values
    are processed already): the driver's (False), or on a failure SQLAlchemy's own execute's (True)."""
    parameters = _parameters(prepared, params)
    # The listeners are looked for only when SQLAlchemy's own execute would (a connection's first look
    # at its events builds them: on every request's new connection).
    dispatch = connection.dispatch if connection._has_events or connection.engine._has_events else None
    context = _Context(compiled, params) if dispatch is not None else None
    cursor = connection.connection.cursor()
    try:
        if dispatch is not None and dispatch.before_cursor_execute:
            for listener in dispatch.before_cursor_execute:
                listener(connection, cursor, prepared.sql, parameters, context, False)
        try:
            cursor.execute(prepared.sql, parameters)
            found = cursor.fetchall() if fetch_all else cursor.fetchone()
        except Exception:
            # SQLAlchemy's own execute raises its usual error, and invalidates a dropped connection.
            result = connection.execute(statement, params)
            return (result.all() if fetch_all else result.first()), True
        if dispatch is not None and dispatch.after_cursor_execute:
            for listener in dispatch.after_cursor_execute:
                listener(connection, cursor, prepared.sql, parameters, context, False)
    finally:
        cursor.close()
    return found, False


def first(connection, prepared: _Plan, compiled, statement, params: dict) -> tuple | None:
    """The first row of the planned statement on `connection` (a SQLAlchemy Connection) as a tuple
    of processed values, or None."""
    row, processed = _run(connection, prepared, compiled, statement, params, False)
    if row is None or processed:
        return None if row is None else tuple(row)
    return tuple(value if processor is None or value is None else processor(value)
                 for value, processor in zip(row, prepared.processors, strict=True))


def all_rows(connection, prepared: _Plan, compiled, statement, params: dict, only=None) -> list:
    """Every row of the planned statement, as lists of processed values (a feed reads hundreds of
    rows: SQLAlchemy's rows cost about as much as the driver's fetch). With `only` (column indexes)
    the other columns' values are left as the driver gives them: the caller processes what it keeps
    (`process`), not every value of every row."""
    rows, processed = _run(connection, prepared, compiled, statement, params, True)
    if processed:
        return [list(row) for row in rows]
    processors = [(index, processor) for index, processor in enumerate(prepared.processors)
                  if processor is not None and (only is None or index in only)]
    found = []
    for row in rows:
        row = list(row)
        for index, processor in processors:
            value = row[index]
            if value is not None:
                row[index] = processor(value)
        found.append(row)
    return found


def process(prepared: _Plan, index: int, value):
    """The value of column `index` of all_rows(only=...) processed as all_rows processes the others.
    For columns whose processor leaves a processed value as it is (instants in UTC: app.db.UTCDateTime),
    as a row read through SQLAlchemy after a failure comes processed already."""
    processor = prepared.processors[index]
    return value if processor is None or value is None else processor(value)


def read(session, key, build, params: dict, *, every: bool = False) -> tuple:
    """(the first row of build()'s statement, or with `every` all its rows; its plan), run on the
    cursor of `session`'s connection: planned once per `key` (which names everything the statement
    depends on but the database) with `params`' names as its parameters."""
    connection = session.connection()
    statement, prepared, compiled = planned(key, build, connection.dialect, tuple(params))
    found = (all_rows if every else first)(connection, prepared, compiled, statement, params)
    return found, prepared


@functools.lru_cache(maxsize=64)
def row_class(keys: tuple[str, ...]):
    """A named tuple class for rows with the columns `keys` (a plan's keys): `row_class(plan.keys)._make`
    gives all_rows' rows the attribute access of SQLAlchemy's rows (row.status) for callers that read
    them by name."""
    return collections.namedtuple("Row", keys, rename=True)


def columns_by_attribute(model, *deferred) -> list:
    """`model`'s columns as its ORM loads them by default (and these deferred ones), each labelled
    with its attribute's name: a statement whose row `loaded` makes into an instance. `model` may be
    an alias of the class (sqlalchemy.orm.aliased): its alias's columns, as the same labels."""
    wanted = {attribute.key for attribute in deferred}
    info = inspect(model)
    if info.is_aliased_class:
        return [getattr(model, prop.key).label(prop.key) for prop in info.mapper.column_attrs
                if not prop.deferred or prop.key in wanted]
    return [prop.expression.label(prop.key) for prop in info.column_attrs
            if not prop.deferred or prop.key in wanted]


def loaded_from_row(session, model, plan: _Plan, row, width: int, start: int = 0):
    """`loaded` of the `width` columns of a read's row from `start` (`columns_by_attribute(model)`
    there in its statement), or None when they are empty (an outer join that found no row)."""
    end = start + width
    values = dict(zip(plan.keys[start:end], row[start:end], strict=True))
    return None if values["id"] is None else loaded(session, model, values)


def loaded(session, model, values: dict):
    """The `model` instance of a row's `values` (by attribute), persistent in `session` as if the ORM
    had loaded it (its relationships load when first touched, as do the deferred columns the row
    lacks). Made through SQLAlchemy's public API for objects built outside a query
    (make_transient_to_detached): the ORM's loading costs about as much again as the statement. An
    instance already in the session is returned as it is, as the ORM would."""
    known = session.identity_map.get(identity_key(model, values["id"]))
    if known is not None:
        return known
    instance = inspect(model).class_manager.new_instance()
    # The values go straight into the new instance's dict, as the ORM's own loading puts a row's
    # (set_committed_value for each, as before, also cleared each key's committed and expired state:
    # a new instance has none, and make_transient_to_detached commits them all). Every signed-in
    # request builds its user this way; one attribute at a time cost as much as the rest.
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
