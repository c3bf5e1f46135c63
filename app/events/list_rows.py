"""The events list's page read as plain rows (issue 19): the page of events with how many match, their
host's name and their themes in one statement (the count joined with the page's events, joined with
their themes), only the columns a row shows. Loading them as ORM objects, counting them apart and reading
their themes apart cost more than the page's SQL. Labels, times and places are worked out here once
per page, not in the template's loop (app.events.list_markup writes the rows). What else the page
needs rides on the same statement: the change stamps of projects and themes (the filter's choices are
kept under them with the cache off) and, for a visitor with the cache on, every change stamp."""

from __future__ import annotations

import functools
from collections import namedtuple

from flask import current_app
from sqlalchemy import (
    Integer,
    String,
    bindparam,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)

from app.cache import raw, stamps
from app.cache.packing import packed_of, unpack
from app.countries import country_namer
from app.directory.models import Organisation, Theme
from app.events.access import managed_clause_of, managed_shape, visible_clause_of, visible_shape
from app.events.models import Event, EventStatus, event_themes
from app.events.place import TOWN, place
from app.events.queries import EventFilters, filter_clauses, kept_choices
from app.events.urls import event_path
from app.extensions import db
from app.i18n import current_language, formatting_locale, instant_parts
from app.pagination import Page, parse_page
from app.templating import with_zone
from app.timeutil import now

ListRow = namedtuple("ListRow", (
    "href", "title", "badge", "kind_label", "format_label", "starts", "ends", "viewer_starts", "viewer_ends",
    "place", "host", "themes", "summary",
))

# The status badge's kind (templates/events/_list.html): cancelled, draft, past, or none.
CANCELLED, DRAFT, PAST = "cancelled", "draft", "past"

_WHEN = "%a %d %b %Y, %H:%M"


def list_page(filters: EventFilters, user, page_value, viewer_tz: str | None, per_page: int = 20, *,
              with_choices: bool = False) -> tuple[Page, dict | None]:
    """The page of events `user` may see matching `filters` (EventFilters.where), upcoming soonest
    first or past latest first, as ListRow, with how many match: 1 statement. `with_choices`: also
    the filter's projects and themes (queries.kept_choices), kept in this worker under their change
    stamps, read in the same statement (else None). The change stamps of every table come in it too
    when the request reads them and has not yet (a visitor's, with the cache on)."""
    number = parse_page(page_value)
    at = now()
    shape, params = _shape(filters, user, with_choices, stamps.wanted_unread())
    params.update(at=at, limit=per_page, offset=(number - 1) * per_page)
    events = []
    total = 0
    choice_stamps = None
    found, plan = raw.read(db.session, (_shaped_statement, shape), lambda: _shaped_statement(shape), params,
                           every=True)  # on the DBAPI cursor (app.cache.raw)
    for row in map(raw.row_class(plan.keys)._make, found):
        if getattr(row, "part", LISTED) == STAMPS:  # (a statement without them has only the list's rows)
            stamps.prime(row.theme)
            continue
        total = row.total
        if with_choices and choice_stamps is None:
            choice_stamps = tuple(sorted(unpack(row.choice_stamps).items()))
        if row.id is None:  # no event on this page: the count alone
            continue
        if not events or events[-1][0] != row.id:
            events.append((row.id, row, []))
        if row.theme is not None:
            events[-1][2].append(f"{row.theme} (EMPACT {row.cycle})" if row.cycle else row.theme)  # as Theme.label
    page = Page(items=_rows(events, at, viewer_tz), page=number, per_page=per_page, total=total)
    return page, kept_choices(choice_stamps) if with_choices else None


def _shape(filters: EventFilters, user, with_choices: bool, with_stamps: bool) -> tuple[tuple, dict]:
    """Which clauses filters.where(user) has (the statement's shape, in where's order) and their values,
    by name."""
    viewer = visible_shape(user)
    mine = managed_shape(user) if filters.mine else None
    params = {"user_id": user.id} if viewer == "member" or mine == "own" else {}
    params.update(filters.values())
    dialect = db.session.get_bind().dialect.name if with_choices or with_stamps else None
    return (viewer, mine, filters.tab == "past", with_choices, with_stamps, dialect, *params), params


_BOUND_TYPES = {"project": Integer, "theme": Integer, "like": String}  # the others take their column's


@functools.lru_cache(maxsize=256)
def _shaped_statement(shape: tuple):
    """_statement for a shape of _shape, its values bound by name (EventFilters.where's clauses):
    built once per worker, not once per page."""
    viewer, mine, past, with_choices, with_stamps, dialect, *names = shape
    user_id = bindparam("user_id", type_=Integer)
    clauses = [visible_clause_of(viewer, user_id)]  # EventFilters.where's clauses, in its order
    if mine is not None:
        clauses.append(managed_clause_of(mine, user_id))
    clauses += filter_clauses(names, lambda name: bindparam(name, type_=_BOUND_TYPES.get(name)))
    at = bindparam("at")
    clauses.append(Event.ends_at <= at if past else Event.ends_at > at)
    statement = _statement(clauses, past, bindparam("limit", type_=Integer), bindparam("offset", type_=Integer),
                           dialect if with_choices else None)
    return _with_stamps(statement, past, dialect) if with_stamps else statement


