"""What the travel pages read: the organiser's arrivals overview (by arrival, grouped by day), a
participant's own live registration, and a visa letter's values. Read-side only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from itertools import groupby

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.countries import country_name
from app.directory.models import Organisation
from app.events.models import Event
from app.events.place import VENUE, place
from app.extensions import db
from app.i18n import format_pattern
from app.registrations.answers import answers_for
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.rules import ACTIVE
from app.timeutil import now, to_local
from app.travel.letters import Letter, fill
from app.travel.models import TravelPlan, TravelSettings


@dataclass(frozen=True)
class TravelRow:
    registration_id: int
    name: str
    organisation: str
    country: str | None
    status: RegistrationStatus
    plan: TravelPlan | None

    @property
    def sort_key(self) -> tuple:
        plan = self.plan
        if plan is None or plan.arrival_on is None:
            return (1, date.max, time.max, self.name.lower())
        return (0, plan.arrival_on, plan.arrival_time or time.min, self.name.lower())


def travel_rows(event_id: int) -> list[TravelRow]:
    """Everyone with a live registration and their plan, by arrival (date, time, name); those
    without an arrival date last. One statement."""
    rows = db.session.execute(
        select(Registration.id, User.name, Organisation.name, User.country, Organisation.country,
               Registration.status, TravelPlan)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(TravelPlan, TravelPlan.registration_id == Registration.id)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
    ).all()
    found = [TravelRow(rid, name, organisation or "", country or organisation_country, status, plan)
             for rid, name, organisation, country, organisation_country, status, plan in rows]
    return sorted(found, key=lambda row: row.sort_key)


def arrivals_by_day(rows: list[TravelRow]) -> list[tuple[date | None, list[TravelRow]]]:
    """The rows grouped by arrival day (None: not given yet), in order."""
    def day(row: TravelRow) -> date | None:
        return row.plan.arrival_on if row.plan else None

    return [(key, list(group)) for key, group in groupby(rows, key=day)]


def own_live_registration(event_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.user_id == user_id, Registration.status.in_(ACTIVE)))


def event_registration(event_id: int, registration_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.id == registration_id))


def _event_dates(event: Event) -> str:
    start, end = to_local(event.starts_at, event.timezone), to_local(event.ends_at, event.timezone)
    if start.date() == end.date():
        return format_pattern(start, "%d %B %Y")
    return f"{format_pattern(start, '%d %B %Y')} – {format_pattern(end, '%d %B %Y')}"


def letter_values(event: Event, registration: Registration, settings: TravelSettings) -> dict[str, str]:
    """The placeholders' values for one participant: the mapped answers as read (a country's name, a
    date in the reader's language), the person and the event."""
    answers = {a.question_id: a.text for a in answers_for([registration.id], sensitive=True).get(registration.id, [])}
    user = registration.user
    return {
        "name": user.name,
        "organisation": user.organisation.name if user.organisation else "",
        "nationality": answers.get(settings.nationality_question_id, ""),
        "document_number": answers.get(settings.document_question_id, ""),
        "date_of_birth": answers.get(settings.birth_date_question_id, ""),
        "event_title": event.title,
        "event_dates": _event_dates(event),
        "venue": place(event, VENUE),
        "organiser_name": signatory(event, settings),
    }


def signatory(event: Event, settings: TravelSettings) -> str:
    if settings.signatory_name:
        return settings.signatory_name
    if event.created_by is not None:
        return event.created_by.name
    return event.organisers[0].name if event.organisers else current_app.config["SITE_NAME"]


def letter_for(event: Event, registration: Registration, settings: TravelSettings) -> Letter:
    host = event.host_organisation
    today = to_local(now(), event.timezone)
    town = event.city or ""
    return Letter(
        letterhead=host.name if host else current_app.config["SITE_NAME"],
        letterhead_detail=country_name(host.country) if host else "",
        place_and_date=", ".join(part for part in (town, format_pattern(today, "%d %B %Y")) if part),
        title=_("Visa support letter"),
        body=fill(settings.letter_template or "", letter_values(event, registration, settings)),
        signatory=signatory(event, settings),
        signatory_role=_("Organiser, %(title)s", title=event.title),
    )
