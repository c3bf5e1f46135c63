"""The organisers' participant list: its filters (status, a search on name, email or
organisation), the facets (counts per status, seats taken, and the per-event facts packages above
register for their panels: `register_fact`), a page of rows, the export's and the check-in list's
registrations, the attendance sheet's people. Read-side only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import bindparam, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.cache import raw
from app.directory.models import Organisation
from app.events.models import Event, Session
from app.extensions import db
from app.pagination import Page, paginate
from app.registrations.answers import answers_of
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.question_models import RegistrationQuestion
from app.registrations.questions import event_questions
from app.registrations.rules import SEAT_ROLES
from app.request_store import request_dict

PARTICIPANTS_ORDER = (Registration.status, Registration.waitlisted_at, User.name, Registration.id)


def _filter_clauses(event_id, status, like) -> list:
    """The list's WHERE: the event, a status (None: any), a search (None: none) on name, email or
    organisation; values or bind parameters."""
    clauses = [Registration.event_id == event_id]
    if status is not None:
        clauses.append(Registration.status == status)
    if like is not None:
        clauses.append(or_(func.lower(User.name).like(like), User.email.like(like), func.lower(Organisation.name).like(like)))
    return clauses


def _participants_filter(query, event: Event, status_filter: str, q: str):
    """The list's filters (status and a search on name, email or organisation) on a select that
    already joins User and (outer) Organisation: the page and the export share them."""
    status = RegistrationStatus(status_filter) if status_filter in {s.value for s in RegistrationStatus} else None
    return query.where(*_filter_clauses(event.id, status, f"%{q.lower()}%" if q else None))


def _participants_joined(query):
    return query.select_from(Registration).join(User, User.id == Registration.user_id) \
        .outerjoin(Organisation, Organisation.id == User.organisation_id)


def participants_query(event: Event, status_filter: str, q: str):
    """Registrations with their people and organisations, loaded from the joins that the filter
    and the order use (not joined a second time)."""
    query = _participants_joined(select(Registration)).options(
        contains_eager(Registration.user).contains_eager(User.organisation)
    )
    return _participants_filter(query, event, status_filter, q).order_by(*PARTICIPANTS_ORDER)


def export_registrations(event: Event, status_filter: str, q: str) -> list[Registration]:
    """The export's registrations: the list's filters and order, every page."""
    return db.session.scalars(participants_query(event, status_filter, q)).unique().all()


# Per-event facts of the packages above that the list's page shows a panel for (app.calendar: the
# replies from calendar programs), read as columns of the facets' statement, as events.page_facts
# does for the event page: a panel whose fact says "nothing here" asks nothing more.
# {name: (column(event_id) -> a scalar SQL expression of the bound event id, the tables it reads)}
_facts: dict[str, tuple[Callable, tuple[str, ...]]] = {}
_UNKNOWN = object()  # "not read on this request": the panel asks as usual


def register_fact(name: str, column: Callable, tables: Sequence[str]) -> None:
    """Read `column(event_id)` (an EXISTS, a scalar subquery) with the list's facets; it reads
    `tables` (the facets are remembered until one of them changes). Names are "package.fact"."""
    _facts[name] = (column, tuple(tables))
    _facets_statement.cache_clear()
    _facets_and_rows_statement.cache_clear()


def fact_absent(event_id: int, name: str) -> bool:
    """True when this request's participant list read that the event has no such thing (the fact is
    known and false or zero): the panel can skip its query. False when not known (another page, or
    an event nobody registered to: the facets' statement found no row)."""
    store = request_dict("_participant_list_facts")
    facts = store.get(event_id) if store is not None else None
    value = _UNKNOWN if facts is None else facts.get(name, _UNKNOWN)
    return value is not _UNKNOWN and not value


def _facets_of(names: tuple[str, ...], groups) -> tuple[dict[str, int], int, bool | None, dict | None]:
    """({status: count}, participant seats taken, whether the event asks registration questions,
    {registered fact: value}) from the facets' rows (status, role, count, asks, *facts): the status
    filter's counts, the seats line, without a search the list's total, whether the questions (and
    their answers) are worth asking for, and the facts (both None for an event nobody registered to:
    not known)."""
    counts: dict[str, int] = {}
    seats_taken = 0
    has_questions = facts = None
    for status_value, role, count, asks, *values in groups:
        counts[status_value.value] = counts.get(status_value.value, 0) + count
        if status_value == RegistrationStatus.CONFIRMED and role in SEAT_ROLES:
            seats_taken += count
        has_questions = bool(asks)
        facts = dict(zip(names, values, strict=True))
    return counts, seats_taken, has_questions, facts


@functools.cache
def _facets_statement():
    """(fact names, statement), built once (bound: event_id)."""
    event_id = bindparam("event_id")
    asks = exists().where(RegistrationQuestion.event_id == event_id)
    names = tuple(_facts)
    return names, (select(Registration.status, Registration.role, func.count(), asks.label("has_questions"),
                          *(_facts[name][0](event_id).label(f"fact_{index}") for index, name in enumerate(names)))
                   .where(Registration.event_id == event_id).group_by(Registration.status, Registration.role))


def _page_values(event: Event, status_filter: str, q: str, number: int, per_page: int) -> tuple[bool, dict]:
    """(whether the list is filtered by a status, the values of the page's statement)."""
    by_status = status_filter in {s.value for s in RegistrationStatus}
    values = {"event_id": event.id, "limit": per_page, "offset": (number - 1) * per_page}
    if by_status:
        values["status"] = RegistrationStatus(status_filter)
    if q:
        values["like"] = f"%{q.lower()}%"
    return by_status, values


@functools.lru_cache(maxsize=16)
def _rows_statement(by_status: bool, search: bool, with_positions: bool, with_matches: bool):
    """The page's statement for one shape of filters, built once (its cache key with it); the
    values are bound when it runs."""
    position = null().label("position")
    query = select(
        Registration.id, Registration.status, Registration.role, Registration.checked_in_at,
        Registration.dietary_needs, Registration.accessibility_needs, Registration.needs_visa_letter,
        User.name, User.email, User.country, Organisation.name.label("organisation_name"),
        Organisation.country.label("organisation_country"), Registration.waitlisted_at,
    )
    if with_matches:
        query = query.add_columns(func.count().over().label("matches"))
    if with_positions:
        ranked = (
            select(Registration.id.label("id"),
                   func.row_number().over(order_by=(Registration.waitlisted_at, Registration.id)).label("position"))
            .where(Registration.event_id == bindparam("event_id"), Registration.status == RegistrationStatus.WAITLISTED)
            .subquery()
        )
        position = ranked.c.position
    query = _participants_joined(query.add_columns(position))
    if with_positions:
        query = query.outerjoin(ranked, ranked.c.id == Registration.id)
    query = query.where(*_filter_clauses(bindparam("event_id"), bindparam("status") if by_status else None,
                                         bindparam("like") if search else None))
    return query.order_by(*PARTICIPANTS_ORDER).limit(bindparam("limit")).offset(bindparam("offset"))


# The parts of the statement that reads a page's rows and the facets at once (nothing kept).
_ROWS, _FACETS = range(2)


@functools.lru_cache(maxsize=16)
def _facets_and_rows_statement(by_status: bool, search: bool, with_positions: bool, with_matches: bool):
    """(fact names, statement): a page's rows (_rows_statement) and then the facets' groups
    (_facets_statement) in one UNION ALL, the columns of one part empty in the other, in the page's
    order."""
    names, facets = _facets_statement()
    page = _rows_statement(by_status, search, with_positions, with_matches).subquery("page")
    facet_columns = list(facets.selected_columns)  # status, role, count, has_questions, facts
    rows_part = select(literal(_ROWS).label("part"), *page.c,
                       *(null().label(f"facet_{index}") for index, _ in enumerate(facet_columns[2:])))
    groups = facets.subquery("groups")
    facets_part = select(literal(_FACETS), *(groups.c.status if column.key == "status" else groups.c.role
                                             if column.key == "role" else null() for column in page.c),
                         *list(groups.c)[2:])
    both = union_all(rows_part, facets_part).subquery("both")
    return names, select(both).order_by(both.c.part, *(both.c[column.key] for column in PARTICIPANTS_ORDER))


def _facets_and_rows(event: Event, status_filter: str, q: str, number: int, per_page: int,
                     with_matches: bool) -> tuple[tuple, list]:
    """(_facets_of's answer, the page's rows) in one statement (the waiting-list
    places joined in whenever the list may show waitlisted people: the counts are not known yet)."""
    by_status, values = _page_values(event, status_filter, q, number, per_page)
    names, statement = _facets_and_rows_statement(by_status, bool(q), status_filter in ("", "waitlisted"),
                                                  with_matches)
    rows, groups = [], []
    width = len(_facets_statement()[1].selected_columns) - 2
    found, plan = raw.read(  # on the DBAPI cursor (app.cache.raw): up to 200 rows
        db.session, (_facets_and_rows_statement, by_status, bool(q), status_filter in ("", "waitlisted"),
                     with_matches, tuple(values)), lambda: statement, values, every=True)
    for row in map(raw.row_class(plan.keys)._make, found):
        if row.part == _ROWS:
            rows.append(row)
        else:
            groups.append((row.status, row.role, *row[-width:]))
    return _facets_of(names, groups), rows


def _rendered(render_rows: Callable[[list, dict], str], questions: Sequence, show_needs: bool, rows: list) -> str:
    """The rows rendered with their answers to the event's `questions` (sensitive ones with the
    needs: `show_needs`; none asked for when no question is shown)."""
    return render_rows(rows, answers_of([row.id for row in rows], questions, show_needs))


@dataclass
class ParticipantPage:
    counts: dict[str, int]  # {status: count}
    seats_taken: int
    total: int  # the rows that match the filters
    rows_html: str  # the page's rows, rendered
    questions: Sequence  # the event's registration questions (questions.event_questions)


def participant_page(event: Event, status_filter: str, q: str, number: int, per_page: int,
                     render_rows: Callable[[list, dict], str], show_needs: bool = False) -> ParticipantPage:
    """A page of the list, its rows rendered by `render_rows` (the event's own organisers see the
    participants' needs: `show_needs`). The facets and the page's rows come from one statement; the
    event's questions (whose answers the rows show) are asked for only when it found some. Nothing is
    kept across requests: kept in the cache (the facets per event, the rows per event, filter, page and
    `show_needs`), they were found about once in three builds in the mix's replay, each miss cost two
    statements instead of this one, and the rows held an eighth of the cache's bytes (issue 19)."""
    (counts, seats_taken, has_questions, facts), found = _facets_and_rows(
        event, status_filter, q, number, per_page, bool(q))
    store = request_dict("_participant_list_facts")
    if store is not None and facts is not None:
        store[event.id] = facts
    questions = () if has_questions is False else event_questions(event.id)
    if not q:  # the facets give the total
        total = counts.get(status_filter, 0) if status_filter else sum(counts.values())
    elif found:
        total = found[0].matches
    elif number > 1:  # past the last page: count the matches
        total = db.session.scalar(_participants_filter(
            _participants_joined(select(func.count(Registration.id))), event, status_filter, q)) or 0
    else:
        total = 0
    rows = Markup(_rendered(render_rows, questions, show_needs, found))
    return ParticipantPage(counts, seats_taken, total, rows, questions)


def signed_up_clause(session_id: int):
    """The registration's person has a confirmed sign-up for the session (a WHERE condition)."""
    return exists().where(SessionSignup.session_id == session_id, SessionSignup.user_id == Registration.user_id,
                          SessionSignup.status == SessionSignupStatus.CONFIRMED)


def checkin_page(event: Event, q: str, page_value, session: Session | None = None) -> Page:
    """A page of 50 confirmed people by name, the list's search applied; for a session with
    sign-up, only the people signed up for it."""
    query = participants_query(event, RegistrationStatus.CONFIRMED.value, q)
    if session is not None and session.has_signup:
        query = query.where(signed_up_clause(session.id))
    query = query.order_by(None).order_by(User.name, Registration.id)
    return paginate(query, page_value, per_page=50)


def confirmed_registrations(event_id: int) -> list[Registration]:
    """The confirmed people by name, with their organisations (the attendance sheet)."""
    return db.session.scalars(
        select(Registration).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(Registration.user)).order_by(User.name, Registration.id)
    ).all()
