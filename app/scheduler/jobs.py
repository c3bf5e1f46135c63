"""The scheduler's jobs: pure functions `run_<job>(at) -> JobResult` that look for what is due.

Each job reads what is due from the data at the instant `at`, so editing or cancelling an event never
leaves a stale job behind, and tests call a job at any chosen instant. Each job is idempotent:
a unit of work is claimed with a conditional UPDATE of its marker (Event.registration_closed_notified_at,
Event.post_event_notified_at, Registration.last_reminder_days, Registration.feedback_requested_at)
and its emails are enqueued in the same transaction with a dedupe_key, so running a job twice, or
two processes running it at once, sends nothing twice.

Reminder days are counted in the event's own time zone: "1 day before" an event starting Sunday at
10:00 in Kyiv is Saturday at 10:00 in Kyiv, also when summer time ends in between (the UTC interval is
then 25 hours). Participants think in the event's local calendar, so that is what a reminder follows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User
from app.events.models import Event, EventFormat, EventStatus
from app.extensions import db
from app.lessons.models import TLP, ActionStatus, FollowUpAction, Lesson, LessonStatus
from app.notifications.outbox import Attachment
from app.notifications.rendering import absolute_url
from app.notifications.services import notify
from app.registrations.models import AttendanceDay, Registration, RegistrationStatus
from app.timeutil import zone

# Reminders further ahead than this many days are ignored (the events form accepts up to 365).
MAX_REMINDER_DAYS = 365
# After an event ends, how long the feedback request may still go out (a scheduler that was down
# for a day still asks; one installed next year does not write about last year's events).
POST_EVENT_WINDOW = timedelta(days=14)
# Follow-up actions due within this many days are in the owner's weekly digest (plus overdue ones).
ACTIONS_DUE_WITHIN_DAYS = 14
UPCOMING_EVENTS_DAYS = 30
DIGEST_LIST_LIMIT = 25


@dataclass
class JobResult:
    sent: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = self.detail or f"{self.sent} message(s) queued"
        if self.errors:
            text += f"; {len(self.errors)} error(s): " + " | ".join(self.errors[:5])
        return text


# --- helpers ---------------------------------------------------------------------------------------


def _begin_write() -> None:
    """Each unit of work is a write transaction (BEGIN IMMEDIATE on SQLite): see delivery.begin_write."""
    from app.notifications.delivery import begin_write

    begin_write()


def _send(user: User, template: str, *, kind: str, dedupe_key: str, attachments=(), **context) -> bool:
    return notify(user, template, kind=kind, dedupe_key=dedupe_key, attachments=attachments, **context) is not None


def event_path(event: Event) -> str:
    return f"/events/{event.id}"


_ONLINE = {"en": ("Online", "{place} (and online)"), "uk": ("Онлайн", "{place} (і онлайн)")}


def event_place(event: Event, language: str | None = "en") -> str:
    from app.templating import country_name

    online, hybrid = _ONLINE.get(language or "en", _ONLINE["en"])
    parts = [p for p in (event.venue, event.address, event.city, country_name(event.country)) if p]
    if event.format == EventFormat.ONLINE:
        return online
    place = ", ".join(parts)
    if event.format == EventFormat.HYBRID:
        return hybrid.format(place=place) if place else online
    return place


def organisers_of(event: Event) -> list[User]:
    """The event's creator and co-organisers (active accounts), each once."""
    people: dict[int, User] = {}
    for user in [event.created_by, *event.organisers]:
        if user is not None and user.is_active_account:
            people.setdefault(user.id, user)
    return list(people.values())


def parse_reminder_days(value: str | None) -> list[int]:
    """'7,1' -> [7, 1] (largest first); invalid, zero, negative and too distant values are ignored."""
    if value is None:
        value = current_app.config.get("REMINDER_DAYS_DEFAULT", "7,1")
    days = set()
    for token in str(value).replace(";", ",").split(","):
        token = token.strip()
        if token.isdigit() and 0 < int(token) <= MAX_REMINDER_DAYS:
            days.add(int(token))
    return sorted(days, reverse=True)


