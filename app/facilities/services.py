"""Adding, changing, archiving and restoring facilities: the rules and their transactions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts.membership_queries import administered_organisation_ids
from app.directory.models import Organisation, Theme
from app.errors import RuleError, rolls_back_on
from app.extensions import db
from app.facilities.access import may_curate, may_edit
from app.facilities.languages import LANGUAGE_CODES
from app.facilities.models import Facility, FacilityKind, FacilityStatus

FIELDS = ("name", "kind", "organisation_id", "country", "city", "address", "capacity", "languages", "description",
          "capabilities", "accessibility", "availability", "contact_name", "contact_email", "contact_phone")


class FacilityError(RuleError):
    """A broken facility rule."""


def _check_organisation(actor, organisation_id: int | None) -> None:
    if not organisation_id or db.session.get(Organisation, organisation_id) is None:
        raise FacilityError(str(_l("Choose the hosting organisation.")), "organisation_id")
    if not may_curate(actor) and organisation_id not in administered_organisation_ids(actor):
        raise FacilityError(str(_l("You may add facilities only for an organisation whose contact person you are.")),
                            "organisation_id")


def _clean(values: dict) -> dict:
    clean = {name: values.get(name) for name in FIELDS}
    clean["kind"] = FacilityKind(clean["kind"])
    codes = [code for code in (clean["languages"] or []) if code in LANGUAGE_CODES]
    clean["languages"] = ",".join(dict.fromkeys(codes))
    clean["country"] = (clean["country"] or "").upper()
    return clean


@rolls_back_on(FacilityError)
def save_facility(facility: Facility | None, actor, values: dict, theme_ids) -> Facility:
    """Add a facility (`facility` None) or change one; `values` as FacilityForm.values() gives them."""
    if facility is not None and not may_edit(actor, facility):
        raise FacilityError(str(_l("You may not change this facility.")))
    clean = _clean(values)
    if facility is None or clean["organisation_id"] != facility.organisation_id:
        _check_organisation(actor, clean["organisation_id"])
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(set(theme_ids or ())))))
    if facility is None:
        facility = Facility(created_by_id=actor.id, **clean)
        facility.themes = themes
        db.session.add(facility)
        db.session.flush()
        audit.record(actor, "facility.created", facility, summary=facility.name)
    else:
        changes = audit.diff(facility, clean)
        if {t.id for t in facility.themes} != {t.id for t in themes}:
            changes["themes"] = [sorted(t.id for t in facility.themes), sorted(t.id for t in themes)]
        for name, value in clean.items():
            setattr(facility, name, value)
        facility.themes = themes
        if changes:
            audit.record(actor, "facility.changed", facility, changes, summary=facility.name)
    db.session.commit()
    return facility


@rolls_back_on(FacilityError)
def set_status(facility: Facility, actor, status: FacilityStatus) -> None:
    """Archive (no longer offered to events, hidden from the roster) or restore a facility."""
    if not may_edit(actor, facility):
        raise FacilityError(str(_l("You may not change this facility.")))
    if facility.status == status:
        return
    audit.record(actor, f"facility.{status.value}", facility, {"status": [facility.status, status]},
                 summary=facility.name)
    facility.status = status
    db.session.commit()
