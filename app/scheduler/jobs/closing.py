"""When an event's registration closes: its organisers get the final participant list (CSV)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.events.access import own_organisers
from app.events.models import Event, EventStatus
from app.events.place import where
from app.events.urls import event_url
from app.extensions import db
from app.i18n import DEFAULT, supported
from app.notifications.outbox import Attachment
from app.notifications.services import PreparedEmail, prepare
from app.registrations.models import Registration, RegistrationStatus
from app.scheduler.jobs.work import JobResult, for_each_claimed_event
from app.spreadsheets import csv_text

# The final list's columns, in the recipient's language.
FINAL_LIST_COLUMNS = [_l("Name"), _l("Email"), _l("Organisation"), _l("Country"), _l("Role"), _l("Status"),
                      _l("Registered at (UTC)"), _l("Dietary needs"), _l("Accessibility needs"),
                      _l("Needs a visa letter")]


def final_list_registrations(event: Event) -> list[Registration]:
    return db.session.scalars(
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


def final_list_csv(event: Event, registrations: list[Registration] | None = None) -> str:
    """The participant list organisers receive when registration closes, in the current language."""
    if registrations is None:
        registrations = final_list_registrations(event)
    header = [str(column) for column in FINAL_LIST_COLUMNS]
    return csv_text(header, [_final_list_row(registration) for registration in registrations])


def _final_list_row(registration: Registration) -> list:
    user = registration.user
    return [
        user.name, user.email, user.organisation.name if user.organisation else "", user.country or "",
        registration.role.label, registration.status.label,
        registration.registered_at.strftime("%Y-%m-%d %H:%M") if registration.registered_at else "",
        registration.dietary_needs, registration.accessibility_needs,
        _("yes") if registration.needs_visa_letter else _("no"),
    ]


def final_list_emails(event: Event) -> list[PreparedEmail]:
    """The closing message with the participant list for each of the event's organisers, rendered."""
    counts = dict(db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all())
    registrations = final_list_registrations(event)

    def listing(user) -> str:  # in the organiser's language, as the message
        with force_locale(supported(user.language) or DEFAULT):
            return final_list_csv(event, registrations)

    emails = [
        prepare(
            user, "scheduler/registration_closed", kind="registration_closed",
            dedupe_key=f"registration-closed:{event.id}:{user.id}",
            attachments=[Attachment(f"participants-event-{event.id}.csv", "text/csv", listing(user))],
            event=event, place=where(event, user.language), event_url=event_url(event),
            confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
            waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
            pending=counts.get(RegistrationStatus.PENDING, 0),
        )
        for user in own_organisers(event)
    ]
    return [email for email in emails if email is not None]


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
    for_each_claimed_event(event_ids, "registration_closed_notified_at", at, result,
                           "registration closing of event", final_list_emails)
    result.detail = f"{len(event_ids)} event(s) closed, {result.sent} message(s) queued"
    return result