def reminder_instant(event: Event, days: int) -> datetime:
    """The same wall-clock time `days` calendar days before the start, in the event's zone."""
    local = event.starts_at.astimezone(zone(event.timezone))
    earlier = datetime.combine(local.date() - timedelta(days=days), local.time(), tzinfo=local.tzinfo)
    return earlier.astimezone(UTC)


def due_reminder_days(event: Event, at: datetime, confirmed_at: datetime | None = None) -> int | None:
    """The latest reminder due at `at` (the smallest days-before whose moment has passed), or None.

    A reminder whose moment came before the person was confirmed is not due for them: they just
    received their confirmation.
    """
    if event.starts_at <= at:
        return None
    due = [
        days for days in parse_reminder_days(event.reminder_days)
        if reminder_instant(event, days) <= at
        and (confirmed_at is None or confirmed_at <= reminder_instant(event, days))
    ]
    return min(due) if due else None


def already_reminded(registration: Registration, event: Event, days: int) -> bool:
    """This reminder, or a later one, was sent for the event's current start. A marker without a
    start (written before that column existed) counts for the current start."""
    if registration.last_reminder_days is None or registration.last_reminder_days > days:
        return False
    sent_for = registration.last_reminder_for_starts_at
    return sent_for is None or sent_for == event.starts_at


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


def _claim(model, row_id: int, *conditions, **values) -> bool:
    """Conditional UPDATE of one row: True if this transaction won it (the marker was still unset)."""
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _fail(result: JobResult, what: str, error: Exception) -> None:
    db.session.rollback()
    current_app.logger.exception("scheduler: %s failed", what)
    result.errors.append(f"{what}: {type(error).__name__}: {error}"[:300])


# --- jobs ------------------------------------------------------------------------------------------


def run_deliver_outbox(at: datetime) -> JobResult:
    """Send what is pending in the outbox (retries with growing delays; dead after MAIL_MAX_ATTEMPTS)."""
    from app.notifications.delivery import deliver_pending

    limit = int(current_app.config.get("MAIL_BATCH_SIZE", 200))
    report = deliver_pending(limit=limit, at=at)
    result = JobResult(sent=report.sent, skipped=report.skipped, detail=str(report))
    if report.failed or report.dead:
        result.detail += " (failures are retried; see the outbox)"
    return result


