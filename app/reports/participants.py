"""Participation figures: confirmed registrations, people and attendance, overall and per
country, organisation type, role, status, event kind and project (one or two queries each)."""

from __future__ import annotations

from itertools import islice

from sqlalchemy import and_, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.directory.models import Organisation, Project
from app.events.models import Event, EventKind, EventStatus, Session, SessionKind, event_projects
from app.extensions import db
from app.registrations.attendance import attended_clause
from app.registrations.models import Registration, RegistrationStatus, SessionAttendance
from app.registrations.rules import SEAT_ROLES
from app.reports.counting import count_by_status, count_if, one_of
from app.reports.figures import events_by_kind
from app.reports.models import ParticipationTally
from app.reports.scope import Scope


def participant_cells(scope: Scope) -> list[tuple]:
    """Confirmed registrations grouped by the participant's (country, organisation type).

    Country and organisation type belong to the person, so each person falls in exactly one cell:
    people counts per cell add up exactly to per-country, per-type and overall totals, and one
    scan of the registrations gives the totals and both breakdowns. The registrations are first
    aggregated per person (per_person), then per cell; attendance is the fact stored on each
    registration (attended_clause), so nothing but registrations and events is read (and the
    check-ins at training sessions, for who was trained: trained_clause).

    The network-wide report without filter reads the per-person figures the database keeps
    (app.reports.tallies) instead: about 20,000 rows rather than every registration (issue 19: its
    statement took ~150 ms of the dashboard's ~180 at the benchmark's scale).

    Each cell is [country, organisation type, *figures (CELL_FIGURES' order, as ints)].
    """
    build = _tallied_cells_statement if reads_tallies(scope) else _cells_statement
    return [[country, kind, *(int(value or 0) for value in figures)]
            for country, kind, *figures in scope.rows(build)]


def reads_tallies(scope: Scope) -> bool:
    """Whether the scope's cells come from the tallies: every published event (a coordinator's or
    an admin's scope, no filter), which is what the tallies count."""
    return scope.shape[0] == "all" and not any(scope.shape[1:])


def per_person(held, *conditions, fence: bool = True):
    """Per person, their confirmed registrations at the events matching `conditions`: how many,
    attended, at a `held` event (a condition on Event), attended there, and trained (at a held
    event). The one statement of these figures: the reports run it live (with held = ended by the
    report's instant) and the tallies' triggers run it for one person (held = Event.tallied_held).

    Each registration's three facts (attended, held, trained) are worked out once, in a subquery
    the planner keeps apart (OFFSET 0: not flattened into the aggregate, whose FILTER clauses would
    each evaluate them again); the counts then filter on those columns. On PostgreSQL the facts
    are worked out by the parallel workers, the aggregate reads narrow rows (about a quarter less
    time for the network-wide statement at the benchmark's scale). Without `fence` (a trigger's
    recount of one person's few rows) the subquery is left to the planner."""
    facts = (
        select(
            Registration.user_id.label("user_id"),
            attended_clause().label("attended"),
            held.label("held"),
            and_(held, trained_clause()).label("trained"),
        )
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(*conditions, Registration.status == RegistrationStatus.CONFIRMED)
    )
    if fence:
        facts = facts.offset(literal_column("0"))
    facts = facts.subquery("facts")
    return (
        select(
            facts.c.user_id,
            func.count().label("registrations"),
            count_if(facts.c.attended).label("attended"),
            count_if(facts.c.held).label("held_registrations"),
            count_if(and_(facts.c.attended, facts.c.held)).label("held_attended"),
            count_if(facts.c.trained).label("trained"),
        )
        .group_by(facts.c.user_id)
    )


def _cells_statement(scope: Scope):
    return _cells_of(per_person(Event.ends_at <= scope.at_bound, *scope.published()).subquery("per_person"))


def _tallied_cells_statement(scope: Scope):
    """The cells from the tallies, corrected for the events whose held state at the report's
    instant is not the one the tallies count (Event.tallied_held: ended since the scheduler last
    moved it, or their end was edited): per person, the held figures of those events' registrations
    as they are now, minus as the tallies count them. Exact whatever the flags say; the scheduler
    keeps the correction small (a few events)."""
    at_held = Event.ends_at <= scope.at_bound
    moving = aliased(Event, name="moving")
    moved = one_of(Registration.event_id, select(moving.id).where(
        moving.status == EventStatus.PUBLISHED, (moving.ends_at <= scope.at_bound) != moving.tallied_held))
    now_held = per_person(at_held, moved).subquery("now_held")
    tallied = per_person(Event.tallied_held, moved).subquery("tallied")
    changed = ("held_registrations", "held_attended", "trained")
    deltas = union_all(
        select(now_held.c.user_id, *(now_held.c[name].label(name) for name in changed)),
        select(tallied.c.user_id, *((-tallied.c[name]).label(name) for name in changed)),
    ).subquery("deltas")
    delta = (
        select(deltas.c.user_id, *(func.sum(deltas.c[name]).label(name) for name in changed))
        .group_by(deltas.c.user_id)
    ).subquery("delta")
    tally = ParticipationTally
    corrected = (
        select(
            tally.user_id, tally.registrations, tally.attended,
            *((getattr(tally, name) + func.coalesce(delta.c[name], 0)).label(name) for name in changed),
        )
        .select_from(tally)
        .outerjoin(delta, delta.c.user_id == tally.user_id)
    ).subquery("per_person")
    return _cells_of(corrected)


