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
    String,
    cast,
    column,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.directory.models import Theme
from app.events.models import Event, EventKind, event_projects
from app.extensions import db
from app.lessons.choices import ThemeChoice
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


@dataclass(frozen=True, slots=True)
class ListedEvent:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class ListedAuthor:
    id: int
    name: str


@dataclass(slots=True)
class ListedEntry:
    """What a list of entries shows of one entry (templates/lessons/_macros.html entry_item)."""

    id: int
    title: str
    kind: LessonKind
    status: LessonStatus
    tlp: TLP
    created_at: datetime
    event: ListedEvent
    author: ListedAuthor | None
    themes: list = field(default_factory=list)


@dataclass
class LibraryCounts:
    """The library's figures: how many entries match, by kind and by status, and (for validators)
    how many visible entries await validation whatever the filter; with `page`, that page's entries."""

    total: int = 0
    by_kind: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)
    awaiting: int | None = None
    entries: list[ListedEntry] = field(default_factory=list)


# Columns a UNION part that lists no entry fills with NULLs (id, title, tlp, created_at, event id and
# title, author id and name, theme ids).
def _listed_nothing():
    no_int, no_text = null().cast(Integer), null()
    return (no_int, no_text, no_text, no_text, no_int, no_text, no_int, no_text, no_text)


def _page_part(matches, limit: int, offset: int):
    """The page's rows: the matches cut to the page, joined to their event, author and theme ids."""
    page_ids = (
        select(matches.c.id).order_by(matches.c.created_at.desc(), matches.c.id.desc())
        .limit(limit).offset(offset).subquery("page_ids")
    )
    return (
        select(literal("page").label("part"), Lesson.kind, Lesson.status, null().cast(Integer).label("n"),
               Lesson.id, Lesson.title, Lesson.tlp, Lesson.created_at,
               Event.id.label("event_id"), Event.title.label("event_title"),
               User.id.label("author_id"), User.name.label("author_name"),
               select(func.aggregate_strings(cast(lesson_themes.c.theme_id, String), ","))
               .where(lesson_themes.c.lesson_id == Lesson.id).scalar_subquery().label("theme_ids"))
        .select_from(page_ids)
        .join(Lesson, Lesson.id == page_ids.c.id)
        .join(Event, Event.id == Lesson.event_id)
        .outerjoin(User, User.id == Lesson.author_id)
    )


def _listed_entry(kind, status, listed, themes_by_id: dict) -> ListedEntry:
    lesson_id, title, tlp, created_at, event_id, event_title, author_id, author_name, theme_ids = listed
    entry_themes = [themes_by_id[i] for i in (theme_ids or "").split(",") if i in themes_by_id]
    return ListedEntry(
        lesson_id, title, LessonKind(kind), LessonStatus(status), TLP(tlp), created_at,
        ListedEvent(event_id, event_title),
        ListedAuthor(author_id, author_name) if author_id is not None else None,
        sorted(entry_themes, key=lambda theme: theme.name_rank),
    )


def _add_rows(counts: LibraryCounts, rows, themes: list[ThemeChoice]) -> None:
    """Fold the UNION's rows into `counts` (awaiting figure, page entries, counts by kind and status)."""
    themes_by_id = {str(theme.id): theme for theme in themes}
    for part, kind, status, n, *listed in rows:
        if part == "awaiting":
            counts.awaiting = n
        elif part == "page":
            counts.entries.append(_listed_entry(kind, status, listed, themes_by_id))
        else:
            kind, status = LessonKind(kind), LessonStatus(status)
            counts.total += n
            counts.by_kind[kind] = counts.by_kind.get(kind, 0) + n
            counts.by_status[status] = counts.by_status.get(status, 0) + n
    # The UNION does not promise the page's order: newest first, as the CTE cut it.
    counts.entries.sort(key=lambda entry: (entry.created_at, entry.id), reverse=True)


def library_counts(user, f: LibraryFilter, facts: ViewerFacts | None = None,
                   with_awaiting: bool = False, page: tuple[int, int] | None = None,
                   themes: list[ThemeChoice] = ()) -> LibraryCounts:
    """Total, counts by kind and by status, the awaiting figure and (with `page` = (limit, offset))
    the entries of one page, newest first, in ONE statement: the entries matching `f` are selected
    once (a CTE), grouped by (kind, status) and cut to the page, whose rows alone are joined to
    their event, author and theme ids (the long texts are not read); one more row counts the
    visible submitted entries when the filter does not already give that figure. `themes`
    (filter_choices) gives the entries their themes, by name.

    The parts of the UNION share one row shape: (part, kind, status, n, then the listed columns).
    """
    matches = apply_filters(
        select(Lesson.id.label("id"), Lesson.kind.label("kind"), Lesson.status.label("status"),
               Lesson.created_at.label("created_at")),
        user, f, facts,
    ).cte("matches")
    parts = []
    if page is not None:
        # First in the UNION: its column types (enums, UTC instants) decode every part's rows.
        parts.append(_page_part(matches, *page))
    parts.append(
        select(literal("match").label("part"), matches.c.kind, matches.c.status, func.count().label("n"),
               *_listed_nothing()).group_by(matches.c.kind, matches.c.status)
    )
    awaiting_in_grouped = with_awaiting and f.is_empty
    if with_awaiting and not awaiting_in_grouped:
        parts.append(select(literal("awaiting"), null(), null(), func.count(Lesson.id), *_listed_nothing()).where(
            Lesson.status == LessonStatus.SUBMITTED, visible_lessons_clause(user, facts)
        ))
    statement = union_all(*parts) if len(parts) > 1 else parts[0]
    counts = LibraryCounts(awaiting=0 if with_awaiting else None)
    _add_rows(counts, db.session.execute(statement).all(), themes)
    if awaiting_in_grouped:
        counts.awaiting = counts.by_status.get(LessonStatus.SUBMITTED, 0)
    return counts
