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
from app.registrations.attendance import attended_clause
from app.registrations.models import Registration, RegistrationStatus
from app.scheduler.jobs.work import (
    JobResult,
    claim,
    for_each_claimed_event,
    send,
)
from app.urls import absolute_url

# After an event ends, how long the feedback request may still go out (a scheduler that was down
# for a day still asks; one installed next year does not write about last year's events).
POST_EVENT_WINDOW = timedelta(days=14)


def attendees_of(event: Event) -> list[Registration]:
    """Who attended: the checked-in registrations, or every confirmed one when nobody was checked in."""
    checked_in = attended_clause()
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


def send_post_event(event: Event, at: datetime, result: JobResult) -> None:
    """Queue the feedback requests (each attendee's marker claimed once) and the organisers' reminders."""
    links = {
        "event_url": event_url(event),
        "feedback_url": absolute_url(f"/events/{event.id}/feedback"),
        "lesson_url": absolute_url(f"/events/{event.id}/lessons/new"),
    }
    organiser_ids = {user.id for user in own_organisers(event)}
    for registration in attendees_of(event):
        user = registration.user
        if not user.is_active_account or registration.feedback_requested_at is not None:
            continue
        if not claim(Registration, registration.id, Registration.feedback_requested_at.is_(None),
                     feedback_requested_at=at):
            continue
        if user.id in organiser_ids:
            continue  # organisers get their own message below
        sent = send(user, "scheduler/feedback_request", kind="feedback_request",
                    dedupe_key=f"feedback-request:{registration.id}", event=event, **links)
        result.sent += int(sent)
    for user in own_organisers(event):
        sent = send(user, "scheduler/record_lessons", kind="record_lessons",
                    dedupe_key=f"record-lessons:{event.id}:{user.id}", event=event, **links)
        result.sent += int(sent)


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
    for_each_claimed_event(event_ids, "post_event_notified_at", at, result,
                           "post-event messages of event", lambda event: send_post_event(event, at, result))
    result.detail = f"{len(event_ids)} finished event(s), {result.sent} message(s) queued"
    return result