def run_reminders(at: datetime) -> JobResult:
    """Remind confirmed participants before each event, at the event's reminder days (default 7, 1).

    Only the latest due reminder is sent (a scheduler that was down for a week sends the 1-day
    reminder, not both), once per registration and reminder; none for cancelled or draft events or
    cancelled registrations. The event's .ics is attached.
    """
    from app.calendar import itip

    result = JobResult()
    # Read-only first (columns only), so the write lock is taken only for events with someone to remind.
    upcoming = db.session.execute(
        select(Event.id, Event.starts_at, Event.timezone, Event.reminder_days).where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > at,
            Event.starts_at <= at + timedelta(days=MAX_REMINDER_DAYS + 1),
        )
    ).all()
    due_days = {row.id: (row, days) for row in upcoming if (days := due_reminder_days(row, at)) is not None}
    pending_ids: set[int] = set()
    for chunk in _chunks(sorted(due_days), 500):
        markers = db.session.execute(
            select(Registration.event_id, Registration.last_reminder_days, Registration.last_reminder_for_starts_at)
            .where(Registration.event_id.in_(chunk), Registration.status == RegistrationStatus.CONFIRMED)
        ).all()
        for marker in markers:
            row, days = due_days[marker.event_id]
            if not already_reminded(marker, row, days):
                pending_ids.add(marker.event_id)
    db.session.commit()
    due_events = [due_days[event_id][0] for event_id in sorted(pending_ids, key=lambda i: (due_days[i][0].starts_at, i))]
    for event in due_events:
        try:
            _begin_write()
            event = db.session.get(Event, event.id, populate_existing=True)
            if event is None or event.status != EventStatus.PUBLISHED or event.starts_at <= at:
                continue
            registrations = db.session.scalars(
                select(Registration)
                .options(joinedload(Registration.user))
                .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
                .order_by(Registration.id)
            ).all()
            for registration in registrations:
                days = due_reminder_days(event, at, registration.confirmed_at)
                user = registration.user
                if days is None or not user.is_active_account:
                    continue
                if already_reminded(registration, event, days):
                    continue
                won = _claim(
                    Registration, registration.id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                    or_(
                        Registration.last_reminder_days.is_(None),
                        Registration.last_reminder_days > days,
                        Registration.last_reminder_for_starts_at != event.starts_at,
                    ),
                    last_reminder_days=days,
                    last_reminder_for_starts_at=event.starts_at,
                )
                if not won:
                    result.skipped += 1
                    continue
                attachment = itip.event_attachment(event, user)
                sent = _send(
                    user, "scheduler/reminder", kind="reminder",
                    dedupe_key=f"reminder:{registration.id}:{days}:{event.starts_at:%Y%m%dT%H%M}",
                    attachments=[attachment] if attachment is not None else [],
                    event=event, days=days, place=event_place(event, user.language), event_url=absolute_url(event_path(event)),
                    has_calendar=attachment is not None,
                )
                result.sent += int(sent)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            _fail(result, f"reminders for event {event.id}", error)
    result.detail = f"{result.sent} reminder(s) queued for {len(due_events)} event(s)"
    return result


def final_list_csv(event: Event) -> str:
    """The participant list organisers receive when registration closes."""

    def cell(value) -> str:
        text = "" if value is None else str(value)
        # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
        return "'" + text if text[:1] in ("=", "+", "-", "@") else text

    registrations = db.session.scalars(
        select(Registration)
        .options(joinedload(Registration.user))
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(
                [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING]
            ),
        )
        .order_by(Registration.status, Registration.registered_at, Registration.id)
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "email", "organisation", "country", "role", "status", "registered_at_utc",
                     "dietary_needs", "accessibility_needs", "needs_visa_letter"])
    for registration in registrations:
        user = registration.user
        writer.writerow([cell(v) for v in (
            user.name, user.email, user.organisation.name if user.organisation else "", user.country or "",
            registration.role.value, registration.status.value,
            registration.registered_at.strftime("%Y-%m-%d %H:%M") if registration.registered_at else "",
            registration.dietary_needs, registration.accessibility_needs,
            "yes" if registration.needs_visa_letter else "no",
        )])
    return buffer.getvalue()


def run_registration_closing(at: datetime) -> JobResult:
    """When an event's registration closing time has passed: mark it closed and send its organisers
    (creator and co-organisers) the final participant list as a CSV attachment."""
    result = JobResult()
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.status == EventStatus.PUBLISHED,
            Event.registration_closes_at.is_not(None),
            Event.registration_closes_at <= at,
            Event.registration_closed_notified_at.is_(None),
            Event.ends_at > at,
        ).order_by(Event.registration_closes_at, Event.id)
    ).all()
    for event_id in event_ids:
        try:
            _begin_write()
            if not _claim(Event, event_id, Event.registration_closed_notified_at.is_(None),
                          registration_closed_notified_at=at):
                db.session.rollback()
                result.skipped += 1
                continue
            event = db.session.get(Event, event_id, populate_existing=True)
            counts = dict(db.session.execute(
                select(Registration.status, func.count())
                .where(Registration.event_id == event.id)
                .group_by(Registration.status)
            ).all())
            listing = final_list_csv(event)
            for user in organisers_of(event):
                sent = _send(
                    user, "scheduler/registration_closed", kind="registration_closed",
                    dedupe_key=f"registration-closed:{event.id}:{user.id}",
                    attachments=[Attachment(f"participants-event-{event.id}.csv", "text/csv", listing)],
                    event=event, place=event_place(event, user.language), event_url=absolute_url(event_path(event)),
                    confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
                    waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
                    pending=counts.get(RegistrationStatus.PENDING, 0),
                )
                result.sent += int(sent)
            db.session.commit()
        except Exception as error:  # noqa: BLE001
            _fail(result, f"registration closing of event {event_id}", error)
    result.detail = f"{len(event_ids)} event(s) closed, {result.sent} message(s) queued"
    return result


