"""Reminders before events, at each event's reminder days (default 7 and 1), with the event's .ics.

Reminder days are counted in the event's own time zone: "1 day before" an event starting Sunday at
10:00 in Kyiv is Saturday at 10:00 in Kyiv, also when summer time ends in between (the UTC interval is
then 25 hours). Participants think in the event's local calendar, so that is what a reminder follows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.calendar import itip
from app.events.models import Event, EventStatus
from app.events.place import where
from app.events.urls import event_url
from app.extensions import db
from app.notifications.services import prepare
from app.registrations.email_texts import own_paragraph
from app.registrations.models import Registration, RegistrationStatus
from app.scheduler.jobs.work import JobResult, Unit, batch_size, chunks, claim, commit_batch, fail
from app.timeutil import zone

# Reminders further ahead than this many days are ignored (the events form accepts up to 365).
MAX_REMINDER_DAYS = 365


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


def events_with_due_reminders(at: datetime) -> list:
    """The published upcoming events (id, start, zone, reminder days; soonest first) where some
    confirmed registration still waits for its due reminder. Read-only (columns only), so the write
    lock is taken only for events with someone to remind."""
    upcoming = db.session.execute(
        select(Event.id, Event.starts_at, Event.timezone, Event.reminder_days).where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > at,
            Event.starts_at <= at + timedelta(days=MAX_REMINDER_DAYS + 1),
        )
    ).all()
    due_days = {row.id: (row, days) for row in upcoming if (days := due_reminder_days(row, at)) is not None}
    pending_ids: set[int] = set()
    for chunk in chunks(sorted(due_days), 500):
        markers = db.session.execute(
            select(Registration.event_id, Registration.last_reminder_days, Registration.last_reminder_for_starts_at)
            .where(Registration.event_id.in_(chunk), Registration.status == RegistrationStatus.CONFIRMED)
        ).all()
        for marker in markers:
            row, days = due_days[marker.event_id]
            if not already_reminded(marker, row, days):
                pending_ids.add(marker.event_id)
    db.session.commit()
    return [due_days[event_id][0] for event_id in sorted(pending_ids, key=lambda i: (due_days[i][0].starts_at, i))]


def remind_event(event_id: int, at: datetime, result: JobResult) -> None:
    """One event's due reminders, in batches of SCHEDULER_BATCH_SIZE registrations, each its own
    short write transaction (a registration's marker and its reminder commit together)."""
    ids = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    ).all()
    for batch in chunks(list(ids), batch_size()):
        remind_batch(event_id, batch, at, result)


def remind_batch(event_id: int, ids: list[int], at: datetime, result: JobResult) -> None:
    """Render the batch's due reminders (read-only), then claim and queue them in one transaction."""
    event = db.session.get(Event, event_id, populate_existing=True)
    if event is None or event.status != EventStatus.PUBLISHED or event.starts_at <= at:
        return
    registrations = db.session.scalars(
        select(Registration).options(joinedload(Registration.user))
        .where(Registration.id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    ).all()
    paragraph = own_paragraph(event.id, "reminder")  # the organisers' own, once per batch
    units = [unit for registration in registrations
             if (unit := reminder(registration, event, at, paragraph=paragraph))]
    if units:
        commit_batch(units, result, "reminders")


def reminder(registration: Registration, event: Event, at: datetime, *, paragraph=None) -> Unit | None:
    """One participant's due reminder, rendered, with the claim of its marker (None when none is
    due or it went out)."""
    days = due_reminder_days(event, at, registration.confirmed_at)
    user = registration.user
    if days is None or not user.is_active_account or already_reminded(registration, event, days):
        return None
    attachment = itip.event_attachment(event, user)
    email = prepare(
        user, "scheduler/reminder", kind="reminder",
        dedupe_key=f"reminder:{registration.id}:{days}:{event.starts_at:%Y%m%dT%H%M}",
        attachments=[attachment] if attachment is not None else [],
        event=event, days=days, place=where(event, user.language), event_url=event_url(event),
        has_calendar=attachment is not None, own_paragraph=paragraph,
    )
    starts_at, registration_id = event.starts_at, registration.id  # the commit before the claim expires them
    return Unit(
        lambda: claim(
            Registration, registration_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            or_(
                Registration.last_reminder_days.is_(None),
                Registration.last_reminder_days > days,
                Registration.last_reminder_for_starts_at != starts_at,
            ),
            last_reminder_days=days,
            last_reminder_for_starts_at=starts_at,
        ),
        [email] if email is not None else [],
    )


def run_reminders(at: datetime) -> JobResult:
    """Remind confirmed participants before each event, at the event's reminder days (default 7, 1).

    Only the latest due reminder is sent (a scheduler that was down for a week sends the 1-day
    reminder, not both), once per registration and reminder; none for cancelled or draft events or
    cancelled registrations. The event's .ics is attached.
    """
    result = JobResult()
    due_events = events_with_due_reminders(at)
    for event in due_events:
        try:
            remind_event(event.id, at, result)
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            fail(result, f"reminders for event {event.id}", error)
    result.detail = f"{result.sent} reminder(s) queued for {len(due_events)} event(s)"
    return result