def _cells_of(per_person):
    """Per (country, organisation type) of the people, their figures added up (CELL_FIGURES)."""
    country = func.coalesce(User.country, Organisation.country)
    return (
        select(
            country.label("country"),
            Organisation.type,
            func.sum(per_person.c.registrations),
            func.count(per_person.c.user_id),
            func.sum(per_person.c.attended),
            count_if(per_person.c.attended > 0),
            func.sum(per_person.c.held_registrations),
            func.sum(per_person.c.held_attended),
            count_if(per_person.c.trained > 0),
        )
        .select_from(per_person)
        .join(User, User.id == per_person.c.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .group_by(country, Organisation.type)
    )


def trained_clause():
    """A confirmed registration (the caller's condition) at a published event that has ended (the
    caller's too) that trained its person: in a seat, and attended a training event or was
    checked in at one of its event's training sessions. "People trained" counts their people."""
    at_training_session = (
        select(SessionAttendance.registration_id)
        .join(Session, Session.id == SessionAttendance.session_id)
        .where(Session.kind == SessionKind.TRAINING)
    )
    return and_(
        Registration.role.in_(SEAT_ROLES),
        or_(
            and_(Event.kind == EventKind.TRAINING, attended_clause()),
            Registration.id.in_(at_training_session),
        ),
    )


CELL_FIGURES = [
    "registrations",
    "people",
    "attended",
    "attended_people",
    "held_registrations",
    "held_attended",
    "trained_people",
]


def sum_cells(cells, key=None) -> dict:
    """Add up participant_cells' cells (per country, per type, or all of them when key is None):
    each group's figures summed column by column."""
    groups: dict = {}
    if key is None:
        if cells:
            groups[None] = cells
    else:
        for cell in cells:
            group = key(cell)
            found = groups.get(group)
            if found is None:
                groups[group] = [cell]
            else:
                found.append(cell)
    return {group: dict(zip(CELL_FIGURES, map(sum, islice(zip(*rows, strict=True), 2, None)), strict=True))
            for group, rows in groups.items()}


def totals(cells) -> dict:
    """All cells added up: the report's overall participation figures."""
    return sum_cells(cells).get(None, dict.fromkeys(CELL_FIGURES, 0))


def _people_by(scope: Scope, group, *joins) -> dict:
    """Confirmed registrations, people and attended registrations per `group` (a person may fall
    in several groups). Aggregated per (group, person) first, then per group: hash aggregates
    instead of COUNT(DISTINCT) sorts. Returns {group: (registrations, people, attended)}."""
    statement = (
        select(
            group.label("grp"),
            Registration.user_id.label("user_id"),
            func.count().label("registrations"),
            count_if(attended_clause()).label("attended"),
        )
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
    )
    for target, on in joins:
        statement = statement.join(target, on)
    per_person = (
        statement.where(*scope.published(), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(group, Registration.user_id)
        .subquery("per_person")
    )
    rows = db.session.execute(
        select(
            per_person.c.grp,
            func.sum(per_person.c.registrations),
            func.count(per_person.c.user_id),
            func.sum(per_person.c.attended),
        ).group_by(per_person.c.grp)
    ).all()
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


def registrations_by_role(scope: Scope) -> dict:
    return _people_by(scope, Registration.role)


def registrations_by_status(scope: Scope) -> dict[RegistrationStatus, int]:
    return count_by_status(Registration, scope.published())


def participation_by_kind(scope: Scope) -> dict:
    """{kind: (held, planned, registrations, people, attended)}."""
    events = events_by_kind(scope)
    people = _people_by(scope, Event.kind)
    return {
        kind: (held, planned, *people.get(kind, (0, 0, 0)))
        for kind, (held, planned, _cancelled) in events.items()
        if held or planned
    }


def participation_by_project(scope: Scope) -> list[tuple]:
    """(acronym, events, registrations, people, attended) per project with events in the report."""
    events = db.session.execute(
        select(Project.id, Project.acronym, func.count(Event.id))
        .select_from(Project)
        .join(event_projects, event_projects.c.project_id == Project.id)
        .join(Event, Event.id == event_projects.c.event_id)
        .where(*scope.published())
        .group_by(Project.id, Project.acronym)
        .order_by(Project.acronym)
    ).all()
    people = _people_by(
        scope,
        event_projects.c.project_id,
        (event_projects, event_projects.c.event_id == Event.id),
    )
    return [(acronym, count, *people.get(pid, (0, 0, 0))) for pid, acronym, count in events]
