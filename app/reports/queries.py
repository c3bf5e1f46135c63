"""Report figures. Every figure is an aggregate computed in the database (GROUP BY / COUNT), over
the events the viewer may report on, so a page costs the same few queries whatever the data size.

How figures are counted (shown to users on the pages, see COUNTING_RULES):
- Events in a report are published or cancelled events (drafts never count) matching the filter and
  the viewer's scope (coordinators and admins: the whole network; organisers: events they created or
  co-organise). An event belongs to the period in which it starts (dates in UTC). "Held" = published
  and ended; "planned" = published and not yet ended. Cancelled events are counted apart and add no
  participation figures.
- Registrations = confirmed registrations (any role). People = distinct persons among them
  (COUNT DISTINCT user), so someone at three events is one person. Attended = a confirmed registration
  with any check-in (event check-in, a day's attendance or a session's attendance). The attendance
  rate is attended / registrations at held events.
- A participant's country is the person's country, else their organisation's; the organisation type
  is their organisation's.
- Training hours: for a held training event, the length of its agenda sessions (breaks and
  networking excluded), or the event's own length (end minus start) when it has no such sessions;
  plus, in any held event, the length of sessions of kind "training".
- People trained: distinct participants/observers who attended a held training event or checked in
  at a training session. Certificates: one per person per held training event attended as
  participant or observer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, exists, func, literal_column, or_, select, text, union

from app.accounts.models import Role, User
from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.events.access import managed_clause
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    Session,
    SessionKind,
    event_projects,
    event_themes,
)
from app.extensions import db
from app.lessons.models import (
    TLP,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonStatus,
    lesson_themes,
)
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
)
from app.templating import country_name
from app.timeutil import now

COUNTING_RULES = [
    "Events: published or cancelled events matching the filter (drafts never count). An event "
    "belongs to the period in which it starts (dates in UTC). Held = published and ended; planned = "
    "published and not yet ended.",
    "Registrations are confirmed registrations (any role). People counts each person once, however "
    "many events they registered for.",
    "Attended = a confirmed registration with a check-in (at the event, on one of its days or at "
    "one of its sessions). Attendance rate = attended ÷ registrations, at held events.",
    "A participant's country is their own, else their organisation's; the organisation type is their "
    "organisation's. An event linked to several projects counts for each project.",
    "Training hours: a held training event counts the length of its agenda sessions (breaks and "
    "networking excluded), or its own length when it has no agenda; any held event adds its "
    "sessions of kind 'training'.",
    "People trained: distinct participants and observers who attended a held training event or "
    "checked in at a training session. Certificates issued: one per person per held training event "
    "attended as participant or observer.",
    "Lessons and follow-up actions belong to the events in the report (a theme filter also keeps "
    "lessons tagged with that theme). Overdue = open or in progress with a due date before today.",
]

SEAT_ROLES = (ParticipantRole.PARTICIPANT, ParticipantRole.OBSERVER)
NOT_TRAINING_CONTENT = (SessionKind.BREAK, SessionKind.NETWORKING)
OPEN_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
UNKNOWN = "Not recorded"
# Aliases for the filter's EXISTS clauses, so they never correlate with a query that joins the
# same association table (e.g. participation by project joins event_projects).
_filter_projects = event_projects.alias("filter_projects")
_filter_event_themes = event_themes.alias("filter_event_themes")
_filter_lesson_themes = lesson_themes.alias("filter_lesson_themes")


# ---------------------------------------------------------------------------------------------
# Filter, tables, charts and the report


@dataclass(frozen=True)
class ReportFilter:
    date_from: date | None = None
    date_to: date | None = None
    project_id: int | None = None
    country: str | None = None
    theme_id: int | None = None
    kind: EventKind | None = None

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments (the same names the filter form uses)."""
        args = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "project": str(self.project_id) if self.project_id else "",
            "country": self.country or "",
            "theme": str(self.theme_id) if self.theme_id else "",
            "kind": self.kind.value if self.kind else "",
        }
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """One line stating the filter, e.g. "Filter: project ABC; country Ukraine"."""
        parts = []
        if self.date_from and self.date_to:
            parts.append(f"period {self.date_from.isoformat()} to {self.date_to.isoformat()}")
        elif self.date_from:
            parts.append(f"period from {self.date_from.isoformat()}")
        elif self.date_to:
            parts.append(f"period until {self.date_to.isoformat()}")
        if self.project_id:
            project = db.session.get(Project, self.project_id)
            parts.append(f"project {project.acronym if project else self.project_id}")
        if self.country:
            parts.append(f"country {country_name(self.country)}")
        if self.theme_id:
            theme = db.session.get(Theme, self.theme_id)
            parts.append(f"theme {theme.label if theme else self.theme_id}")
        if self.kind:
            parts.append(f"event kind {self.kind.label}")
        return "Filter: " + ("; ".join(parts) if parts else "none (all events)")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def column(self, name: str) -> list:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def value(self, label: str, column: int = 1):
        """The value in `column` of the row whose first cell is `label` (tests and charts)."""
        for row in self.rows:
            if row[0] == label:
                return row[column]
        raise KeyError(label)


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    key: str
    title: str
    table_key: str
    categories: list[str]
    series: list[Series]
    vertical: bool = False  # columns (time on the x axis) instead of horizontal bars
    maximum: float | None = None  # fixed scale (e.g. 5 for ratings); else the largest total

    @property
    def totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.categories))]

    def description(self) -> str:
        if not self.categories:
            return f"{self.title}: no data for this filter."
        names = ", ".join(s.name for s in self.series)
        items = []
        for i, category in enumerate(self.categories[:15]):
            values = " / ".join(cell_text(s.values[i]) for s in self.series)
            items.append(f"{category}: {values}")
        more = f"; and {len(self.categories) - 15} more" if len(self.categories) > 15 else ""
        return f"{self.title} ({names}). " + "; ".join(items) + more + "."


