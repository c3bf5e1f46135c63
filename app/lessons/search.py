"""The library's query: visible entries, full-text search and filters, as one select().

Full text uses SQLite FTS5 (table lessons_fts, kept in sync by triggers) or PostgreSQL's tsvector
(GIN index ix_lessons_fulltext on the same expression); see app.lessons.models for the DDL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Integer, Select, column, func, literal, null, select, text, union_all
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.accounts.models import User
from app.directory.models import Theme
from app.events.models import Event, EventKind, event_projects
from app.extensions import db
from app.lessons.models import (
    PG_TSVECTOR,
    TLP,
    Lesson,
    LessonKind,
    LessonStatus,
    RecommendationType,
    lesson_themes,
)
from app.lessons.visibility import ViewerFacts, visible_lessons_clause

WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(q: str | None) -> list[str]:
    """The words of a query, without any operator syntax (at most 12, each at most 40 chars)."""
    return [w[:40] for w in WORD.findall((q or "")[:500])][:12]


def fulltext_clause(q: str | None):
    """A WHERE clause matching entries containing every word of `q` (as a prefix), or None."""
    terms = search_terms(q)
    if not terms:
        return None
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        query = " & ".join(f"{t.lower()}:*" for t in terms)
        qualified = PG_TSVECTOR.replace("coalesce(", "coalesce(lessons.")
        return text(f"{qualified} @@ to_tsquery('english', :fulltext_query)").bindparams(
            fulltext_query=query
        )
    query = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
    matching = text("SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH :fulltext_query").bindparams(
        fulltext_query=query
    )
    return Lesson.id.in_(matching.columns(column("rowid", Integer)))


def _enum_or_none(enum_cls, value):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def _int_or_none(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _date_or_none(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass
class LibraryFilter:
    """Filters read from the query string; anything malformed is ignored, never an error."""

    q: str = ""
    kind: LessonKind | None = None
    status: LessonStatus | None = None
    theme_id: int | None = None
    empact_cycle: str | None = None
    recommendation_type: RecommendationType | None = None
    event_kind: EventKind | None = None
    country: str | None = None
    project_id: int | None = None
    event_id: int | None = None
    tlp: TLP | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    mine: bool = False
    statuses: tuple[LessonStatus, ...] = field(default_factory=tuple)

    @classmethod
    def from_args(cls, args) -> LibraryFilter:
        country = (args.get("country") or "").strip().upper()
        cycle = (args.get("empact_cycle") or "").strip()
        return cls(
            q=(args.get("q") or "").strip()[:500],
            kind=_enum_or_none(LessonKind, args.get("kind")),
            status=_enum_or_none(LessonStatus, args.get("status")),
            theme_id=_int_or_none(args.get("theme")),
            empact_cycle=cycle[:9] or None,
            recommendation_type=_enum_or_none(RecommendationType, args.get("recommendation_type")),
            event_kind=_enum_or_none(EventKind, args.get("event_kind")),
            country=country if re.fullmatch(r"[A-Z]{2}", country) else None,
            project_id=_int_or_none(args.get("project")),
            event_id=_int_or_none(args.get("event")),
            tlp=_enum_or_none(TLP, args.get("tlp")),
            starts_on=_date_or_none(args.get("from")),
            ends_on=_date_or_none(args.get("to")),
            mine=args.get("mine") == "1",
        )

    def to_args(self) -> dict:
        """The filter as query-string arguments (also what a summary stores)."""
        values = {
            "q": self.q or None,
            "kind": self.kind.value if self.kind else None,
            "status": self.status.value if self.status else None,
            "theme": self.theme_id,
            "empact_cycle": self.empact_cycle,
            "recommendation_type": self.recommendation_type.value if self.recommendation_type else None,
            "event_kind": self.event_kind.value if self.event_kind else None,
            "country": self.country,
            "project": self.project_id,
            "event": self.event_id,
            "tlp": self.tlp.value if self.tlp else None,
            "from": self.starts_on.isoformat() if self.starts_on else None,
            "to": self.ends_on.isoformat() if self.ends_on else None,
            "mine": "1" if self.mine else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def is_empty(self) -> bool:
        return not self.to_args()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def apply_filters(query: Select, user, f: LibraryFilter, facts: ViewerFacts | None = None) -> Select:
    query = query.where(visible_lessons_clause(user, facts))
    match = fulltext_clause(f.q)
    if match is not None:
        query = query.where(match)
    if f.kind:
        query = query.where(Lesson.kind == f.kind)
    if f.status:
        query = query.where(Lesson.status == f.status)
    if f.statuses:
        query = query.where(Lesson.status.in_(f.statuses))
    if f.tlp:
        query = query.where(Lesson.tlp == f.tlp)
    if f.recommendation_type:
        query = query.where(Lesson.recommendation_type == f.recommendation_type)
    if f.theme_id:
        query = query.where(
            Lesson.id.in_(select(lesson_themes.c.lesson_id).where(lesson_themes.c.theme_id == f.theme_id).correlate(None))
        )
    if f.empact_cycle:
        query = query.where(
            Lesson.id.in_(
                select(lesson_themes.c.lesson_id)
                .join(Theme, Theme.id == lesson_themes.c.theme_id)
                .where(Theme.empact_cycle == f.empact_cycle)
                .correlate(None)
            )
        )
    if f.event_id:
        query = query.where(Lesson.event_id == f.event_id)
    if f.mine:
        query = query.where(Lesson.author_id == getattr(user, "id", None))
    event_conditions = []
    if f.event_kind:
        event_conditions.append(Event.kind == f.event_kind)
    if f.country:
        event_conditions.append(Event.country == f.country)
    if f.starts_on:
        event_conditions.append(Event.starts_at >= _start_of(f.starts_on))
    if f.ends_on:
        event_conditions.append(Event.starts_at < _start_of(f.ends_on + timedelta(days=1)))
    if f.project_id:
        event_conditions.append(
            Event.id.in_(select(event_projects.c.event_id).where(event_projects.c.project_id == f.project_id)
                         .correlate(None))
        )
    if event_conditions:
        query = query.where(Lesson.event_id.in_(select(Event.id).where(*event_conditions).correlate(None)))
    return query


def library_query(user, f: LibraryFilter, facts: ViewerFacts | None = None) -> Select:
    """Visible entries matching `f`, newest first, with what a list shows loaded eagerly."""
    query = select(Lesson).options(
        joinedload(Lesson.event),
        joinedload(Lesson.author),
        selectinload(Lesson.themes),
    )
    query = apply_filters(query, user, f, facts)
    return query.order_by(Lesson.created_at.desc(), Lesson.id.desc())


def counts_by(user, f: LibraryFilter, column) -> dict:
    """Visible entries matching `f` counted by `column` (one GROUP BY query)."""
    query = apply_filters(select(column, func.count(Lesson.id)), user, f).group_by(column)
    return {key: count for key, count in db.session.execute(query)}


LIST_COLUMNS = (Lesson.id, Lesson.event_id, Lesson.author_id, Lesson.kind, Lesson.status, Lesson.tlp,
                Lesson.title, Lesson.created_at)


def library_page(ids) -> list[Lesson]:
    """The entries `ids` (one page, already checked visible by library_counts) newest first, with
    only what a list shows loaded: not the long texts, the event's title, the author's name."""
    if not ids:
        return []
    query = (
        select(Lesson)
        .where(Lesson.id.in_(ids))
        .options(
            load_only(*LIST_COLUMNS),
            joinedload(Lesson.event).load_only(Event.id, Event.title),
            joinedload(Lesson.author).load_only(User.id, User.name).lazyload(User.organisation),
            selectinload(Lesson.themes),
        )
        .order_by(Lesson.created_at.desc(), Lesson.id.desc())
    )
    return list(db.session.scalars(query).unique())


@dataclass
class LibraryCounts:
    """The library's figures: how many entries match, by kind and by status, and (for validators)
    how many visible entries await validation whatever the filter; with `page`, the ids of that page."""

    total: int = 0
    by_kind: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)
    awaiting: int | None = None
    page_ids: list[int] = field(default_factory=list)


def library_counts(user, f: LibraryFilter, facts: ViewerFacts | None = None,
                   with_awaiting: bool = False, page: tuple[int, int] | None = None) -> LibraryCounts:
    """Total, counts by kind and by status, the awaiting figure and (with `page` = (limit, offset))
    the ids of one page, newest first, in ONE statement: the entries matching `f` are selected once
    (a CTE), grouped by (kind, status) and cut to the page; one more row counts the visible
    submitted entries when the filter does not already give that figure."""
    matches = apply_filters(
        select(Lesson.id.label("id"), Lesson.kind.label("kind"), Lesson.status.label("status"),
               Lesson.created_at.label("created_at")),
        user, f, facts,
    ).cte("matches")
    no_id = null().cast(Integer)
    parts = [
        select(literal("match").label("part"), matches.c.kind, matches.c.status, func.count().label("n"),
               no_id.label("id")).group_by(matches.c.kind, matches.c.status)
    ]
    if page is not None:
        limit, offset = page
        page_ids = (
            select(matches.c.id).order_by(matches.c.created_at.desc(), matches.c.id.desc())
            .limit(limit).offset(offset).subquery("page_ids")
        )
        parts.append(select(literal("page"), null(), null(), null().cast(Integer), page_ids.c.id))
    awaiting_in_grouped = with_awaiting and f.is_empty
    if with_awaiting and not awaiting_in_grouped:
        parts.append(select(literal("awaiting"), null(), null(), func.count(Lesson.id), no_id).where(
            Lesson.status == LessonStatus.SUBMITTED, visible_lessons_clause(user, facts)
        ))
    statement = union_all(*parts) if len(parts) > 1 else parts[0]
    counts = LibraryCounts(awaiting=0 if with_awaiting else None)
    for part, kind, status, n, lesson_id in db.session.execute(statement):
        if part == "awaiting":
            counts.awaiting = n
            continue
        if part == "page":
            counts.page_ids.append(lesson_id)
            continue
        kind, status = LessonKind(kind), LessonStatus(status)
        counts.total += n
        counts.by_kind[kind] = counts.by_kind.get(kind, 0) + n
        counts.by_status[status] = counts.by_status.get(status, 0) + n
    if awaiting_in_grouped:
        counts.awaiting = counts.by_status.get(LessonStatus.SUBMITTED, 0)
    return counts
