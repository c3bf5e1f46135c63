"""Declarative base with a naming convention, a UTC datetime type and the common mixins."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.i18n import translated
from app.timeutil import now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An instant, stored as UTC. Naive values are refused: a naive time is a bug waiting to happen.

    SQLite has no time zones, so values come back naive from it; they are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.StrEnum):
    """A lower-case enum whose members read as words on pages ("study_visit" -> "Study visit").

    A subclass names every member's label in `__labels__`, marked for translation with lazy_gettext
    (`{"study_visit": _l("Study visit")}`), so `label` speaks the page's or the email's language;
    this is the one place a label is made. (A member without one falls back to its value as words,
    in English: tests/test_i18n_catalogs.py fails on it.)"""

    __labels__: dict = {}

    @property
    def label(self) -> str:
        # (Not `label or fallback`: the truth test of a lazy string translates it a second time.)
        label = type(self).__labels__.get(self.value)
        return translated(label) if label is not None else self.value.replace("_", " ").capitalize()


def row_version(table: str):
    """PostgreSQL's version of a row of `table`, as text: the transaction that wrote it and where
    (xmin and ctid; every UPDATE writes a new version at a new place, also twice in one transaction,
    and a place is used again only once the old version is gone, by a later transaction). The feeds
    keep rows by it (app.calendar.public_reads, personal_reads); a registration's lock compares it
    (app.registrations.transactions)."""
    return literal_column(f"{table}.xmin::text || ':' || {table}.ctid::text", String)


def N_(message: str) -> str:
    """Marks a message for `pybabel extract` where it is defined and kept in English (stored, or a
    library's own message); gettext translates it where it is shown."""
    return message


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the lower-case values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def link_table(name: str, owner: tuple[str, str], other: tuple[str, str], *extra: Column) -> Table:
    """A many-to-many link: (column, "table.id") for the owning side and for the other side, both
    the primary key, rows deleted with either end, the other side indexed for reverse look-ups.
    `extra` columns need a default: rows are inserted through the relationship."""
    return Table(
        name,
        Base.metadata,
        Column(owner[0], Integer, ForeignKey(owner[1], ondelete="CASCADE"), primary_key=True),
        Column(other[0], Integer, ForeignKey(other[1], ondelete="CASCADE"), primary_key=True, index=True),
        *extra,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=lambda: utcnow(), server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(),
        default=lambda: utcnow(),
        onupdate=lambda: utcnow(),
        server_default=func.current_timestamp(),
    )


def utcnow() -> datetime:
    return now()


def begin_write(session) -> None:
    """End the session's current transaction and start one that takes SQLite's write lock first.

    On SQLite (WAL) a transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote in between; BEGIN IMMEDIATE waits its turn instead
    (busy_timeout). PostgreSQL has row locks and ignores this.
    """
    if session().in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def row_id(obj) -> int:
    """The primary key without a refresh query (objects are expired after each commit)."""
    identity = inspect(obj).identity
    return identity[0] if identity else obj.id