@dataclass
class Report:
    title: str
    scope: str
    filters: ReportFilter
    filter_line: str
    produced_at: datetime
    tables: dict[str, Table]
    charts: list[Chart]
    overdue_actions: list[dict] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # e.g. the filtered project's title and grant

    @property
    def produced_line(self) -> str:
        return "Produced " + self.produced_at.strftime("%d %b %Y, %H:%M UTC")

    def figure(self, label: str):
        return self.tables["summary"].value(label)


def cell_text(value) -> str:
    """How a cell reads on screen and in CSV: the same text in both places."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# SQL helpers


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _hours(start, end):
    """Length of an interval in hours, computed by the database."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _month(column):
    """'YYYY-MM' of an instant, in UTC. Literal formats keep GROUP BY identical to the SELECT."""
    if _dialect() == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'")
        )
    return func.strftime(literal_column("'%Y-%m'"), column)


# Per-person aggregates hash ~one group per registration; PostgreSQL's default 4 MB work_mem
# spills those to disk. Raised for the report's transaction only (SET LOCAL).
PG_WORK_MEM = "64MB"


def _tune_for_aggregates() -> None:
    if _dialect() == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _CheckIns:
    """Who attended: a confirmed registration with an event check-in, a day's attendance or a
    session's attendance. The day and session check-ins are outer-joined as one de-duplicated set
    (a hash join) rather than looked up row by row."""

    def __init__(self):
        self.table = union(
            select(AttendanceDay.registration_id.label("registration_id")),
            select(SessionAttendance.registration_id),
        ).subquery("checked_in")
        self.attended = and_(
            Registration.status == RegistrationStatus.CONFIRMED,
            or_(Registration.checked_in_at.is_not(None), self.table.c.registration_id.is_not(None)),
        )

    def join(self, statement):
        return statement.outerjoin(self.table, self.table.c.registration_id == Registration.id)


def _number(value) -> float:
    return float(value or 0)


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _count_if(condition, column):
    return func.count(case((condition, column)))


def _distinct_if(condition, column):
    return func.count(distinct(case((condition, column))))