def attendees_of(event: Event) -> list[Registration]:
    """Who attended: the checked-in registrations, or every confirmed one when nobody was checked in."""
    checked_in = or_(
        Registration.checked_in_at.is_not(None),
        exists().where(AttendanceDay.registration_id == Registration.id),
    )
    base = (
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    )
    any_check_in = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.event_id == event.id, checked_in)
    )
    return list(db.session.scalars(base.where(checked_in) if any_check_in else base).all())


def run_post_event(at: datetime) -> JobResult:
    """After an event ends: ask its attendees for feedback and for their observations / lessons, and
    remind its organisers to record the event's lessons."""
    result = JobResult()
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.status == EventStatus.PUBLISHED,
            Event.ends_at <= at,
            Event.ends_at > at - POST_EVENT_WINDOW,
            Event.post_event_notified_at.is_(None),
        ).order_by(Event.ends_at, Event.id)
    ).all()
    for event_id in event_ids:
        try:
            _begin_write()
            if not _claim(Event, event_id, Event.post_event_notified_at.is_(None), post_event_notified_at=at):
                db.session.rollback()
                result.skipped += 1
                continue
            event = db.session.get(Event, event_id, populate_existing=True)
            links = {
                "event_url": absolute_url(event_path(event)),
                "feedback_url": absolute_url(f"/events/{event.id}/feedback"),
                "lesson_url": absolute_url(f"/events/{event.id}/lessons/new"),
            }
            organiser_ids = {user.id for user in organisers_of(event)}
            for registration in attendees_of(event):
                user = registration.user
                if not user.is_active_account or registration.feedback_requested_at is not None:
                    continue
                if not _claim(Registration, registration.id, Registration.feedback_requested_at.is_(None),
                              feedback_requested_at=at):
                    continue
                if user.id in organiser_ids:
                    continue  # organisers get their own message below
                sent = _send(user, "scheduler/feedback_request", kind="feedback_request",
                             dedupe_key=f"feedback-request:{registration.id}", event=event, **links)
                result.sent += int(sent)
            for user in organisers_of(event):
                sent = _send(user, "scheduler/record_lessons", kind="record_lessons",
                             dedupe_key=f"record-lessons:{event.id}:{user.id}", event=event, **links)
                result.sent += int(sent)
            db.session.commit()
        except Exception as error:  # noqa: BLE001
            _fail(result, f"post-event messages of event {event_id}", error)
    result.detail = f"{len(event_ids)} finished event(s), {result.sent} message(s) queued"
    return result


def _endpoint_url(endpoint: str, fallback_path: str = "/") -> str:
    from flask import url_for

    if endpoint in current_app.view_functions:
        with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
            return url_for(endpoint, _external=True)
    return absolute_url(fallback_path)


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
            FollowUpAction.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
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
        user = owned[0].owner_user
        try:
            _begin_write()
            sent = _send(
                user, "scheduler/action_digest", kind="action_digest",
                dedupe_key=f"action-digest:{owner_id}:{slot:%Y-%m-%d}",
                overdue=[a for a in owned if a.due_on < today],
                due_soon=[a for a in owned if a.due_on >= today],
                today=today, actions_url=actions_url,
            )
            db.session.commit()
            result.sent += int(sent)
            result.skipped += int(not sent)
        except IntegrityError:  # another process queued the same digest at the same moment
            db.session.rollback()
            result.skipped += 1
        except Exception as error:  # noqa: BLE001
            _fail(result, f"action digest for user {owner_id}", error)
    result.detail = f"week of {slot:%Y-%m-%d}: {result.sent} digest(s) queued"
    return result


