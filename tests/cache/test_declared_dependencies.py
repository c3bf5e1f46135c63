"""Every cache entry declares the tables it is built from, and the check (CACHE_CHECK_DEPENDENCIES,
on in the tests) fails a build that read a table it did not declare: in a subquery, through an
ORM eager load, or through another cache entry used inside it."""

from __future__ import annotations

import pytest
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from app.cache import fragments
from app.cache.dependencies import UndeclaredDependency, tables_of
from app.events.models import Event
from app.extensions import db
from app.lessons.models import Lesson
from app.registrations.models import Registration


def _count_events() -> str:
    return str(db.session.scalar(select(func.count(Event.id))))


def _events_with_registrations() -> str:
    query = select(func.count(Event.id)).where(exists().where(Registration.event_id == Event.id))
    return str(db.session.scalar(query))


def test_an_entry_that_declares_its_tables_is_built_and_kept(app, make):
    make.event()
    assert fragments.cached("probe.events", (), ("events",), _count_events) == "1"
    make.event()
    assert fragments.cached("probe.events", (), ("events",), _count_events) == "2"  # a commit moved the stamp


def test_an_entry_that_under_declares_fails_naming_the_missing_table(app, make):
    make.event()
    with pytest.raises(UndeclaredDependency, match=r"'probe\.under'.*\['registrations'\]"):
        fragments.cached("probe.under", (), ("events",), _events_with_registrations)
    assert fragments.cached("probe.full", (), ("events", "registrations"), _events_with_registrations) == "0"


def test_tables_read_by_an_orm_eager_load_count(app, make):
    def lessons_with_authors():
        return db.session.scalars(select(Lesson).options(joinedload(Lesson.author))).all()

    with pytest.raises(UndeclaredDependency, match="users"):
        fragments.remember("probe.lessons", (), ("lessons",), lessons_with_authors)


def test_an_entry_used_inside_another_counts_even_when_it_comes_from_the_cache(app, make):
    make.event()
    fragments.cached("probe.inner", (), ("events", "registrations"), _events_with_registrations)  # now cached

    def outer():
        return fragments.cached("probe.inner", (), ("events", "registrations"), _events_with_registrations)

    with pytest.raises(UndeclaredDependency, match="registrations"):
        fragments.cached("probe.outer", (), ("events",), outer)


def test_with_the_check_off_nothing_is_watched(app, monkeypatch):
    monkeypatch.setitem(app.config, "CACHE_CHECK_DEPENDENCIES", False)
    assert fragments.cached("probe.unchecked", (), (), _count_events) == "0"


def test_tables_come_from_the_statement_object(app):
    statement = select(Event.id).where(exists().where(Registration.event_id == Event.id))
    assert tables_of(statement) == {"events", "registrations"}