class _Scope:
    """The viewer, the filter and the instant: the WHERE clauses every figure shares."""

    def __init__(self, user, filters: ReportFilter, at: datetime):
        self.user = user
        self.filters = filters
        self.at = at
        self.today = at.date()

    def events(self, *, theme: bool = True) -> list:
        f = self.filters
        conditions = [managed_clause(self.user)]
        if f.date_from:
            conditions.append(Event.starts_at >= _start_of(f.date_from))
        if f.date_to:
            conditions.append(Event.starts_at < _start_of(f.date_to + timedelta(days=1)))
        if f.project_id:
            conditions.append(
                exists().where(
                    _filter_projects.c.event_id == Event.id,
                    _filter_projects.c.project_id == f.project_id,
                )
            )
        if f.country:
            conditions.append(Event.country == f.country)
        if theme and f.theme_id:
            conditions.append(self._event_has_theme())
        if f.kind:
            conditions.append(Event.kind == f.kind)
        return conditions

    def _event_has_theme(self):
        return exists().where(
            _filter_event_themes.c.event_id == Event.id,
            _filter_event_themes.c.theme_id == self.filters.theme_id,
        )

    def published(self) -> list:
        return [*self.events(), Event.status == EventStatus.PUBLISHED]

    def held(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at <= self.at)

    def planned(self):
        return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at > self.at)

    def lessons(self) -> list:
        conditions = [*self.events(theme=False), Event.status == EventStatus.PUBLISHED]
        if self.filters.theme_id:
            conditions.append(
                or_(
                    self._event_has_theme(),
                    exists().where(
                        _filter_lesson_themes.c.lesson_id == Lesson.id,
                        _filter_lesson_themes.c.theme_id == self.filters.theme_id,
                    ),
                )
            )
        return conditions


def _scope_label(user) -> str:
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return "Scope: the whole network"
    return f"Scope: events organised by {user.name}"


# ---------------------------------------------------------------------------------------------
# Figures (each function is one query)


