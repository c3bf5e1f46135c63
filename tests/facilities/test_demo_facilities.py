"""The demo network has a roster of facilities in the partner countries, Hungary and Romania, with demo
events held at them, loaded once however often the demo is loaded."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo.data import load_demo
from app.events.models import Event
from app.facilities.models import Facility, FacilityKind


def test_demo_facilities_are_loaded_once_and_host_events(db, client):
    load_demo()
    load_demo()
    facilities = list(db.session.scalars(select(Facility)))
    assert 6 <= len(facilities) <= 8
    assert {f.country for f in facilities} >= {"UA", "MD", "GE", "RS", "HU", "RO"}
    kinds = {f.kind for f in facilities}
    assert {FacilityKind.BORDER_CROSSING_POINT, FacilityKind.FORENSIC_LAB, FacilityKind.CYBER_RANGE} <= kinds
    assert all(f.contact_email and f.themes for f in facilities)
    held = db.session.scalar(select(func.count(Event.id)).where(Event.facility_id.is_not(None)))
    assert held >= 4
    tbilisi = next(f for f in facilities if f.kind == FacilityKind.FORENSIC_LAB)
    page = client.get(f"/facilities/{tbilisi.id}").get_data(as_text=True)
    assert "Workshop: joint investigation teams with non-EU partners" in page
    assert "levan.gelashvili" not in page  # visitors never see the contact
