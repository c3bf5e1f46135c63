"""The co-organisers and speakers fields (issue 23): they no longer list every account; the page holds
only the people chosen, the picker adds others through /people/search, and ids sent back are checked
in one statement with the error shown beside the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.events.models import Session
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


@pytest.fixture
def world(make):
    creator = make.user(role=Role.ORGANISER, name="Oksana Organiser")
    co = make.user(role=Role.MEMBER, name="Carl Co")
    event = make.event("Kyiv study visit", starts_at=datetime(2026, 10, 23, 7, 0, tzinfo=UTC), days=3,
                       created_by=creator, organisers=[co])
    return {"creator": creator, "co": co, "event": event}


def _session_form(**overrides):
    data = {"title": "Panel", "kind": "panel", "starts_at": "2026-10-24T10:00", "ends_at": "2026-10-24T11:00"}
    data.update(overrides)
    return data


def _options(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def test_forms_hold_only_the_people_chosen(login, make, world, db):
    for i in range(30):
        make.user(name=f"Bystander {i}")
    speaker = make.user(name="Taras Trainer", country="UA", organisation=make.organisation("Cyber Police"))
    client = login(world["creator"])
    event = world["event"]
    new_page = client.get(f"/events/{event.id}/sessions/new").get_data(as_text=True)
    assert _options(new_page, "speaker_ids") == [] and "Bystander" not in new_page
    assert 'data-people-picker' in new_page and 'data-search-url="/people/search"' in new_page
    assert "tom-select.complete.min.js" in new_page and "js/people-picker.js" in new_page
    client.post(f"/events/{event.id}/sessions/new", data=_session_form(speaker_ids=str(speaker.id)))
    db.session.rollback()
    session_id = db.session.scalar(select(Session.id).where(Session.title == "Panel"))
    edit_page = client.get(f"/events/{event.id}/sessions/{session_id}/edit").get_data(as_text=True)
    assert [o.strip() for o in _options(edit_page, "speaker_ids")] == ["Taras Trainer — Cyber Police, Ukraine"]
    assert "selected" in re.search(r'<option[^>]*>Taras', edit_page).group(0)
    event_page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert [o.strip() for o in _options(event_page, "organiser_ids")] == ["Carl Co"]
    assert "Bystander" not in event_page


@pytest.mark.parametrize("value, message", [
    ("999999", "One of the people chosen does not exist or can no longer be chosen."),
    ("inactive", "One of the people chosen does not exist or can no longer be chosen."),
    ("99999999999999999999999", "One of the people chosen does not exist or can no longer be chosen."),
    ("abc", "Choose people from the list."),
])
def test_unknown_speakers_are_refused_beside_the_field(login, make, world, db, value, message):
    if value == "inactive":
        value = str(make.user(name="Gone Away", is_active_account=False).id)
    response = login(world["creator"]).post(f"/events/{world['event'].id}/sessions/new",
                                            data=_session_form(speaker_ids=value))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.search(r'<div id="speaker_ids-errors"[^>]*>(.*?)</div>\s*</div>', html, re.S)
    assert errors is not None and message in errors.group(1)
    assert 'aria-describedby="speaker_ids-errors"' in html
    db.session.rollback()
    assert db.session.scalar(select(Session.id).where(Session.title == "Panel")) is None


def test_unknown_co_organisers_are_refused_beside_the_field(login, world):
    event = world["event"]
    client = login(world["creator"])
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    data = {name: value for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    data.update({"title": event.title, "kind": "workshop", "format": "in_person", "timezone": "Europe/Brussels",
                 "starts_at": "2026-10-23T09:00", "ends_at": "2026-10-26T09:00", "host_organisation_id": "0",
                 "registration_mode": "open", "reminder_days": "7,1"})
    response = client.post(f"/events/{event.id}/edit", data={**data, "organiser_ids": [str(world["co"].id), "999999"]})
    assert response.status_code == 422
    errors = re.search(r'<div id="organiser_ids-errors"[^>]*>(.*?)</div>\s*</div>', response.get_data(as_text=True), re.S)
    assert errors is not None and "can no longer be chosen" in errors.group(1)


def test_a_member_co_organiser_keeps_the_plain_field(login, world):
    """The search is for organisers, coordinators and admins: a co-organiser with the member role gets
    the plain list of the people chosen, without the picker that would be refused."""
    page = login(world["co"]).get(f"/events/{world['event'].id}/sessions/new").get_data(as_text=True)
    assert 'name="speaker_ids"' in page and "data-people-picker" not in page
