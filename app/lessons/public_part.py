"""The library's public part, kept per search in the worker (issue 19).

Every signed-in viewer may see the published CLEAR and GREEN entries of events that are not drafts
(public_clause: the TLP rule, app.lessons.visibility, opens them to everyone signed in; a draft event's
entries only to its organisers). For a search by words alone, a viewer who is no coordinator sees
those and, beyond them, only entries among their own candidates (bound_rule.FactRows.own_candidates).
So the library counts and lists the public matches once per words (Kept: their figures and first
ids), and each viewer's statement tests the rule on their few candidates alone, merging the kept
first ids into the page (app.lessons.listing). A broad word's ~6,000 matches were read for every
search; the candidates are a few dozen to a few hundred.

Kept entries hold only public entries' ids and counts, and are valid under their own change stamp
(PUBLIC_STAMP), read in the same statement as the candidates: it moves with every write that may
change the public part (_after_flush, _do_orm_execute: a public entry written, deleted or made
(un)public; an event's status changed or an event deleted; any statement on lessons or on the
events' status) and with stamps.bump_all. A draft recorded, as the mix does, moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, bindparam, event, func, inspect, select, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from app.cache import fragments, scopes, stamps
from app.cache.packing import SHARD_TABLE, TABLE
from app.events.models import Event, EventStatus
from app.extensions import db
from app.lessons.bound_rule import constants_written
from app.lessons.figures import figures_text
from app.lessons.models import SHAREABLE_MARKINGS, Lesson
from app.lessons.visibility import PUBLISHED_STATUSES

PUBLIC_STAMP = "lessons:public"
scopes.UNTABLED.add(PUBLIC_STAMP)
KEPT_IDS = 100  # the public matches' first ids kept: pages 1 to 5 of the library
_BOUND = 256  # searches kept per worker (the mix asks 25): ~1 kB each


@dataclass(frozen=True, slots=True)
class Kept:
    """The public matches of one search as of `stamp`: how many, their figures_text, their first
    KEPT_IDS ids newest first (all of them when `total` <= KEPT_IDS)."""

    stamp: int
    total: int
    figures: str
    ids: tuple[int, ...]

    def covers(self, wanted: int) -> bool:
        """Whether the first `wanted` public matches are all kept."""
        return wanted <= len(self.ids) or len(self.ids) == self.total


_KEPT: dict[tuple, Kept] = {}
fragments.also_cleared(_KEPT.clear)  # kept under a stamp, as the cache's entries are


def public_clause():
    """The entries every signed-in viewer may see: published, CLEAR or GREEN, of an event that is no draft."""
    drafts = select(Event.id).where(Event.status == EventStatus.DRAFT).correlate(None)
    return and_(Lesson.status.in_(PUBLISHED_STATUSES), Lesson.tlp.in_(SHAREABLE_MARKINGS),
                Lesson.event_id.not_in(drafts))


def stamp_column():
    """PUBLIC_STAMP as the database holds it (the sum of its rows), NULL when it has no row yet."""
    rows = union_all(select(TABLE.c.version).where(TABLE.c.name == PUBLIC_STAMP),
                     select(SHARD_TABLE.c.version).where(SHARD_TABLE.c.name == PUBLIC_STAMP)).subquery()
    return select(func.sum(rows.c.version)).scalar_subquery()


def _key(query: str) -> tuple:
    return (db.engine.url.render_as_string(hide_password=True), query)


def kept(query: str) -> Kept | None:
    return _KEPT.get(_key(query))


def forget(query: str) -> None:
    _KEPT.pop(_key(query), None)


def _public_statement(match):
    """(PUBLIC_STAMP, how many public entries `match`, their figures_text, their first `kept_limit` ids
    newest first), one row."""
    found = select(Lesson.id, Lesson.kind, Lesson.status, Lesson.created_at).where(public_clause(), match).cte("public")
    first = select(found.c.id, found.c.created_at).order_by(found.c.created_at.desc(), found.c.id.desc()) \
        .limit(bindparam("kept_limit", type_=Integer)).subquery("first")
    ids = select(func.array_agg(aggregate_order_by(first.c.id, first.c.created_at.desc(), first.c.id.desc()))).scalar_subquery()
    return select(stamp_column(), func.count(), figures_text(found), ids).select_from(found)


def read_and_keep(session, query: str, match, raw_read) -> None:
    """Read the public matches of `query` (`match` its full-text clause) and keep them under the stamp
    read with them; without a stamp row yet, create it (its own short transaction) and keep nothing."""
    dialect = session.get_bind().dialect
    row = raw_read(session, ("public_part", dialect.name), lambda: constants_written(_public_statement(match), dialect),
                   {"fulltext_query": query, "kept_limit": KEPT_IDS})[0]
    stamp, total, figures, ids = row
    if stamp is None:
        with db.engine.begin() as connection:
            stamps.bump(connection, PUBLIC_STAMP)
        return
    if len(_KEPT) >= _BOUND:
        _KEPT.clear()
    _KEPT[_key(query)] = Kept(int(stamp), total, figures, tuple(ids or ()))


# -- what moves PUBLIC_STAMP ----------------------------------------------------------------------

def _public(status, tlp) -> bool:
    return status in PUBLISHED_STATUSES and tlp in SHAREABLE_MARKINGS


def _before(state, name):
    history = state.attrs[name].history
    return history.deleted[0] if history.deleted else getattr(state.object, name)


def _moves(obj, new: bool = False, deleted: bool = False) -> bool:
    if isinstance(obj, Event):
        return deleted or (not new and inspect(obj).attrs.status.history.has_changes())
    if not isinstance(obj, Lesson):
        return False
    if new:
        return _public(obj.status, obj.tlp)
    state = inspect(obj)
    return deleted or _public(obj.status, obj.tlp) or _public(_before(state, "status"), _before(state, "tlp"))


def _after_flush(session: Session, _context) -> None:
    if any(_moves(obj, new=True) for obj in session.new) or any(_moves(obj, deleted=True) for obj in session.deleted) \
            or any(_moves(obj) for obj in session.dirty if session.is_modified(obj)):
        stamps.note(session, PUBLIC_STAMP)


def _do_orm_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name == "events" and state.is_update:
        values = getattr(state.statement, "_values", None)
        if values is not None and "status" not in {getattr(column, "key", column) for column in values}:
            return
    if name in ("lessons", "events"):
        stamps.note(state.session, PUBLIC_STAMP)


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        _installed = True


install()
