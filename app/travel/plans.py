"""Travel settings per event (logistics on or off, the letter template and which questions hold the
nationality, the document number and the date of birth) and each participant's travel plan: the
rules and transactions. No request here."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app import audit
from app.cache import fragments
from app.errors import RuleError
from app.events import page_facts
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Registration
from app.registrations.question_models import RegistrationQuestion
from app.registrations.rules import ACTIVE
from app.travel.letters import template_problem
from app.travel.models import TravelMode, TravelPlan, TravelSettings


class TravelError(RuleError):
    """A travel rule was broken; the message is fit to show."""


@dataclass(frozen=True)
class TravelFlags:
    """What the event page needs to know (remembered until the settings change)."""

    logistics_enabled: bool = False
    has_letter: bool = False


def settings_of(event_id: int) -> TravelSettings:
    """The event's travel settings (a new, unsaved row when it has none yet)."""
    return db.session.get(TravelSettings, event_id) or TravelSettings(event_id=event_id, logistics_enabled=False)


# The flags, read with the event by its page (app.events.page_facts): no query of their own there.
LOGISTICS = "travel.logistics_enabled"
page_facts.register(LOGISTICS, lambda event_id: exists().where(
    TravelSettings.event_id == event_id, TravelSettings.logistics_enabled.is_(True)))
HAS_LETTER = "travel.has_letter"
page_facts.register(HAS_LETTER, lambda event_id: exists().where(
    TravelSettings.event_id == event_id, TravelSettings.letter_template.is_not(None), TravelSettings.letter_template != ""))


def flags_of(event_id: int) -> TravelFlags:
    logistics, letter = page_facts.known(event_id, LOGISTICS), page_facts.known(event_id, HAS_LETTER)
    if logistics is not page_facts.UNKNOWN and letter is not page_facts.UNKNOWN:
        return TravelFlags(bool(logistics), bool(letter))

    def load() -> TravelFlags:
        row = db.session.execute(select(TravelSettings.logistics_enabled, TravelSettings.letter_template)
                                 .where(TravelSettings.event_id == event_id)).first()
        return TravelFlags(bool(row[0]), bool(row[1])) if row else TravelFlags()

    return fragments.remember("travel.flags", (event_id,), ("travel_settings",), load)


@dataclass
class SettingsData:
    logistics_enabled: bool
    letter_template: str | None
    signatory_name: str | None
    nationality_question_id: int | None
    document_question_id: int | None
    birth_date_question_id: int | None


def save_settings(event: Event, data: SettingsData, actor) -> TravelSettings:
    """Check the letter template's placeholders and that each mapped question is the event's. Commits."""
    problem = template_problem(data.letter_template or "")
    if problem:
        raise TravelError(problem, "letter_template")
    mapped = {data.nationality_question_id, data.document_question_id, data.birth_date_question_id} - {None}
    own = set(db.session.scalars(select(RegistrationQuestion.id).where(RegistrationQuestion.event_id == event.id)))
    if mapped - own:
        raise TravelError(_l("Choose questions of this event."), "nationality_question_id")
    settings = settings_of(event.id)
    db.session.add(settings)
    for field in fields(SettingsData):
        setattr(settings, field.name, getattr(data, field.name))
    audit.record(actor, "travel.settings_saved", ("Event", event.id),
                 {"logistics_enabled": data.logistics_enabled, "letter": bool(data.letter_template)})
    db.session.commit()
    return settings


@dataclass
class PlanData:
    arrival_on: date | None = None
    arrival_time: time | None = None
    arrival_mode: str | None = None
    arrival_number: str | None = None
    departure_on: date | None = None
    departure_time: time | None = None
    departure_mode: str | None = None
    departure_number: str | None = None
    hotel: str | None = None
    check_in_on: date | None = None
    check_out_on: date | None = None


def plan_of(registration_id: int) -> TravelPlan | None:
    return db.session.scalar(select(TravelPlan).where(TravelPlan.registration_id == registration_id))


def _check(data: PlanData) -> None:
    if data.arrival_on and data.departure_on and data.departure_on < data.arrival_on:
        raise TravelError(_l("The departure cannot be before the arrival."), "departure_on")
    if data.check_in_on and data.check_out_on and data.check_out_on < data.check_in_on:
        raise TravelError(_l("The check-out cannot be before the check-in."), "check_out_on")


def save_plan(registration: Registration, data: PlanData, actor) -> TravelPlan:
    """Save a participant's arrival, departure and accommodation (by them or an organiser). Commits."""
    if registration.status not in ACTIVE:
        raise TravelError(_l("Only a live registration has travel details."))
    _check(data)
    plan = plan_of(registration.id) or TravelPlan(registration_id=registration.id)
    db.session.add(plan)
    for field in fields(PlanData):
        value = getattr(data, field.name)
        if field.name.endswith("_mode"):
            value = TravelMode(value) if value else None
        setattr(plan, field.name, value)
    audit.record(actor, "travel.plan_saved", registration, {"by_self": actor.id == registration.user_id})
    db.session.commit()
    return plan
