"""The directory pickers (issue 23): JSON search over organisations, projects and themes for signed-in
members (at most 20, only names), and the forms that use them instead of listing the whole directory."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.directory.models import OrganisationDomain
from app.events.models import Event
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


@pytest.fixture
def directory(make, db):
    police = make.organisation("General Police Inspectorate of Moldova", country="MD", short_name="IGP",
                               website="https://secret-intranet.example.md")
    db.session.add(OrganisationDomain(organisation_id=police.id, domain="politia.example.md"))
    db.session.commit()
    for index in range(30):
        make.organisation(f"Police academy {index:02d}", country="RO")
    project = make.project("SAFEROUTES", title="Safe routes for victims", grant_number="GA-SECRET-101")
    theme = make.theme("Trafficking in human beings", empact_cycle="2026-2029")
    return {"police": police, "project": project, "theme": theme}


def test_search_answers_members_with_names_only(login, make, directory, client):
    member = login(make.user())
    body = member.get("/organisations/search?q=igp").get_json()
    assert body == {"results": [{"id": directory["police"].id,
                                 "label": "General Police Inspectorate of Moldova (IGP) — Moldova"}]}
    raw = member.get("/organisations/search?q=moldova").get_data(as_text=True)
    assert "politia.example.md" not in raw and "secret-intranet" not in raw  # no domains, no websites
    projects = member.get("/projects/search?q=safe").get_json()["results"]
    assert projects == [{"id": directory["project"].id, "label": "SAFEROUTES — Safe routes for victims"}]
    assert "GA-SECRET" not in member.get("/projects/search?q=safe").get_data(as_text=True)
    themes = member.get("/themes/search?q=traffick").get_json()["results"]
    assert themes == [{"id": directory["theme"].id, "label": "Trafficking in human beings (EMPACT 2026-2029)"}]
    response = member.get("/themes/search?q=x")
    assert response.headers["Cache-Control"] == "private, no-store"
    # Visitors are sent to sign in.
    assert client.get("/organisations/search?q=igp").status_code == 302


def test_search_is_bounded_and_safe(login, make, directory):
    member = login(make.user())
    assert len(member.get("/organisations/search?q=police").get_json()["results"]) == 20
    assert len(member.get("/organisations/search?q=police&limit=5").get_json()["results"]) == 5
    assert len(member.get("/organisations/search?q=police&limit=5000").get_json()["results"]) == 20
    assert len(member.get("/organisations/search?q=police&limit=lots").get_json()["results"]) == 20
    assert member.get("/organisations/search?q=").get_json() == {"results": []}
    assert member.get("/organisations/search?q=%25").get_json() == {"results": []}  # "%" is a character
    assert member.get("/themes/search?q=" + "x" * 5000).status_code == 200


def _select(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)


def test_the_event_form_holds_only_what_is_chosen(login, make, directory, db):
    organiser = make.user(role=Role.ORGANISER)
    client = login(organiser)
    page = client.get("/events/new").get_data(as_text=True)
    host = _select(page, "host_organisation_id")
    assert 'data-directory-picker="organisations"' in host and "Police academy" not in host
    assert 'data-search-url="/projects/search"' in _select(page, "project_ids")
    assert 'data-search-url="/themes/search"' in _select(page, "theme_ids")
    assert "js/directory-picker.js" in page
    response = client.post("/events/new", data={
        "title": "Workshop on safe routes", "kind": "workshop", "format": "in_person", "timezone": "Europe/Chisinau",
        "starts_at": "2026-10-20T09:00", "ends_at": "2026-10-20T17:00", "registration_mode": "open",
        "reminder_days": "7,1", "host_organisation_id": str(directory["police"].id),
        "project_ids": str(directory["project"].id), "theme_ids": str(directory["theme"].id)})
    assert response.status_code == 302
    db.session.rollback()
    event = db.session.scalars(select(Event).where(Event.title == "Workshop on safe routes")).one()
    assert event.host_organisation_id == directory["police"].id
    assert [p.acronym for p in event.projects] == ["SAFEROUTES"] and len(event.themes) == 1
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", _select(edit, "host_organisation_id")) == [
        "General Police Inspectorate of Moldova (IGP) — Moldova"]
    refused = client.post(f"/events/{event.id}/edit", data={
        "title": "Workshop on safe routes", "kind": "workshop", "format": "in_person", "timezone": "Europe/Chisinau",
        "starts_at": "2026-10-20T09:00", "ends_at": "2026-10-20T17:00", "registration_mode": "open",
        "reminder_days": "7,1", "host_organisation_id": "987654", "theme_ids": "123456"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "That organisation does not exist" in body and "One of the themes chosen does not exist" in body