def _events_by_kind(scope: _Scope) -> dict[EventKind, tuple[int, int, int]]:
    rows = db.session.execute(
        select(
            Event.kind,
            _count_if(scope.held(), Event.id),
            _count_if(scope.planned(), Event.id),
            _count_if(Event.status == EventStatus.CANCELLED, Event.id),
        )
        .where(*scope.events(), Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .group_by(Event.kind)
    ).all()
    return {kind: (held, planned, cancelled) for kind, held, planned, cancelled in rows}


def _events_by_month(scope: _Scope) -> list[tuple[str, int, int]]:
    month = _month(Event.starts_at)
    rows = db.session.execute(
        select(
            month.label("month"),
            _count_if(scope.held(), Event.id),
            _count_if(scope.planned(), Event.id),
        )
        .where(*scope.published())
        .group_by(month)
        .order_by(month)
    ).all()
    return [(m, held, planned) for m, held, planned in rows]


def _participant_cells(scope: _Scope) -> list[tuple]:
    """Confirmed registrations grouped by the participant's (country, organisation type).

    Country and organisation type belong to the person, so each person falls in exactly one cell:
    people counts per cell add up exactly to per-country, per-type and overall totals, and one
    scan of the registrations gives the totals and both breakdowns. The registrations are first
    aggregated per person (a hash aggregate, no DISTINCT sort), then per cell.
    """
    checks = _CheckIns()
    attended = checks.attended
    at_held = Event.ends_at <= scope.at
    per_person = checks.join(
        select(
            Registration.user_id.label("user_id"),
            func.count(Registration.id).label("registrations"),
            _count_if(attended, Registration.id).label("attended"),
            _count_if(at_held, Registration.id).label("held_registrations"),
            _count_if(and_(attended, at_held), Registration.id).label("held_attended"),
        )
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(*scope.published(), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.user_id)
    ).subquery("per_person")
    country = func.coalesce(User.country, Organisation.country)
    return db.session.execute(
        select(
            country.label("country"),
            Organisation.type,
            func.sum(per_person.c.registrations),
            func.count(per_person.c.user_id),
            func.sum(per_person.c.attended),
            _count_if(per_person.c.attended > 0, per_person.c.user_id),
            func.sum(per_person.c.held_registrations),
            func.sum(per_person.c.held_attended),
        )
        .select_from(per_person)
        .join(User, User.id == per_person.c.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .group_by(country, Organisation.type)
    ).all()


CELL_FIGURES = [
    "registrations",
    "people",
    "attended",
    "attended_people",
    "held_registrations",
    "held_attended",
]


def _sum_cells(cells, key=None) -> dict:
    """Add up cells (per country, per type, or all of them when key is None)."""
    sums: dict = {}
    for cell in cells:
        group = key(cell) if key else None
        current = sums.setdefault(group, [0] * len(CELL_FIGURES))
        for index, value in enumerate(cell[2:]):
            current[index] += int(value or 0)
    return {group: dict(zip(CELL_FIGURES, values, strict=True)) for group, values in sums.items()}


def _people_by(scope: _Scope, group, *joins) -> dict:
    """Confirmed registrations, people and attended registrations per `group` (a person may fall
    in several groups). Aggregated per (group, person) first, then per group: hash aggregates
    instead of COUNT(DISTINCT) sorts. Returns {group: (registrations, people, attended)}."""
    checks = _CheckIns()
    statement = (
        select(
            group.label("grp"),
            Registration.user_id.label("user_id"),
            func.count(Registration.id).label("registrations"),
            _count_if(checks.attended, Registration.id).label("attended"),
        )
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
    )
    for target, on in joins:
        statement = statement.join(target, on)
    per_person = (
        checks.join(statement)
        .where(*scope.published(), Registration.status == RegistrationStatus.CONFIRMED)
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


def _registrations_by_role(scope: _Scope) -> dict:
    return _people_by(scope, Registration.role)


def _registrations_by_status(scope: _Scope) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(*scope.published())
        .group_by(Registration.status)
    ).all()
    return dict(rows)


def _participation_by_kind(scope: _Scope) -> dict:
    """{kind: (held, planned, registrations, people, attended)}."""
    events = _events_by_kind(scope)
    people = _people_by(scope, Event.kind)
    return {
        kind: (held, planned, *people.get(kind, (0, 0, 0)))
        for kind, (held, planned, _cancelled) in events.items()
        if held or planned
    }


def _participation_by_project(scope: _Scope) -> list[tuple]:
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


def _training(scope: _Scope) -> dict[str, float]:
    held = scope.held()
    is_training_event = Event.kind == EventKind.TRAINING
    counted_session = or_(
        Session.kind == SessionKind.TRAINING,
        and_(is_training_event, Session.kind.not_in(NOT_TRAINING_CONTENT)),
    )
    sessions = db.session.execute(
        select(func.count(Session.id), func.sum(_hours(Session.starts_at, Session.ends_at)))
        .select_from(Session)
        .join(Event, Event.id == Session.event_id)
        .where(*scope.events(), held, counted_session)
    ).one()
    no_agenda = ~exists().where(
        Session.event_id == Event.id, Session.kind.not_in(NOT_TRAINING_CONTENT)
    )
    events = db.session.execute(
        select(
            func.count(Event.id),
            func.sum(case((no_agenda, _hours(Event.starts_at, Event.ends_at)))),
        ).where(*scope.events(), held, is_training_event)
    ).one()
    return {
        "sessions": int(sessions[0] or 0),
        "trainings": int(events[0] or 0),
        "hours": round(_number(sessions[1]) + _number(events[1]), 1),
    }


def _people_trained(scope: _Scope) -> dict[str, int]:
    held = scope.held()

    def attended_training(*columns):
        checks = _CheckIns()
        return checks.join(
            select(*columns)
            .select_from(Registration)
            .join(Event, Event.id == Registration.event_id)
        ).where(
            *scope.events(),
            held,
            Event.kind == EventKind.TRAINING,
            Registration.role.in_(SEAT_ROLES),
            checks.attended,
        )

    certificates = db.session.execute(attended_training(func.count(Registration.id))).scalar_one()
    at_training_session = (
        select(Registration.user_id)
        .select_from(SessionAttendance)
        .join(Session, Session.id == SessionAttendance.session_id)
        .join(Registration, Registration.id == SessionAttendance.registration_id)
        .join(Event, Event.id == Session.event_id)
        .where(
            *scope.events(),
            held,
            Session.kind == SessionKind.TRAINING,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.role.in_(SEAT_ROLES),
        )
    )
    people = union(attended_training(Registration.user_id), at_training_session).subquery()
    trained = db.session.execute(select(func.count()).select_from(people)).scalar_one()
    return {"certificates": int(certificates), "people_trained": int(trained)}


def _feedback_by_kind(scope: _Scope):
    return db.session.execute(
        select(
            Event.kind,
            func.count(Feedback.id),
            func.sum(Feedback.overall),
            func.sum(Feedback.relevance),
            func.sum(Feedback.organisation),
        )
        .select_from(Feedback)
        .join(Event, Event.id == Feedback.event_id)
        .where(*scope.published())
        .group_by(Event.kind)
    ).all()


def _lessons_by_status(scope: _Scope) -> dict[LessonStatus, int]:
    rows = db.session.execute(
        select(Lesson.status, func.count(Lesson.id))
        .select_from(Lesson)
        .join(Event, Event.id == Lesson.event_id)
        .where(*scope.lessons())
        .group_by(Lesson.status)
    ).all()
    return dict(rows)


def _lessons_by_theme(scope: _Scope):
    return db.session.execute(
        # (lesson, theme) pairs are unique, so a plain COUNT counts each lesson once per theme.
        select(Theme.id, Theme.name, Theme.empact_cycle, Lesson.status, func.count(Lesson.id))
        .select_from(Lesson)
        .join(Event, Event.id == Lesson.event_id)
        .outerjoin(lesson_themes, lesson_themes.c.lesson_id == Lesson.id)
        .outerjoin(Theme, Theme.id == lesson_themes.c.theme_id)
        .where(*scope.lessons())
        .group_by(Theme.id, Theme.name, Theme.empact_cycle, Lesson.status)
    ).all()


def _action_origin_join(statement):
    return statement.outerjoin(Lesson, Lesson.id == FollowUpAction.lesson_id).join(
        Event, Event.id == func.coalesce(FollowUpAction.event_id, Lesson.event_id)
    )


def _actions(scope: _Scope) -> dict[str, int]:
    status = FollowUpAction.status
    overdue = and_(status.in_(OPEN_ACTIONS), FollowUpAction.due_on < scope.today)
    row = db.session.execute(
        _action_origin_join(
            select(
                _count_if(status == ActionStatus.OPEN, FollowUpAction.id),
                _count_if(status == ActionStatus.IN_PROGRESS, FollowUpAction.id),
                _count_if(overdue, FollowUpAction.id),
                _count_if(status == ActionStatus.DONE, FollowUpAction.id),
                _count_if(status == ActionStatus.DROPPED, FollowUpAction.id),
            ).select_from(FollowUpAction)
        ).where(*scope.published())
    ).one()
    return dict(
        zip(
            ["open", "in_progress", "overdue", "done", "dropped"],
            (int(v or 0) for v in row),
            strict=True,
        )
    )


def _overdue_actions(scope: _Scope, limit: int = 10) -> list[dict]:
    """The most overdue actions by title. The counts include every action, but an organiser is
    shown titles only of actions on the event itself or on TLP:CLEAR/GREEN lessons, since a title
    may repeat a restricted lesson's content."""
    shareable = []
    if scope.user.role not in (Role.ADMIN, Role.COORDINATOR):
        shareable.append(
            or_(FollowUpAction.lesson_id.is_(None), Lesson.tlp.in_([TLP.CLEAR, TLP.GREEN]))
        )
    rows = db.session.execute(
        _action_origin_join(
            select(
                FollowUpAction.id,
                FollowUpAction.title,
                FollowUpAction.due_on,
                FollowUpAction.status,
                Event.id,
                Event.title,
            ).select_from(FollowUpAction)
        )
        .where(
            *scope.published(),
            FollowUpAction.status.in_(OPEN_ACTIONS),
            FollowUpAction.due_on < scope.today,
            *shareable,
        )
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": r[0],
            "title": r[1],
            "due_on": r[2],
            "status": r[3],
            "event_id": r[4],
            "event_title": r[5],
        }
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# Tables built from the figures


def _kind_order(kinds) -> list[EventKind]:
    return [kind for kind in EventKind if kind in kinds]


def _events_tables(scope: _Scope, tables: dict, charts: list) -> tuple[int, int, int]:
    by_kind = _events_by_kind(scope)
    table = Table(
        "events_by_kind", "Events by kind", ["Event kind", "Held", "Planned", "Cancelled", "Total"]
    )
    for kind in _kind_order(by_kind):
        held, planned, cancelled = by_kind[kind]
        table.rows.append([kind.label, held, planned, cancelled, held + planned + cancelled])
    totals = tuple(sum(values[i] for values in by_kind.values()) for i in range(3))
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_kind",
            "Events by kind",
            table.key,
            [row[0] for row in table.rows],
            [Series("Held", table.column("Held")), Series("Planned", table.column("Planned"))],
        )
    )

    months = _events_by_month(scope)
    table = Table("events_by_month", "Events by month", ["Month", "Held", "Planned"])
    table.rows = [[m, held, planned] for m, held, planned in _fill_months(months)]
    table.note = "Months with no event in between are shown with zero."
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_month",
            "Events by month of start",
            table.key,
            table.column("Month"),
            [Series("Held", table.column("Held")), Series("Planned", table.column("Planned"))],
            vertical=True,
        )
    )
    return totals


