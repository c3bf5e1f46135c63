"""An event or a session held at a facility of the roster (issue 22): which facility it may pick, the
venue fields filled from it when left empty, and the events and sessions held at a facility."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.cache import fragments
from app.events.errors import EventError
from app.extensions import db
from app.facilities.models import Facility
from app.facilities.queries import active_facilities

VENUE_PARTS = (("venue", "name"), ("address", "address"), ("city", "city"), ("country", "country"))


def _facility(facility_id, current_id: int | None) -> Facility | None:
    """The chosen facility: an active one, or the one already set (archived since)."""
    if not facility_id:
        return None
    facility = db.session.get(Facility, facility_id)
    if facility is None or (not facility.is_active and facility.id != current_id):
        raise EventError(_l("Choose an active facility from the list."), "facility_id")
    return facility


def fill_event_place(values: dict, current_id: int | None = None) -> dict:
    """An event at a facility: when its venue is left empty, the venue, address, city and country come
    from the facility (each only where empty: what the organiser typed stays)."""
    if "facility_id" not in values:  # a caller that does not set the facility (the API) keeps it
        return values
    facility = _facility(values.get("facility_id"), current_id)
    values["facility_id"] = facility.id if facility else None
    if facility is not None and not values.get("venue"):
        for field, attribute in VENUE_PARTS:
            if not values.get(field):
                values[field] = getattr(facility, attribute)
    return values


def fill_session_place(values: dict, current_id: int | None = None) -> dict:
    """A session at a facility: its room or site, when left empty, is the facility's name."""
    if "facility_id" not in values:
        return values
    facility = _facility(values.get("facility_id"), current_id)
    values["facility_id"] = facility.id if facility else None
    if facility is not None and not values.get("room"):
        values["room"] = facility.name
    return values


def _choice(facility: Facility) -> tuple:
    label = facility.name if facility.city in facility.name else f"{facility.name} — {facility.city}"
    return (facility.id, label, {
        "data-venue": facility.name, "data-address": facility.address or "", "data-city": facility.city,
        "data-country": facility.country, "data-room": facility.name,
    })


def facility_choices(blank: str, current_id: int | None = None) -> list:
    """The facility select of the event and session forms: active facilities (and the one already set,
    archived since) with their place in data- attributes (static/js/facility-pick.js fills the empty
    venue fields on pick). The active ones are the same for every form: remembered until a facility
    changes (app.cache)."""
    active = fragments.remember("events.facility_choices", (), ("facilities",),
                                lambda: [_choice(facility) for facility in active_facilities()])
    choices: list = [(0, blank), *active]
    if current_id and current_id not in {choice[0] for choice in active}:
        current = db.session.get(Facility, current_id)
        if current is not None:
            choices.append(_choice(current))
    return choices
