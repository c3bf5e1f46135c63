"""Report figures: events, training, feedback, lessons and follow-up actions, each function one
aggregate query over the viewer's scope (participation figures are in app.reports.participants)."""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, literal, null, or_, select, true, union_all

from app.accounts.models import Role
from app.certificates.models import Certificate
from app.directory.models import Theme
from app.events.models import Event, EventKind, EventStatus, Session, SessionKind
from app.extensions import db
from app.lessons.models import (
    OPEN_ACTION_STATES,
    SHAREABLE_MARKINGS,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonStatus,
    lesson_themes,
)
from app.lessons.visibility import visible_actions_clause
from app.registrations.models import Feedback
from app.reports.counting import (
    NOT_TRAINING_CONTENT,
    count_if,
    hours_between,
    month_of,
    number,
)
from app.reports.scope import Scope


def events_by_kind_and_month(scope: Scope) -> tuple[dict[EventKind, tuple[int, int, int]], list[tuple[str, int, int]]]:
    """({kind: (held, planned, cancelled)}, [(month, held, planned)] by month of start, months with
    published events only), from one aggregate per (kind, month) of the published or cancelled events."""
    by_kind: dict[EventKind, tuple[int, int, int]] = {}
    by_month: dict[str, tuple[int, int]] = {}
    for kind, m, held, planned, cancelled in scope.rows(_events_statement):
        before = by_kind.get(kind, (0, 0, 0))
        by_kind[kind] = (before[0] + held, before[1] + planned, before[2] + cancelled)
        if held or planned:  # published: held or planned
            before_month = by_month.get(m, (0, 0))
            by_month[m] = (before_month[0] + held, before_month[1] + planned)
    return by_kind, [(m, held, planned) for m, (held, planned) in sorted(by_month.items())]


