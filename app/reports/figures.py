"""Report figures: events, training, feedback, lessons and follow-up actions, each function one
aggregate query over the viewer's scope (participation figures are in app.reports.participants)."""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, or_, select, union

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
from app.registrations.attendance import CheckIns
from app.registrations.models import Feedback, Registration, RegistrationStatus, SessionAttendance
from app.registrations.rules import SEAT_ROLES
from app.reports.counting import (
    NOT_TRAINING_CONTENT,
    count_by_status,
    count_if,
    hours_between,
    month_of,
    number,
)
from app.reports.scope import Scope


def events_by_kind(scope: Scope) -> dict[EventKind, tuple[int, int, int]]:
    rows = db.session.execute(
        select(
            Event.kind,
            count_if(scope.held(), Event.id),
            count_if(scope.planned(), Event.id),
            count_if(Event.status == EventStatus.CANCELLED, Event.id),
        )
        .where(*scope.events(), Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .group_by(Event.kind)
    ).all()
    return {kind: (held, planned, cancelled) for kind, held, planned, cancelled in rows}


def events_by_month(scope: Scope) -> list[tuple[str, int, int]]:
    month = month_of(Event.starts_at)
    rows = db.session.execute(
        select(
            month.label("month"),
            count_if(scope.held(), Event.id),
            count_if(scope.planned(), Event.id),
        )
        .where(*scope.published())
        .group_by(month)
        .order_by(month)
    ).all()
    return [(m, held, planned) for m, held, planned in rows]


def training(scope: Scope) -> dict[str, float]:
    held = scope.held()
    is_training_event = Event.kind == EventKind.TRAINING
    counted_session = or_(
        Session.kind == SessionKind.TRAINING,
        and_(is_training_event, Session.kind.not_in(NOT_TRAINING_CONTENT)),
    )
    sessions = db.session.execute(
        select(func.count(Session.id), func.sum(hours_between(Session.starts_at, Session.ends_at)))
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
            func.sum(case((no_agenda, hours_between(Event.starts_at, Event.ends_at)))),
        ).where(*scope.events(), held, is_training_event)
    ).one()
    return {
        "sessions": int(sessions[0] or 0),
        "trainings": int(events[0] or 0),
        "hours": round(number(sessions[1]) + number(events[1]), 1),
    }


def people_trained(scope: Scope) -> dict[str, int]:
    held = scope.held()

    def attended_training(*columns):
        checks = CheckIns()
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

    certificates = db.session.execute(
        select(func.count(Certificate.id)).join(Event, Event.id == Certificate.event_id)
        .where(*scope.events(), held, Certificate.revoked_at.is_(None))
    ).scalar_one()
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


def lessons_by_status(scope: Scope) -> dict[LessonStatus, int]:
    return count_by_status(Lesson, scope.lessons())


def lessons_by_theme(scope: Scope):
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


def actions(scope: Scope) -> dict[str, int]:
    status = FollowUpAction.status
    overdue = and_(status.in_(OPEN_ACTION_STATES), FollowUpAction.due_on < scope.today)
    row = db.session.execute(
        _action_origin_join(
            select(
                count_if(status == ActionStatus.OPEN, FollowUpAction.id),
                count_if(status == ActionStatus.IN_PROGRESS, FollowUpAction.id),
                count_if(overdue, FollowUpAction.id),
                count_if(status == ActionStatus.DONE, FollowUpAction.id),
                count_if(status == ActionStatus.DROPPED, FollowUpAction.id),
            ).select_from(FollowUpAction)
        ).where(*scope.published(), visible_actions_clause(scope.user))
    ).one()
    return dict(
        zip(
            ["open", "in_progress", "overdue", "done", "dropped"],
            (int(v or 0) for v in row),
            strict=True,
        )
    )


def overdue_actions(scope: Scope, limit: int = 10) -> list[dict]:
    """The most overdue actions by title, of those the viewer may see (visible_actions_clause, as
    the counts); an organiser is shown titles only of actions on the event itself or on TLP:CLEAR/GREEN lessons, since a title
    may repeat a restricted lesson's content."""
    shareable = []
    if scope.user.role not in (Role.ADMIN, Role.COORDINATOR):
        shareable.append(
            or_(FollowUpAction.lesson_id.is_(None), Lesson.tlp.in_(SHAREABLE_MARKINGS))
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
            FollowUpAction.status.in_(OPEN_ACTION_STATES),
            FollowUpAction.due_on < scope.today,
            visible_actions_clause(scope.user),
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