def _statement(clauses: list, past: bool, limit, offset, choices_dialect: str | None = None):
    """The count (one row), joined with the page's events (the index on starts_at read only as far as
    the page), each with its host's name and one row per theme. A window count instead made
    PostgreSQL read every matching event's row: 2-8 ms instead of 1 on the bench data. With
    `choices_dialect`, the count's row has the change stamps of projects and themes (packed)."""
    counted = select(func.count(Event.id).label("total"), *(
        [packed_of(CHOICE_TABLES, choices_dialect).label("choice_stamps")] if choices_dialect else []
    )).where(*clauses).subquery("counted")
    order = (Event.starts_at.desc(), Event.id.desc()) if past else (Event.starts_at, Event.id)
    page = (
        select(Event.id, Event.title, Event.summary, Event.kind, Event.format, Event.status, Event.starts_at,
               Event.ends_at, Event.timezone, Event.city, Event.country, Event.host_organisation_id)
        .where(*clauses).order_by(*order).limit(limit).offset(offset)
        .subquery("listed")
    )
    in_order = (page.c.starts_at.desc(), page.c.id.desc()) if past else (page.c.starts_at, page.c.id)
    return (
        select(*counted.c, page, Organisation.name.label("host"), Theme.name.label("theme"),
               Theme.empact_cycle.label("cycle"))
        .select_from(counted)
        .outerjoin(page, true())
        .outerjoin(Organisation, Organisation.id == page.c.host_organisation_id)
        .outerjoin(event_themes, event_themes.c.event_id == page.c.id)
        .outerjoin(Theme, Theme.id == event_themes.c.theme_id)
        # By name (Event.themes' order), a theme before its EMPACT namesake (the order was left to the
        # database before; it gave this one).
        .order_by(*in_order, Theme.name, Theme.empact_cycle.is_not(None), Theme.empact_cycle, Theme.id)
    )


CHOICE_TABLES = ("projects", "themes")  # what the filter's choices are read from (queries.kept_choices)
# The rows' `part` in a statement with the change stamps (_with_stamps): the list's rows, the stamps'.
LISTED, STAMPS = 0, 1


def _with_stamps(statement, past: bool, dialect: str):
    """`statement`'s rows (part LISTED) and, in a UNION ALL, every change stamp packed in one row (part
    STAMPS, in the column `theme`), in the same order by output columns (a UNION's ORDER BY names
    columns only)."""
    listed = statement.add_columns(Theme.empact_cycle.is_not(None).label("cycled"), Theme.id.label("theme_id"))
    # Each column named (SQLite matches a UNION's ORDER BY with the first SELECT's names).
    listed = listed.with_only_columns(literal_column(str(LISTED), Integer).label("part"),
                                      *(column.label(key) for key, column in listed.selected_columns.items()))
    blank = [null()] * (len(listed.selected_columns) - 5)  # part ... theme, cycle, cycled, theme_id
    packed = select(literal_column(str(STAMPS), Integer), *blank, stamps.packed_column(dialect), null(), null(), null())
    both = union_all(listed.order_by(None), packed)
    columns = both.selected_columns
    in_order = (columns.starts_at.desc(), columns.id.desc()) if past else (columns.starts_at, columns.id)
    return both.order_by(columns.part, *in_order, columns.theme, columns.cycled, columns.cycle, columns.theme_id)


def _rows(events: list, at, viewer_tz: str | None) -> list[ListRow]:
    labels: dict = {}

    def label(member) -> str:
        text = labels.get(member)
        if text is None:
            text = labels[member] = member.label
        return text

    when = local_when()
    country_name = country_namer()

    rows = []
    for event_id, row, themes in events:
        if row.status == EventStatus.CANCELLED:
            badge = CANCELLED
        elif row.status == EventStatus.DRAFT:
            badge = DRAFT
        else:
            badge = PAST if row.ends_at <= at else None
        shows_viewer = bool(viewer_tz) and viewer_tz != row.timezone
        rows.append(ListRow(
            event_path(event_id), row.title, badge, label(row.kind), label(row.format),
            when(row.starts_at, row.timezone), when(row.ends_at, row.timezone),
            when(row.starts_at, viewer_tz) if shows_viewer else None, when(row.ends_at, viewer_tz) if shows_viewer else None,
            place(row, TOWN, country=country_name(row.country)), row.host, themes, row.summary,
        ))
    return rows


def local_when(fmt: str = _WHEN):
    """format_local(instant, tz, fmt) in the page's language, for many instants: the language and the
    test suite's pseudo-locale looked up once, each (instant, zone) written once per worker (the same
    events' times come back on every page that lists them; Babel's formatting was most of a list's
    Python)."""
    language = current_language()
    pseudo = current_app.config.get("I18N_PSEUDO_LOCALE")
    return lambda instant, tz: _written(instant, tz, fmt, language, pseudo)


@functools.lru_cache(maxsize=2048)  # ~340 bytes an entry: bounded for the worker's memory (issue 19)
def _written(instant, tz: str | None, fmt: str, language: str, _pseudo: str | None) -> str:
    # format_local(instant, tz, fmt, language) without format_local's own memo (`_pseudo`, the test
    # suite's pseudo-locale, is part of the key only): a list's instants in its viewers' zones are more
    # than either memo holds, and on a miss here the second lookup (and its eviction) cost more than
    # writing the text (each day's part and each clock stay remembered: app.i18n._format_in).
    return with_zone(*instant_parts(instant, tz, fmt, formatting_locale(language)))
