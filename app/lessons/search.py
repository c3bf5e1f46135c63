"""The library's query: visible entries, full-text search and filters, as one select().

Full text uses SQLite FTS5 (table lessons_fts, kept in sync by triggers) or PostgreSQL's tsvector
(GIN index ix_lessons_fulltext on the same expression); see app.lessons.models for the DDL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Integer,
    Select,
    column,
    func,
    select,
    text,
)
from sqlalchemy.orm import joinedload, selectinload

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


def fulltext_query(q: str | None) -> str | None:
    """The parameter `fulltext_query` of fulltext_clause(q) (None: `q` has no word)."""
    terms = search_terms(q)
    if not terms:
        return None
    if db.engine.dialect.name == "postgresql":
        return " & ".join(f"{t.lower()}:*" for t in terms)
    return " ".join('"' + t.replace('"', "") + '"*' for t in terms)


def fulltext_clause(q: str | None):
    """A WHERE clause matching entries containing every word of `q` (as a prefix), or None."""
    query = fulltext_query(q)
    if query is None:
        return None
    if db.engine.dialect.name == "postgresql":
        qualified = PG_TSVECTOR.replace("coalesce(", "coalesce(lessons.")
        return text(f"{qualified} @@ to_tsquery('english', :fulltext_query)").bindparams(
            fulltext_query=query
        )
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


def filter_values(user, f: LibraryFilter) -> dict:
    """The values apply_filters compares with, by name, for the filters `f` sets (the full-text
    query aside: fulltext_clause)."""
    values = {"kind": f.kind, "status": f.status, "tlp": f.tlp, "recommendation_type": f.recommendation_type,
              "theme_id": f.theme_id, "empact_cycle": f.empact_cycle, "event_id": f.event_id,
              "mine": getattr(user, "id", None) if f.mine else None, "event_kind": f.event_kind, "country": f.country,
              "starts_on": _start_of(f.starts_on) if f.starts_on else None,
              "ends_on": _start_of(f.ends_on + timedelta(days=1)) if f.ends_on else None, "project_id": f.project_id}
    return {name: value for name, value in values.items() if value is not None or (name == "mine" and f.mine)}


def apply_filters(query: Select, user, f: LibraryFilter, facts: ViewerFacts | None = None, visible=None,
                  value=None) -> Select:
    """`query` narrowed to the entries `user` may see (`visible`: that clause, when given) matching
    `f`; `value(name)` gives what a filter compares with (default: filter_values(user, f)[name];
    app.lessons.listing passes bound parameters)."""
    if value is None:
        value = filter_values(user, f).__getitem__
    query = query.where(visible_lessons_clause(user, facts) if visible is None else visible)
    match = fulltext_clause(f.q)
    if match is not None:
        query = query.where(match)
    if f.kind:
        query = query.where(Lesson.kind == value("kind"))
    if f.status:
        query = query.where(Lesson.status == value("status"))
    if f.statuses:
        query = query.where(Lesson.status.in_(f.statuses))
    if f.tlp:
        query = query.where(Lesson.tlp == value("tlp"))
    if f.recommendation_type:
        query = query.where(Lesson.recommendation_type == value("recommendation_type"))
    if f.theme_id:
        query = query.where(
            Lesson.id.in_(select(lesson_themes.c.lesson_id).where(lesson_themes.c.theme_id == value("theme_id"))
                          .correlate(None))
        )
    if f.empact_cycle:
        query = query.where(
            Lesson.id.in_(
                select(lesson_themes.c.lesson_id)
                .join(Theme, Theme.id == lesson_themes.c.theme_id)
                .where(Theme.empact_cycle == value("empact_cycle"))
                .correlate(None)
            )
        )
    if f.event_id:
        query = query.where(Lesson.event_id == value("event_id"))
    if f.mine:
        query = query.where(Lesson.author_id == value("mine"))
    event_conditions = []
    if f.event_kind:
        event_conditions.append(Event.kind == value("event_kind"))
    if f.country:
        event_conditions.append(Event.country == value("country"))
    if f.starts_on:
        event_conditions.append(Event.starts_at >= value("starts_on"))
    if f.ends_on:
        event_conditions.append(Event.starts_at < value("ends_on"))
    if f.project_id:
        event_conditions.append(
            Event.id.in_(select(event_projects.c.event_id).where(event_projects.c.project_id == value("project_id"))
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