def run_coordinator_digest(at: datetime) -> JobResult:
    """Weekly digest for coordinators: lessons waiting for validation, events in the next 30 days,
    and open follow-up actions. Nothing is sent in a week where all three are empty."""
    result = JobResult()
    slot = week_slot(at)
    today = _local_date(at)
    waiting_count = db.session.scalar(
        select(func.count()).select_from(Lesson).where(Lesson.status == LessonStatus.SUBMITTED)
    ) or 0
    waiting = db.session.scalars(
        select(Lesson)
        .options(joinedload(Lesson.event))
        .where(Lesson.status == LessonStatus.SUBMITTED)
        .order_by(Lesson.submitted_at, Lesson.id)
        .limit(DIGEST_LIST_LIMIT)
    ).all()
    upcoming_filter = and_(
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at > at,
        Event.starts_at <= at + timedelta(days=UPCOMING_EVENTS_DAYS),
    )
    upcoming_count = db.session.scalar(select(func.count()).select_from(Event).where(upcoming_filter)) or 0
    upcoming = db.session.scalars(
        select(Event).where(upcoming_filter).order_by(Event.starts_at, Event.id).limit(DIGEST_LIST_LIMIT)
    ).all()
    open_filter = FollowUpAction.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    open_actions = db.session.scalar(select(func.count()).select_from(FollowUpAction).where(open_filter)) or 0
    overdue_actions = db.session.scalar(
        select(func.count()).select_from(FollowUpAction).where(open_filter, FollowUpAction.due_on < today)
    ) or 0
    if not (waiting_count or upcoming_count or open_actions):
        result.detail = f"week of {slot:%Y-%m-%d}: nothing to report"
        return result
    coordinators = db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR, User.is_active_account.is_(True)).order_by(User.id)
    ).all()
    # Email is a weaker channel than the site: titles of TLP:AMBER and stricter entries stay on it.
    shareable = {TLP.CLEAR, TLP.GREEN}
    for user in coordinators:
        try:
            _begin_write()
            sent = _send(
                user, "scheduler/coordinator_digest", kind="coordinator_digest",
                dedupe_key=f"coordinator-digest:{user.id}:{slot:%Y-%m-%d}",
                waiting=waiting, waiting_count=waiting_count, shareable=shareable,
                upcoming=upcoming, upcoming_count=upcoming_count,
                open_actions=open_actions, overdue_actions=overdue_actions,
                lesson_url=lambda lesson: absolute_url(f"/lessons/{lesson.id}"),
                event_url=lambda event: absolute_url(event_path(event)),
                site_url=absolute_url("/"),
            )
            db.session.commit()
            result.sent += int(sent)
            result.skipped += int(not sent)
        except IntegrityError:
            db.session.rollback()
            result.skipped += 1
        except Exception as error:  # noqa: BLE001
            _fail(result, f"coordinator digest for user {user.id}", error)
    result.detail = f"week of {slot:%Y-%m-%d}: {result.sent} digest(s) queued"
    return result


def run_report_snapshots(at: datetime) -> JobResult:
    """Rebuild the network-wide dashboard and participation report (no filter) before they go
    stale, so no coordinator's page view waits for their figures (see app.reports.cache)."""
    from app.reports import cache

    rebuilt = cache.refresh_snapshots(at)
    return JobResult(detail=f"{len(rebuilt)} report(s) rebuilt" + (f": {', '.join(rebuilt)}" if rebuilt else ""))
