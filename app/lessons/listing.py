"""The library's figures and one page of its entries in ONE statement (library_counts), built once
per shape of viewer and filter on a bound viewer: building the statement (the TLP rule, the filters,
the page's joins) and its cache key cost more than running it, so the viewer's id and organisation,
the filters' values, the page's limit and offset are parameters. The viewer's facts (organised,
attended, hidden events: app.lessons.visibility.fact_parts) are read in the statement itself, so its
text is the same for every viewer of a shape: PostgreSQL plans it once per connection (psycopg
prepares it) instead of once per request, and there is no round trip for the facts."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    not_,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.accounts.models import User
from app.cache import raw
from app.events.models import Event
from app.extensions import db
from app.lessons import public_part
from app.lessons.bound_rule import bound_rule, constants_written
from app.lessons.choices import (
    ProjectChoice,
    ThemeChoice,
    aggregated_choice_parts,
    choices_from_aggregated,
    choices_stamps,
    keep_choices,
    kept_choices,
)
from app.lessons.figures import add_figures, figures_part, listed_nothing
from app.lessons.models import TLP, Lesson, LessonKind, LessonStatus, lesson_themes
from app.lessons.public_part import public_clause, stamp_column
from app.lessons.search import (
    LibraryFilter,
    apply_filters,
    filter_values,
    fulltext_clause,
    fulltext_query,
)
from app.lessons.visibility import is_coordinator, viewer_parameters, visible_lessons_clause
from app.roles import BoundUser, is_signed_in


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
    themes: list[ThemeChoice] = field(default_factory=list)  # the filters' choices (with_choices)
    projects: list[ProjectChoice] = field(default_factory=list)
    choices_kept: bool = False  # themes and projects are this worker's kept ones (choices.kept_choices)


def _page_part(matches, limit, offset):
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


def _choices_part(part):
    """A SELECT of aggregated_choice_parts as a part of the UNION: (part, NULL, NULL, NULL, NULL, the
    choices' JSON as the title, then NULLs)."""
    kind, rows_json = part.selected_columns
    no_int, no_text = null().cast(Integer), null()
    return part.with_only_columns(kind, no_text, no_text, no_int, no_int, rows_json, no_text, no_text, no_int,
                                  no_text, no_int, no_text, no_text)


_CHOICE_PARTS = frozenset(("t", "p"))


def _counts_statement(user, f: LibraryFilter, visible, value, page, awaiting_visible, choices: bool = False,
                      kept: bool = False):
    """library_counts' statement: `visible` the TLP rule's clause, `value` the filters' values (see
    apply_filters), `page` (limit, offset) or None, `awaiting_visible` the rule again for the
    awaiting figure's part, or None for no such part; with `choices`, the filters' choices too
    (app.lessons.choices.aggregated_choice_parts). With `kept`, `visible` selects the viewer's
    candidates beyond the public entries (app.lessons.public_part): the figures count those alone, the
    page is cut from them and the kept public ids (parameter `kept_ids`), and a row "stamp" gives the
    public part's stamp as the title.

    The parts of the UNION share one row shape: (part, kind, status, n, then the listed columns)."""
    matches = apply_filters(
        select(Lesson.id.label("id"), Lesson.kind.label("kind"), Lesson.status.label("status"),
               Lesson.created_at.label("created_at")),
        user, f, visible=visible, value=value,
    ).cte("matches")
    listed, parts = matches, []
    if kept:
        public_ids = Lesson.id == any_(bindparam("kept_ids", type_=ARRAY(Integer)))
        listed = union_all(select(matches.c.id, matches.c.created_at),
                           select(Lesson.id, Lesson.created_at).where(public_ids)).cte("listed")
    if page is not None:
        # First in the UNION: its column types (enums, UTC instants) decode every part's rows.
        parts.append(_page_part(listed, *page))
    parts.append(figures_part(matches))
    if kept:
        parts.append(select(literal("stamp"), null(), null(), null().cast(Integer), null().cast(Integer),
                            cast(stamp_column(), String), *listed_nothing()[2:]))
    if awaiting_visible is not None:
        parts.append(select(literal("awaiting"), null(), null(), func.count(Lesson.id), *listed_nothing()).where(
            Lesson.status == LessonStatus.SUBMITTED, awaiting_visible
        ))
    if choices:
        parts.extend(_choices_part(part) for part in aggregated_choice_parts(db.engine.dialect.name))
    return union_all(*parts) if len(parts) > 1 else parts[0]


_FILTER_FIELDS = tuple(name for name in LibraryFilter.__dataclass_fields__ if name not in ("q", "statuses"))


@functools.lru_cache(maxsize=256)
def _bound_statement(role, has_organisation: bool, filters: frozenset[str], paged: bool, awaiting: bool,
                     choices: bool, mode: str, dialect):
    """_counts_statement for every viewer and filter of one shape (`role` None: a visitor, who has
    no awaiting figure; `filters`: the names of the filters set, "q" for words to search), the
    viewer's facts read in it (app.lessons.bound_rule), its values parameters: `viewer_id`,
    `viewer_organisation_id` (not for a visitor), `filter_<name>`, `fulltext_query`, `page_limit`
    and `page_offset`; its constants written in it (constants_written). `mode`: "rule", "broad"
    (_is_broad) or "kept" (the viewer's candidates beyond the kept public part: _read_with_kept)."""
    awaiting_visible = None
    if role is None:
        visible = visible_lessons_clause(BoundUser(False, None, None))
    else:
        viewer, rows, visible = bound_rule(role, has_organisation)
        rule = visible
        if mode == "kept":
            visible = and_(rows.own_candidates(viewer.id), not_(public_clause()), visible)
        elif mode == "broad":
            # Words that match many entries (_is_broad): the rule tested only on the entries an index
            # finds for this viewer (FactRows.search_candidates), which PostgreSQL ANDs with the words'.
            visible = and_(rows.search_candidates(viewer.id), visible)
        if awaiting:
            awaiting_visible = (rule if is_coordinator(viewer)
                                else and_(rows.awaiting_candidates(viewer.id), rule))
    # apply_filters asks only whether each filter is set (the words: fulltext_query, a parameter).
    shape = SimpleNamespace(**{name: name in filters for name in _FILTER_FIELDS}, statuses=(),
                            q="x" if "q" in filters else "")
    page = (bindparam("page_limit", type_=Integer), bindparam("page_offset", type_=Integer)) if paged else None
    return constants_written(_counts_statement(None, shape, visible, lambda name: bindparam(f"filter_{name}"),
                                               page, awaiting_visible, choices, mode == "kept"), dialect)


def _bound(user, f: LibraryFilter, page, awaiting: bool, choices: bool):
    """(_bound_statement for this viewer, filter and page, its parameters, its shape). A viewer who
    is not signed in (a visitor, or an account whose address is unconfirmed) is of the visitors'
    shape (role None)."""
    signed_in = is_signed_in(user)
    parameters = viewer_parameters(user) if signed_in else {}
    values = filter_values(user, f)
    for name, value in values.items():
        parameters[f"filter_{name}"] = value
    query = fulltext_query(f.q)
    if query is not None:
        parameters["fulltext_query"] = query
    if page is not None:
        parameters["page_limit"], parameters["page_offset"] = page
    filters = frozenset(name for name in _FILTER_FIELDS if getattr(f, name))
    if query is not None:
        filters |= {"q"}
    shape = (user.role if signed_in else None, signed_in and user.organisation_id is not None, filters,
             page is not None, awaiting, choices)
    shape = (*shape, "broad" if _is_broad(user, filters, query) else "rule")
    return _bound_statement(*shape, db.engine.dialect), parameters, shape


# How many entries each search by words alone found, as the library last listed it (this process's
# memo; the words' index and the rule decide what is found, this only which statement asks).
_FOUND: dict[str, int] = {}
_FOUND_BOUND = 2048
BROAD_FROM = 1500  # entries found (a member's search of the benchmark: ~450 narrow, ~1,800-5,900 broad)


def _is_broad(user, filters: frozenset[str], query) -> bool:
    """Whether a search by words alone matched many entries when last listed (_FOUND): then the
    statement of the candidates ANDed with the rule (FactRows.search_candidates), which PostgreSQL
    answers from the indexes' bitmaps instead of testing the rule on every entry with the words
    (~twice as many for a member). For words that match a few hundred entries the candidates'
    bitmap (~9,000 public entries) costs more than it saves, so the plain rule asks. PostgreSQL only;
    not for visitors (their rule is narrow already) nor coordinators (their role opens most entries)."""
    return _by_words_alone(user, filters) and _FOUND.get(query, 0) >= BROAD_FROM


def _by_words_alone(user, filters: frozenset[str]) -> bool:
    """A search by words alone (no other filter) of a signed-in viewer who is no coordinator, on
    PostgreSQL: the searches that may be asked with the candidates (_is_broad, _read_with_kept)."""
    return filters == {"q"} and is_signed_in(user) and not is_coordinator(user) \
        and db.engine.dialect.name == "postgresql"


def _read_with_kept(shape, parameters: dict, page, counts: LibraryCounts):
    """The rows of the statement of the viewer's candidates beyond the public entries kept for these
    words (app.lessons.public_part), the kept figures added to `counts`; None when nothing is kept
    for the words' first pages or the public part changed since (the stamp read with the rows)."""
    query = parameters["fulltext_query"]
    entry = public_part.kept(query)
    wanted = page[0] + page[1] if page is not None else 0
    if entry is None or not entry.covers(wanted):
        return None
    kept_shape = (*shape[:-1], "kept")
    statement = _bound_statement(*kept_shape, db.engine.dialect)
    parameters = {**parameters, "kept_ids": list(entry.ids[:wanted])}
    rows = raw.read(db.session, (_bound_statement, kept_shape), lambda: statement, parameters, every=True)[0]
    if not any(row[0] == "stamp" and row[5] is not None and int(row[5]) == entry.stamp for row in rows):
        public_part.forget(query)
        return None
    add_figures(counts, entry.total, entry.figures)
    return rows


def _remember_found(shape, query, total: int) -> None:
    if query is None or shape[2] != {"q"}:
        return
    if len(_FOUND) >= _FOUND_BOUND and query not in _FOUND:
        _FOUND.clear()
    _FOUND[query] = total


def _listed_entry(kind, status, listed, themes_by_id: dict) -> ListedEntry:
    lesson_id, title, tlp, created_at, event_id, event_title, author_id, author_name, theme_ids = listed
    entry_themes = [themes_by_id[i] for i in (theme_ids or "").split(",") if i in themes_by_id]
    return ListedEntry(
        lesson_id, title, LessonKind(kind), LessonStatus(status), TLP(tlp), created_at,
        ListedEvent(event_id, event_title),
        ListedAuthor(author_id, author_name) if author_id is not None else None,
        sorted(entry_themes, key=lambda theme: theme.name_rank),
    )


def _add_rows(counts: LibraryCounts, rows, choices_key: tuple | None = None) -> None:
    """Fold the UNION's rows into `counts` (choices, kept under `choices_key`: keep_choices; awaiting
    figure, page entries, counts by kind and status)."""
    choice_rows = [(row[0], row[5]) for row in rows if row[0] in _CHOICE_PARTS]
    if choice_rows:
        counts.themes, counts.projects = choices_from_aggregated(choice_rows)
        counts.choices_kept = keep_choices(choices_key, (counts.themes, counts.projects))
    themes_by_id = {str(theme.id): theme for theme in counts.themes}
    for part, kind, status, n, *listed in rows:
        if part == "awaiting":
            counts.awaiting = n
        elif part == "page":
            counts.entries.append(_listed_entry(kind, status, listed, themes_by_id))
        elif part == "match":
            add_figures(counts, n, listed[1])
    # The UNION does not promise the page's order: newest first, as the CTE cut it.
    counts.entries.sort(key=lambda entry: (entry.created_at, entry.id), reverse=True)


def library_counts(user, f: LibraryFilter, with_awaiting: bool = False, page: tuple[int, int] | None = None,
                   with_choices: bool = False) -> LibraryCounts:
    """Total, counts by kind and by status, the awaiting figure and (with `page` = (limit, offset))
    the entries of one page, newest first, in ONE statement: the entries matching `f` are selected
    once (a CTE), counted by kind and by status (one row: _figures_part) and cut to the page, whose
    rows alone are joined to their event, author and theme ids (the long texts are not read); one
    more row counts the visible submitted entries when the filter does not already give that
    figure. `with_choices`: the filters' choices (themes, projects), and the entries' themes by
    name: as this worker kept them under the change stamps this request has read
    (app.lessons.choices.kept_choices), else read in the same statement and kept. The statement
    is the one of the viewer's and the filter's shape (_bound_statement), which reads a signed-in
    viewer's facts itself; built anew only for a list of statuses (`f.statuses`) or a visitor's
    awaiting figure. A search by words alone of a member or an organiser on PostgreSQL lists the public
    part kept for the words (app.lessons.public_part) beside the viewer's own candidates
    (_read_with_kept), once the words were searched before in this worker."""
    awaiting_in_grouped = with_awaiting and f.is_empty
    awaiting = with_awaiting and not awaiting_in_grouped
    found_query = None
    counts = LibraryCounts(awaiting=0 if with_awaiting else None)
    choices_key = choices_stamps() if with_choices else None
    kept = kept_choices(choices_key)
    if kept is not None:  # read in an earlier search under the same stamps
        counts.themes, counts.projects = kept
        counts.choices_kept, with_choices = True, False
    if not f.statuses and (is_signed_in(user) or not awaiting):
        statement, parameters, shape = _bound(user, f, page, awaiting, with_choices)
        keeps = _by_words_alone(user, shape[2])
        rows = _read_with_kept(shape, parameters, page, counts) if keeps else None
        if rows is None:
            # On the DBAPI cursor (app.cache.raw), planned once per shape as the statement is built.
            rows = raw.read(db.session, (_bound_statement, shape), lambda: statement, parameters, every=True)[0]
            if keeps and public_part.kept(parameters["fulltext_query"]) is None:  # kept for the next search
                public_part.read_and_keep(db.session, parameters["fulltext_query"], fulltext_clause(f.q), raw.read)
        if is_signed_in(user) and not is_coordinator(user):  # who may be asked with the candidates
            found_query = parameters.get("fulltext_query")
    else:
        visible = visible_lessons_clause(user)
        rows = db.session.execute(_counts_statement(user, f, visible, filter_values(user, f).__getitem__, page,
                                                    visible if awaiting else None, with_choices)).all()
    _add_rows(counts, rows, choices_key)
    if awaiting_in_grouped:
        counts.awaiting = counts.by_status.get(LessonStatus.SUBMITTED, 0)
    if found_query is not None:
        _remember_found(shape, found_query, counts.total)
    return counts