def _fill_months(months: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Insert the empty months between the first and last (presentation only; no counting)."""
    if not months:
        return []
    present = {m: (held, planned) for m, held, planned in months}
    year, month = (int(part) for part in months[0][0].split("-"))
    last = months[-1][0]
    filled = []
    for _ in range(600):
        key = f"{year:04d}-{month:02d}"
        held, planned = present.get(key, (0, 0))
        filled.append((key, held, planned))
        if key >= last:
            break
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return filled


def _people_tables(cells, tables: dict, charts: list) -> tuple[int, int]:
    columns = ["People", "Registrations", "Attended", "People who attended"]

    def figures(sums: dict) -> list[int]:
        return [sums["people"], sums["registrations"], sums["attended"], sums["attended_people"]]

    by_country = _sum_cells(cells, key=lambda cell: cell[0])
    table = Table("participants_by_country", "Participants by country", ["Country", *columns])
    order = sorted(
        by_country,
        key=lambda c: (c is None, -by_country[c]["people"], country_name(c) if c else ""),
    )
    table.rows = [[country_name(c) if c else UNKNOWN, *figures(by_country[c])] for c in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_country",
            "People by country",
            table.key,
            table.column("Country"),
            [Series("People", table.column("People"))],
        )
    )

    by_type = _sum_cells(cells, key=lambda cell: cell[1])
    table = Table(
        "participants_by_organisation_type",
        "Participants by organisation type",
        ["Organisation type", *columns],
    )
    rank = {kind: i for i, kind in enumerate(OrganisationType)}
    order = sorted(by_type, key=lambda t: rank.get(t, len(rank)))
    table.rows = [[t.label if t else UNKNOWN, *figures(by_type[t])] for t in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_organisation_type",
            "People by organisation type",
            table.key,
            table.column("Organisation type"),
            [Series("People", table.column("People"))],
        )
    )
    return sum(1 for c in by_country if c), sum(1 for t in by_type if t)


def _totals(cells) -> dict:
    return _sum_cells(cells).get(None, dict.fromkeys(CELL_FIGURES, 0))


def _capacity_table(scope: _Scope, tables: dict) -> dict:
    training = _training(scope)
    trained = _people_trained(scope)
    table = Table("capacity_building", "Capacity building", ["Figure", "Value"])
    table.rows = [
        ["Trainings held", training["trainings"]],
        ["Training sessions", training["sessions"]],
        ["Training hours delivered", training["hours"]],
        ["People trained", trained["people_trained"]],
        ["Certificates issued", trained["certificates"]],
    ]
    tables[table.key] = table
    return {**training, **trained}


def _feedback_table(scope: _Scope, tables: dict, charts: list) -> dict:
    rows = {row[0]: row[1:] for row in _feedback_by_kind(scope)}
    table = Table(
        "feedback",
        "Feedback averages (1–5)",
        ["Event kind", "Answers", "Overall", "Relevance", "Organisation"],
    )

    def averages(count, overall, relevance, organisation):
        if not count:
            return [count, None, None, None]
        return [
            count,
            *(round(_number(total) / count, 1) for total in (overall, relevance, organisation)),
        ]

    for kind in _kind_order(rows):
        table.rows.append([kind.label, *averages(*rows[kind])])
    sums = [sum(_number(values[i]) for values in rows.values()) for i in range(4)]
    all_row = ["All events", *averages(int(sums[0]), *sums[1:])]
    table.rows.append(all_row)
    tables[table.key] = table
    charts.append(
        Chart(
            "feedback",
            "Average feedback, all events (1–5)",
            table.key,
            ["Overall", "Relevance", "Organisation"],
            [Series("Average", [v or 0 for v in all_row[2:]])],
            maximum=5,
        )
    )
    return {"answers": all_row[1], "overall": all_row[2]}


def _lessons_tables(scope: _Scope, tables: dict, charts: list) -> int:
    by_status = _lessons_by_status(scope)
    table = Table("lessons_by_status", "Lessons by status", ["Status", "Lessons"])
    table.rows = [[status.label, by_status.get(status, 0)] for status in LessonStatus]
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_status",
            "Lessons by status",
            table.key,
            table.column("Status"),
            [Series("Lessons", table.column("Lessons"))],
        )
    )

    themes: dict = {}
    for theme_id, name, cycle, status, count in _lessons_by_theme(scope):
        label = (f"{name} (EMPACT {cycle})" if cycle else name) if theme_id else "No theme"
        themes.setdefault((theme_id is None, label), {})[status] = count
    statuses = list(LessonStatus)
    table = Table(
        "lessons_by_theme",
        "Lessons by theme and status",
        ["Theme", "Total", *(status.label for status in statuses)],
    )
    for (_, label), counts in sorted(themes.items()):
        table.rows.append([label, sum(counts.values()), *(counts.get(s, 0) for s in statuses)])
    table.note = "A lesson with several themes counts under each of them."
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_theme",
            "Lessons by theme",
            table.key,
            table.column("Theme"),
            [Series("Lessons", table.column("Total"))],
        )
    )
    return sum(by_status.values())


def _actions_table(scope: _Scope, tables: dict, charts: list) -> dict:
    actions = _actions(scope)
    table = Table("actions", "Follow-up actions", ["Status", "Actions"])
    table.rows = [
        ["Open", actions["open"]],
        ["In progress", actions["in_progress"]],
        ["Overdue (open or in progress)", actions["overdue"]],
        ["Done", actions["done"]],
        ["Dropped", actions["dropped"]],
    ]
    tables[table.key] = table
    charts.append(
        Chart(
            "actions",
            "Follow-up actions",
            table.key,
            table.column("Status"),
            [Series("Actions", table.column("Actions"))],
        )
    )
    return actions


# ---------------------------------------------------------------------------------------------
# The two reports


def dashboard_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """The coordinator's (or organiser's) dashboard: a fixed number of queries."""
    at = at or now()
    scope = _Scope(user, filters, at)
    _tune_for_aggregates()
    tables: dict[str, Table] = {"summary": Table("summary", "Key figures", ["Figure", "Value"])}
    charts: list[Chart] = []
    held, planned, cancelled = _events_tables(scope, tables, charts)
    cells = _participant_cells(scope)
    totals = _totals(cells)
    countries, types = _people_tables(cells, tables, charts)
    capacity = _capacity_table(scope, tables)
    lessons = _lessons_tables(scope, tables, charts)
    actions = _actions_table(scope, tables, charts)
    tables["summary"].rows = [
        ["Events held", held],
        ["Events planned", planned],
        ["Events cancelled", cancelled],
        ["Registrations", totals["registrations"]],
        ["People registered", totals["people"]],
        ["Registrations attended", totals["attended"]],
        [
            "Attendance rate at held events (%)",
            _rate(totals["held_attended"], totals["held_registrations"]),
        ],
        ["Countries reached", countries],
        ["Organisation types reached", types],
        ["Training hours delivered", capacity["hours"]],
        ["People trained", capacity["people_trained"]],
        ["Certificates issued", capacity["certificates"]],
        ["Lessons recorded", lessons],
        ["Open follow-up actions", actions["open"] + actions["in_progress"]],
        ["Overdue follow-up actions", actions["overdue"]],
    ]
    return Report(
        title="Dashboard",
        scope=_scope_label(user),
        filters=filters,
        filter_line=filters.describe(),
        produced_at=at,
        tables=tables,
        charts=charts,
        overdue_actions=_overdue_actions(scope),
    )


def participation_report(user, filters: ReportFilter, at: datetime | None = None) -> Report:
    """Participation and capacity building, per project and period."""
    at = at or now()
    scope = _Scope(user, filters, at)
    _tune_for_aggregates()
    tables: dict[str, Table] = {"summary": Table("summary", "Participation", ["Figure", "Value"])}
    charts: list[Chart] = []
    cells = _participant_cells(scope)
    totals = _totals(cells)

    by_kind = _participation_by_kind(scope)
    table = Table(
        "participation_by_kind",
        "Participation by event kind",
        ["Event kind", "Events held", "Events planned", "Registrations", "People", "Attended"],
    )
    for kind in _kind_order(by_kind):
        table.rows.append([kind.label, *(int(v) for v in by_kind[kind])])
    tables[table.key] = table
    charts.append(
        Chart(
            "participation_by_kind",
            "Registered and attended by event kind",
            table.key,
            table.column("Event kind"),
            [
                Series("Attended", table.column("Attended")),
                Series(
                    "Registered, not attended",
                    [
                        r - a
                        for r, a in zip(
                            table.column("Registrations"), table.column("Attended"), strict=True
                        )
                    ],
                ),
            ],
        )
    )
    held = sum(int(v[0]) for v in by_kind.values())
    planned = sum(int(v[1]) for v in by_kind.values())

    countries, types = _people_tables(cells, tables, charts)

    table = Table(
        "participation_by_project",
        "Participation by project",
        ["Project", "Events", "Registrations", "People", "Attended"],
    )
    table.rows = [
        [r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])] for r in _participation_by_project(scope)
    ]
    table.note = "An event linked to several projects counts for each of them."
    tables[table.key] = table

    by_status = _registrations_by_status(scope)
    table = Table("registrations_by_status", "Registrations by status", ["Status", "Registrations"])
    table.rows = [[status.label, by_status.get(status, 0)] for status in RegistrationStatus]
    tables[table.key] = table

    roles = _registrations_by_role(scope)
    table = Table(
        "participants_by_role",
        "Confirmed registrations by role",
        ["Role", "Registrations", "People", "Attended"],
    )
    table.rows = [
        [role.label, *(int(v) for v in roles[role][:3])]
        for role in ParticipantRole
        if role in roles
    ]
    tables[table.key] = table

    capacity = _capacity_table(scope, tables)
    feedback = _feedback_table(scope, tables, charts)
    tables["summary"].rows = [
        ["Events held", held],
        ["Events planned", planned],
        ["Registrations", totals["registrations"]],
        ["People registered", totals["people"]],
        ["Registrations attended", totals["attended"]],
        ["People who attended", totals["attended_people"]],
        [
            "Attendance rate at held events (%)",
            _rate(totals["held_attended"], totals["held_registrations"]),
        ],
        ["Countries reached", countries],
        ["Organisation types reached", types],
        ["Trainings held", capacity["trainings"]],
        ["Training hours delivered", capacity["hours"]],
        ["People trained", capacity["people_trained"]],
        ["Certificates issued", capacity["certificates"]],
        ["Feedback answers", feedback["answers"]],
        ["Average overall rating (1–5)", feedback["overall"]],
    ]
    return Report(
        title="Participation report",
        scope=_scope_label(user),
        filters=filters,
        filter_line=filters.describe(),
        produced_at=at,
        tables=tables,
        charts=charts,
        details=_project_details(filters),
    )


def _project_details(filters: ReportFilter) -> list[str]:
    project = db.session.get(Project, filters.project_id) if filters.project_id else None
    if project is None:
        return []
    funding = ", ".join(
        part
        for part in (
            project.programme,
            f"grant {project.grant_number}" if project.grant_number else None,
        )
        if part
    )
    period = ""
    if project.starts_on or project.ends_on:
        period = f" ({project.starts_on or '…'} to {project.ends_on or '…'})"
    return [
        f"Project {project.acronym}: {project.title}"
        + (f" — {funding}" if funding else "")
        + period
    ]
