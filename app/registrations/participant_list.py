"""The organisers' participant list: its filters (status, a search on name, email or
organisation), the facets (counts per status, seats taken), a page of rows, the export's and the
check-in list's registrations, the attendance sheet's people. Read-side only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import exists, func, null, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.cache import fragments
from app.directory.models import Organisation
from app.events.models import Event, Session
from app.extensions import db
from app.pagination import Page, paginate
from app.registrations.answers import answers_for
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.rules import SEAT_ROLES

# What a page of the participant list shows comes from these tables (app.cache stamps).
PARTICIPANT_LIST_TABLES = ("registrations", "users", "organisations", "registration_answers",
                           "registration_questions")
PARTICIPANTS_ORDER = (Registration.status, Registration.waitlisted_at, User.name, Registration.id)


def _participants_filter(query, event: Event, status_filter: str, q: str):
    """The list's filters (status and a search on name, email or organisation) on a select that
    already joins User and (outer) Organisation: the page and the export share them."""
    query = query.where(Registration.event_id == event.id)
    if status_filter in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == RegistrationStatus(status_filter))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(Organisation.name).like(like)))
    return query


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


def _participant_facets(event: Event) -> tuple[dict[str, int], int]:
    """({status: count}, participant seats taken) from one grouped statement: the status filter's
    counts, the seats line and, without a search, the list's total (no separate count)."""
    counts: dict[str, int] = {}
    seats_taken = 0
    for status_value, role, count in db.session.execute(
        select(Registration.status, Registration.role, func.count())
        .where(Registration.event_id == event.id).group_by(Registration.status, Registration.role)
    ):
        counts[status_value.value] = counts.get(status_value.value, 0) + count
        if status_value == RegistrationStatus.CONFIRMED and role in SEAT_ROLES:
            seats_taken += count
    return counts, seats_taken


def _participant_rows(event: Event, status_filter: str, q: str, number: int, per_page: int,
                      with_positions: bool, with_matches: bool) -> list:
    """One page of the list as plain rows with only the columns it shows, each waitlisted person's
    place on the waiting list (joined in, so the page stays one statement) and, with_matches, how
    many people match in all (a search reads its matches once rather than again to count them)."""
    position = null().label("position")
    query = select(
        Registration.id, Registration.status, Registration.role, Registration.checked_in_at,
        Registration.dietary_needs, Registration.accessibility_needs, Registration.needs_visa_letter,
        User.name, User.email, User.country, Organisation.name.label("organisation_name"),
        Organisation.country.label("organisation_country"),
    )
    if with_matches:
        query = query.add_columns(func.count().over().label("matches"))
    if with_positions:
        ranked = (
            select(Registration.id.label("id"),
                   func.row_number().over(order_by=(Registration.waitlisted_at, Registration.id)).label("position"))
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .subquery()
        )
        position = ranked.c.position
    query = _participants_joined(query.add_columns(position))
    if with_positions:
        query = query.outerjoin(ranked, ranked.c.id == Registration.id)
    query = _participants_filter(query, event, status_filter, q).order_by(*PARTICIPANTS_ORDER)
    return db.session.execute(
        query.limit(per_page).offset((number - 1) * per_page)
    ).all()


def _rendered(render_rows: Callable[[list, dict], str], show_needs: bool, rows: list) -> str:
    """The rows rendered with their answers (sensitive ones with the needs: `show_needs`)."""
    return render_rows(rows, answers_for([row.id for row in rows], show_needs))


@dataclass
class ParticipantPage:
    counts: dict[str, int]  # {status: count}
    seats_taken: int
    total: int  # the rows that match the filters
    rows_html: str  # the page's rows, rendered


def participant_page(event: Event, status_filter: str, q: str, number: int, per_page: int,
                     render_rows: Callable[[list, dict], str], show_needs: bool = False) -> ParticipantPage:
    """A page of the list, its rows rendered by `render_rows`. The facets are remembered until a
    registration changes; without a search, the rendered rows are remembered (per worker) until a
    registration, a person or an organisation changes: every manager of the event sees the same rows
    (the caller checks that the viewer manages it) — the event's own organisers with the participants'
    needs, other managers without (`show_needs`, a part of the key). A search is a one-off: not cached."""
    counts, seats_taken = fragments.remember(
        "registrations.participant_facets", (event.id,), ("registrations",), lambda: _participant_facets(event),
        scope=event.id)
    with_positions = bool(counts.get("waitlisted")) and status_filter in ("", "waitlisted")
    if not q:
        # The facets give the total.
        total = counts.get(status_filter, 0) if status_filter else sum(counts.values())
        rows = fragments.cached(
            "registrations.participant_rows", (event.id, status_filter, number, per_page, show_needs),
            PARTICIPANT_LIST_TABLES,
            lambda: _rendered(render_rows, show_needs,
                              _participant_rows(event, status_filter, q, number, per_page, with_positions, False)
                              if total else []),
            scope=event.id,
        )
    else:
        found = _participant_rows(event, status_filter, q, number, per_page, with_positions, True)
        if found:
            total = found[0].matches
        elif number > 1:  # past the last page: count the matches
            total = db.session.scalar(_participants_filter(
                _participants_joined(select(func.count(Registration.id))), event, status_filter, q)) or 0
        else:
            total = 0
        rows = Markup(_rendered(render_rows, show_needs, found))
    return ParticipantPage(counts, seats_taken, total, rows)


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
