"""After an event ends: feedback and lesson requests to its attendees, a lessons reminder to its
organisers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.events.access import own_organisers
from app.events.models import Event, EventStatus
from app.events.urls import event_url
from app.extensions import db
from app.notifications.services import PreparedEmail, prepare
from app.registrations.attendance import attended_clause
from app.registrations.models import Registration, RegistrationStatus
from app.scheduler.jobs.work import (
    JobResult,
    Unit,
    batch_size,
    chunks,
    claim,
    commit_batch,
    fail,
    for_each_claimed_event,
)
from app.urls import absolute_url

# After an event ends, how long the feedback request may still go out (a scheduler that was down
# for a day still asks; one installed next year does not write about last year's events).
POST_EVENT_WINDOW = timedelta(days=14)


def attendee_ids(event_id: int) -> list[int]:
    """Who attended: the checked-in registrations, or every confirmed one when nobody was checked in
    (registration ids, in order)."""
    checked_in = attended_clause()
    base = (
        select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    )
    any_check_in = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.event_id == event_id, checked_in)
    )
    return list(db.session.scalars(base.where(checked_in) if any_check_in else base).all())


def _links(event: Event) -> dict:
    return {
        "event_url": event_url(event),
        "feedback_url": absolute_url(f"/events/{event.id}/feedback"),
        "lesson_url": absolute_url(f"/events/{event.id}/lessons/new"),
    }


def request_feedback(event_id: int, ids: list[int], at: datetime, result: JobResult) -> None:
    """One batch of attendees: render their feedback requests, then claim each one's marker and
    queue its request in one short transaction (organisers get their own message, at the end)."""
    event = db.session.get(Event, event_id, populate_existing=True)
    organiser_ids = {user.id for user in own_organisers(event)}
    registrations = db.session.scalars(
        select(Registration).options(joinedload(Registration.user))
        .where(Registration.id.in_(ids), Registration.feedback_requested_at.is_(None)).order_by(Registration.id)
    ).all()
    units = []
    for registration in registrations:
        user = registration.user
        if not user.is_active_account:
            continue
        email = None if user.id in organiser_ids else prepare(
            user, "scheduler/feedback_request", kind="feedback_request",
            dedupe_key=f"feedback-request:{registration.id}", event=event, **_links(event))
        units.append(Unit(
            lambda registration_id=registration.id: claim(
                Registration, registration_id, Registration.feedback_requested_at.is_(None),
                feedback_requested_at=at),
            [email] if email is not None else []))
    commit_batch(units, result, "post_event")


def organiser_emails(event: Event) -> list[PreparedEmail]:
    """The organisers' "record the lessons" messages, rendered."""
    emails = [prepare(user, "scheduler/record_lessons", kind="record_lessons",
                      dedupe_key=f"record-lessons:{event.id}:{user.id}", event=event, **_links(event))
              for user in own_organisers(event)]
    return [email for email in emails if email is not None]


def send_post_event(event_id: int, at: datetime, result: JobResult) -> None:
    """The feedback requests in batches (each attendee's marker claimed once), then the event's
    marker with the organisers' reminders: a run cut short is finished by the next one."""
    ids = attendee_ids(event_id)
    for batch in chunks(ids, batch_size()):
        request_feedback(event_id, batch, at, result)
    for_each_claimed_event([event_id], "post_event_notified_at", at, result,
                           "post-event messages of event", organiser_emails)


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
            send_post_event(event_id, at, result)
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            fail(result, f"post-event messages of event {event_id}", error)
    result.detail = f"{len(event_ids)} finished event(s), {result.sent} message(s) queued"
    return result
