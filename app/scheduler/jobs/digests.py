"""The weekly digests (Monday 07:00 in DEFAULT_TIMEZONE, caught up once if the scheduler was down):
follow-up actions for their owners, and the network's week for coordinators."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, url_for
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User
from app.events.models import Event, EventStatus
from app.events.urls import event_url
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import (
    OPEN_ACTION_STATES,
    SHAREABLE_MARKINGS,
    FollowUpAction,
    Lesson,
    LessonStatus,
)
from app.lessons.notices import entry_reference
from app.notifications.services import prepare
from app.scheduler.jobs.work import JobResult, Unit, commit_batch, fail
from app.timeutil import zone
from app.urls import absolute_url

# Follow-up actions due within this many days are in the owner's weekly digest (plus overdue ones).
ACTIONS_DUE_WITHIN_DAYS = 14
UPCOMING_EVENTS_DAYS = 30
DIGEST_LIST_LIMIT = 25


def week_slot(at: datetime) -> datetime:
    """The start of the current digest week: the latest Monday 07:00 (DEFAULT_TIMEZONE) at or before `at`."""
    config = current_app.config
    tz = zone(config.get("DEFAULT_TIMEZONE", "UTC"))
    weekday = int(config.get("SCHEDULER_DIGEST_WEEKDAY", 0))
    hour = int(config.get("SCHEDULER_DIGEST_HOUR", 7))
    local = at.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    slot = datetime.combine(day, time(hour), tzinfo=tz)
    if slot > at:
        slot = datetime.combine(day - timedelta(days=7), time(hour), tzinfo=tz)
    return slot.astimezone(UTC)


def _local_date(at: datetime) -> date:
    return at.astimezone(zone(current_app.config.get("DEFAULT_TIMEZONE", "UTC"))).date()


def _endpoint_url(endpoint: str) -> str:
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True)


def send_digest(result: JobResult, what: str, user: User, template: str, *, kind: str, dedupe_key: str,
                **context) -> None:
    """Render one digest, then queue it in its own short transaction; one recipient's failure does
    not stop the others (the dedupe_key makes a rerun skip what was queued)."""
    try:
        email = prepare(user, template, kind=kind, dedupe_key=dedupe_key, **context)
        before = result.sent
        commit_batch([Unit(lambda: True, [email] if email is not None else [])], result, what)
        result.skipped += int(result.sent == before)
    except IntegrityError:  # another process queued the same digest at the same moment
        db.session.rollback()
        result.skipped += 1
    except Exception as error:  # noqa: BLE001
        fail(result, what, error)


def run_action_digest(at: datetime) -> JobResult:
    """Weekly (Monday 07:00 in DEFAULT_TIMEZONE, caught up once if the scheduler was down): each owner
    of open follow-up actions due within 14 days or overdue gets one digest."""
    result = JobResult()
    slot = week_slot(at)
    today = _local_date(at)
    actions = db.session.scalars(
        select(FollowUpAction)
        .options(
            joinedload(FollowUpAction.owner_user),
            joinedload(FollowUpAction.event),
            joinedload(FollowUpAction.lesson),
        )
        .where(
            FollowUpAction.status.in_(OPEN_ACTION_STATES),
            FollowUpAction.owner_user_id.is_not(None),
            FollowUpAction.due_on.is_not(None),
            FollowUpAction.due_on <= today + timedelta(days=ACTIONS_DUE_WITHIN_DAYS),
        )
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    ).all()
    by_owner: dict[int, list[FollowUpAction]] = defaultdict(list)
    for action in actions:
        if action.owner_user.is_active_account:
            by_owner[action.owner_user_id].append(action)
    actions_url = _endpoint_url("lessons.my_actions")
    for owner_id, owned in by_owner.items():
        owner = owned[0].owner_user
        # The owner reads their actions; an entry they may not see is named neutrally (notices).
        visible = visibility.visible_ids(owner, {a.lesson_id for a in owned if a.lesson_id})
        origin = {a.id: a.event.title if a.event else entry_reference(owner, a.lesson, a.lesson_id in visible)
                  for a in owned if a.event or a.lesson}
        send_digest(
            result, f"action digest for user {owner_id}", owner, "scheduler/action_digest",
            kind="action_digest", dedupe_key=f"action-digest:{owner_id}:{slot:%Y-%m-%d}",
            overdue=[a for a in owned if a.due_on < today],
            due_soon=[a for a in owned if a.due_on >= today],
            origin=origin, today=today, actions_url=actions_url,
        )
    result.detail = f"week of {slot:%Y-%m-%d}: {result.sent} digest(s) queued"
    return result


def _count(query) -> int:
    return db.session.scalar(query) or 0


def upcoming_events(at: datetime) -> dict:
    """Published events in the next 30 days (the first DIGEST_LIST_LIMIT, and their count)."""
    upcoming_filter = and_(
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at > at,
        Event.starts_at <= at + timedelta(days=UPCOMING_EVENTS_DAYS),
    )
    upcoming = db.session.scalars(
        select(Event).where(upcoming_filter).order_by(Event.starts_at, Event.id).limit(DIGEST_LIST_LIMIT)
    ).all()
    return {"upcoming": upcoming,
            "upcoming_count": _count(select(func.count()).select_from(Event).where(upcoming_filter))}


def coordinator_week(user: User, today: date) -> dict:
    """What one coordinator's digest shows of what they may see: the entries waiting for validation
    (the first DIGEST_LIST_LIMIT, and their count) and the open / overdue actions. Email is a weaker
    channel than the site: titles of TLP:AMBER and stricter entries stay on it (entry_reference)."""
    waiting_filter = and_(Lesson.status == LessonStatus.SUBMITTED, visibility.visible_lessons_clause(user))
    waiting = db.session.scalars(
        select(Lesson).options(joinedload(Lesson.event)).where(waiting_filter)
        .order_by(Lesson.submitted_at, Lesson.id).limit(DIGEST_LIST_LIMIT)
    ).all()
    shareable = set(SHAREABLE_MARKINGS)
    open_filter = and_(FollowUpAction.status.in_(OPEN_ACTION_STATES), visibility.visible_actions_clause(user))
    return {
        "waiting": [(lesson, entry_reference(user, lesson, lesson.tlp in shareable)) for lesson in waiting],
        "waiting_count": _count(select(func.count()).select_from(Lesson).where(waiting_filter)),
        "open_actions": _count(select(func.count()).select_from(FollowUpAction).where(open_filter)),
        "overdue_actions": _count(
            select(func.count()).select_from(FollowUpAction).where(open_filter, FollowUpAction.due_on < today)
        ),
    }


def run_coordinator_digest(at: datetime) -> JobResult:
    """Weekly digest for coordinators: lessons waiting for validation, events in the next 30 days,
    and open follow-up actions, each of what the coordinator may see. Nothing is sent to a
    coordinator whose week is empty on all three."""
    result = JobResult()
    slot = week_slot(at)
    today = _local_date(at)
    upcoming = upcoming_events(at)
    coordinators = db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR, User.is_active_account.is_(True)).order_by(User.id)
    ).all()
    for user in coordinators:
        week = {**upcoming, **coordinator_week(user, today)}
        if not (week["waiting_count"] or week["upcoming_count"] or week["open_actions"]):
            continue
        send_digest(
            result, f"coordinator digest for user {user.id}", user, "scheduler/coordinator_digest",
            kind="coordinator_digest", dedupe_key=f"coordinator-digest:{user.id}:{slot:%Y-%m-%d}",
            **week,
            lesson_url=lambda lesson: absolute_url(f"/lessons/{lesson.id}"),
            event_url=event_url,
            site_url=absolute_url("/"),
        )
    result.detail = (f"week of {slot:%Y-%m-%d}: {result.sent} digest(s) queued" if result.sent or result.skipped or result.errors
                     else f"week of {slot:%Y-%m-%d}: nothing to report")
    return result