def _events_statement(scope: Scope):
    month = month_of(Event.starts_at)
    return (
        select(
            Event.kind,
            month.label("month"),
            count_if(scope.held()),
            count_if(scope.planned()),
            count_if(Event.status == EventStatus.CANCELLED),
        )
        .where(*scope.events(), Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .group_by(Event.kind, month)
    )


def events_by_kind(scope: Scope) -> dict[EventKind, tuple[int, int, int]]:
    return events_by_kind_and_month(scope)[0]


def capacity(scope: Scope) -> dict[str, float]:
    """Trainings held, training sessions and hours and certificates issued: three aggregates over
    different tables, sent as one statement (each a one-row derived table). People trained are
    counted with the participants (app.reports.participants.trained_clause)."""
    row = scope.rows(_capacity_statement)[0]
    return {
        "sessions": int(row[0] or 0),
        "trainings": int(row[2] or 0),
        "hours": round(number(row[1]) + number(row[3]), 1),
        "certificates": int(row[4] or 0),
    }


def _capacity_statement(scope: Scope):
    sessions, trainings = _training(scope)
    certificates = _certificates(scope)
    return (
        select(sessions.c.count, sessions.c.hours, trainings.c.count, trainings.c.hours, certificates.c.count)
        .select_from(sessions.join(trainings, true()).join(certificates, true()))
    )


def _training(scope: Scope):
    held = scope.held()
    is_training_event = Event.kind == EventKind.TRAINING
    counted_session = or_(
        Session.kind == SessionKind.TRAINING,
        and_(is_training_event, Session.kind.not_in(NOT_TRAINING_CONTENT)),
    )
    sessions = (
        select(func.count(Session.id).label("count"),
               func.sum(hours_between(Session.starts_at, Session.ends_at)).label("hours"))
        .select_from(Session)
        .join(Event, Event.id == Session.event_id)
        .where(*scope.events(), held, counted_session)
    ).subquery("training_sessions")
    no_agenda = ~exists().where(
        Session.event_id == Event.id, Session.kind.not_in(NOT_TRAINING_CONTENT)
    )
    trainings = (
        select(
            func.count(Event.id).label("count"),
            func.sum(case((no_agenda, hours_between(Event.starts_at, Event.ends_at)))).label("hours"),
        ).where(*scope.events(), held, is_training_event)
    ).subquery("trainings")
    return sessions, trainings


def _certificates(scope: Scope):
    return (
        select(func.count(Certificate.id).label("count")).join(Event, Event.id == Certificate.event_id)
        .where(*scope.events(), scope.held(), Certificate.revoked_at.is_(None))
    ).subquery("certificates_issued")


def feedback_by_kind(scope: Scope):
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


def lessons_by_status_and_theme(scope: Scope) -> tuple[dict[LessonStatus, int], list[tuple]]:
    """({status: lessons}, [(theme id, name, cycle, status, lessons)] — theme None for lessons
    without one), in one statement: the lessons in scope are read once (a CTE), counted per status
    and, joined to their themes, per (theme, status)."""
    statuses, by_theme = {}, []
    for per_status, theme_id, name, cycle, status, lessons in scope.rows(_lessons_statement):
        if per_status:
            statuses[LessonStatus(status)] = lessons
        else:
            by_theme.append((theme_id, name, cycle, LessonStatus(status), lessons))
    return statuses, by_theme


def _lessons_statement(scope: Scope):
    scoped = (
        select(Lesson.id, Lesson.status).select_from(Lesson).join(Event, Event.id == Lesson.event_id)
        .where(*scope.lessons())
    ).cte("scoped_lessons")
    by_status = select(null().label("theme_id"), scoped.c.status, func.count().label("lessons"),
                       literal(True).label("per_status")).group_by(scoped.c.status)
    # (lesson, theme) pairs are unique, so a plain COUNT counts each lesson once per theme.
    by_theme = (
        select(lesson_themes.c.theme_id, scoped.c.status, func.count(), literal(False))
        .select_from(scoped).outerjoin(lesson_themes, lesson_themes.c.lesson_id == scoped.c.id)
        .group_by(lesson_themes.c.theme_id, scoped.c.status)
    )
    counts = union_all(by_status, by_theme).subquery("counts")
    return (
        select(counts.c.per_status, counts.c.theme_id, Theme.name, Theme.empact_cycle, counts.c.status,
               counts.c.lessons)
        .select_from(counts).outerjoin(Theme, Theme.id == counts.c.theme_id)
    )


def _action_origin_join(statement):
    return statement.outerjoin(Lesson, Lesson.id == FollowUpAction.lesson_id).join(
        Event, Event.id == func.coalesce(FollowUpAction.event_id, Lesson.event_id)
    )


ACTION_FIGURES = ["open", "in_progress", "overdue", "done", "dropped"]


OVERDUE_LISTED = 10  # the most overdue actions a report lists


def actions(scope: Scope, limit: int = OVERDUE_LISTED) -> tuple[dict[str, int], list[dict]]:
    """The follow-up actions the viewer may see (visible_actions_clause) counted by state, and the
    `limit` most overdue of them by title, in one statement: the counts are window aggregates over
    every visible action, the rows those listed first. An organiser is shown titles only of actions
    on the event itself or on TLP:CLEAR/GREEN lessons, since a title may repeat a restricted
    lesson's content (the counts include the others)."""
    if _network_wide(scope):  # the rule depends on the role alone
        rows = scope.rows(_actions_statement, limit, key=(scope.user.role,))
    else:  # the rule holds this person's own values: built for them
        rows = db.session.execute(_actions_statement(scope, limit)).all()
    totals = dict.fromkeys(ACTION_FIGURES, 0)
    if rows:
        totals = dict(zip(ACTION_FIGURES, (int(v or 0) for v in rows[0][7:]), strict=True))
    overdue_list = [
        {"id": r[0], "title": r[1], "due_on": r[2], "status": r[3], "event_id": r[4], "event_title": r[5]}
        for r in rows
        if r[6]
    ]
    return totals, overdue_list


def _network_wide(scope: Scope) -> bool:
    """Whether the viewer is a role, not a person (the network-wide reports)."""
    return getattr(scope.user, "id", None) is None


def dashboard_later_statements(scope: Scope) -> list[tuple]:
    """The dashboard's figure statements that come after its participant cells and may run beside
    them (app.reports.beside), as Scope.rows takes them ((build, args, key)): the lessons and, for
    a network-wide viewer, the actions. Counts and a fully ordered list, so any plan gives the same
    figures. (Not the capacity: its training hours are a sum of floats, which another plan may add
    up in another order and round differently at the last digit.)"""
    later = [(_lessons_statement, (), ())]
    if _network_wide(scope):
        later.append((_actions_statement, (OVERDUE_LISTED,), (scope.user.role,)))
    return later


def _actions_statement(scope: Scope, limit: int):
    status = FollowUpAction.status
    overdue = and_(status.in_(OPEN_ACTION_STATES),
                   FollowUpAction.due_on < scope.bound("scope_today", FollowUpAction.due_on.type))
    listed = overdue
    if scope.user.role not in (Role.ADMIN, Role.COORDINATOR):
        listed = and_(overdue, or_(FollowUpAction.lesson_id.is_(None), Lesson.tlp.in_(SHAREABLE_MARKINGS)))
    counts = [
        count_if(condition).over()
        for condition in (status == ActionStatus.OPEN, status == ActionStatus.IN_PROGRESS, overdue,
                          status == ActionStatus.DONE, status == ActionStatus.DROPPED)
    ]
    is_listed = case((listed, 1), else_=0)
    return (
        _action_origin_join(
            select(
                FollowUpAction.id, FollowUpAction.title, FollowUpAction.due_on, FollowUpAction.status,
                Event.id, Event.title, is_listed, *counts,
            ).select_from(FollowUpAction)
        )
        .where(*scope.published(), visible_actions_clause(scope.user))
        .order_by(is_listed.desc(), FollowUpAction.due_on, FollowUpAction.id)
        .limit(limit)
    )
