"""Directory pages: who may use them, create/edit with field errors, lists, EMPACT seeding."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from app.audit.models import AuditEntry
from app.directory.empact import CYCLES, EMPACT_PRIORITIES, seed_empact_themes
from app.directory.models import Organisation, OrganisationType, Project, Theme


@pytest.fixture
def coordinator_client(make, login):
    return login(make.user(role="coordinator"))


@pytest.mark.parametrize("path", [
    "/directory/", "/directory/organisations", "/directory/organisations/new",
    "/directory/projects", "/directory/projects/new", "/directory/themes", "/directory/themes/new",
])
def test_members_and_organisers_are_refused_and_anonymous_sent_to_sign_in(client, make, login, path):
    member, organiser = make.user(role="member"), make.user(role="organiser")
    assert login(member).get(path).status_code == 403
    assert login(organiser).get(path).status_code == 403
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.post(path, data={"name": "x"}).status_code in (403, 405)


def test_admin_and_coordinator_see_the_overview_with_links(make, login):
    make.organisation(name="Border Police of Moldova", country="MD")
    for user in (make.user(role="admin"), make.user(role="coordinator")):
        html = login(user).get("/directory/").get_data(as_text=True)
        assert "/directory/organisations" in html and "/directory/projects" in html and "/directory/themes" in html


def test_directory_link_appears_in_navigation_for_coordinators_only(make, login):
    coordinator, member = make.user(role="coordinator"), make.user(role="member")
    assert 'href="/directory/"' in login(coordinator).get("/").get_data(as_text=True)
    assert 'href="/directory/"' not in login(member).get("/").get_data(as_text=True)


def test_coordinator_creates_and_edits_an_organisation_with_audit(coordinator_client, db):
    response = coordinator_client.post("/directory/organisations/new", data={
        "name": "General Police Inspectorate", "short_name": "IGP", "type": "law_enforcement",
        "country": "MD", "website": "https://politia.md",
    })
    assert response.status_code == 302
    db.session.rollback()
    org = db.session.scalar(select(Organisation).where(Organisation.name == "General Police Inspectorate"))
    assert org.country == "MD" and org.type == OrganisationType.LAW_ENFORCEMENT and org.short_name == "IGP"

    response = coordinator_client.post(f"/directory/organisations/{org.id}", data={
        "name": "General Police Inspectorate", "short_name": "IGP", "type": "law_enforcement",
        "country": "MD", "website": "https://www.politia.md",
    })
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Organisation, org.id).website == "https://www.politia.md"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == org.id)).all()
    assert actions == ["organisation.create", "organisation.edit"]


def test_duplicate_organisation_name_is_a_field_error_not_a_500(coordinator_client, make, db):
    make.organisation(name="National Police of Ukraine", country="UA")
    response = coordinator_client.post("/directory/organisations/new", data={
        "name": "national police of ukraine", "type": "law_enforcement", "country": "UA",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-errors"' in html and "exists already" in html
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    # The same name in another country is another organisation.
    assert coordinator_client.post("/directory/organisations/new", data={
        "name": "National Police of Ukraine", "type": "law_enforcement", "country": "MD",
    }).status_code == 302


def test_organisation_website_must_be_http(coordinator_client, db):
    response = coordinator_client.post("/directory/organisations/new", data={
        "name": "Sneaky", "type": "ngo", "website": "javascript://example.com/%0Aalert(1)",
    })
    assert response.status_code == 422
    assert 'id="website-errors"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_project_dates_must_be_ordered_and_acronym_unique(coordinator_client, make, db):
    org = make.organisation(name="Ministry of Internal Affairs of Georgia", country="GE")
    good = {
        "acronym": "EU4SEC", "title": "Strengthening cross-border cooperation", "programme": "ISF-Police",
        "grant_number": "101103456", "starts_on": "2024-01-01", "ends_on": "2026-12-31",
        "website": "https://eu4sec.example.eu", "coordinator_organisation_id": str(org.id),
    }
    response = coordinator_client.post("/directory/projects/new", data={**good, "ends_on": "2023-12-31"})
    assert response.status_code == 422
    assert 'id="ends_on-errors"' in response.get_data(as_text=True)

    response = coordinator_client.post("/directory/projects/new", data={**good, "starts_on": "2026-02-30"})
    assert response.status_code == 422 and 'id="starts_on-errors"' in response.get_data(as_text=True)

    assert coordinator_client.post("/directory/projects/new", data=good).status_code == 302
    db.session.rollback()
    project = db.session.scalar(select(Project))
    assert project.coordinator_organisation_id == org.id and str(project.ends_on) == "2026-12-31"

    response = coordinator_client.post("/directory/projects/new", data={**good, "acronym": "eu4sec"})
    assert response.status_code == 422 and 'id="acronym-errors"' in response.get_data(as_text=True)

    response = coordinator_client.post("/directory/projects/new", data={**good, "acronym": "X",
                                                                        "coordinator_organisation_id": "999999"})
    assert response.status_code == 422
    # Editing keeps its own acronym without complaint.
    assert coordinator_client.post(f"/directory/projects/{project.id}", data={**good, "title": "New title"}).status_code == 302


def test_themes_with_and_without_cycle(coordinator_client, db):
    assert coordinator_client.post("/directory/themes/new", data={"name": "Open-source intelligence"}).status_code == 302
    assert coordinator_client.post("/directory/themes/new", data={
        "name": "Drug trafficking", "empact_cycle": "2026-2029"}).status_code == 302
    assert coordinator_client.post("/directory/themes/new", data={
        "name": "Drug trafficking", "empact_cycle": "2026-2029"}).status_code == 422
    assert coordinator_client.post("/directory/themes/new", data={
        "name": "Drug trafficking", "empact_cycle": "1999-2000"}).status_code == 422
    db.session.rollback()
    themes = {(t.name, t.empact_cycle) for t in db.session.scalars(select(Theme))}
    assert themes == {("Open-source intelligence", None), ("Drug trafficking", "2026-2029")}
    listed = coordinator_client.get("/directory/themes?cycle=none").get_data(as_text=True)
    assert "Open-source intelligence" in listed and "Drug trafficking" not in listed


def test_lists_search_and_paginate(coordinator_client, make):
    for n in range(30):
        make.organisation(name=f"Regional Police Directorate {n:02d}", country="RS")
    make.organisation(name="Europol", country="NL", type=OrganisationType.EU_AGENCY)
    first = coordinator_client.get("/directory/organisations").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = coordinator_client.get("/directory/organisations?page=2").get_data(as_text=True)
    assert "Regional Police Directorate 29" in second or "Europol" in second
    found = coordinator_client.get("/directory/organisations?q=europ").get_data(as_text=True)
    assert "Europol" in found and "Regional Police Directorate" not in found
    by_type = coordinator_client.get("/directory/organisations?type=eu_agency").get_data(as_text=True)
    assert "Europol" in by_type and "Regional Police" not in by_type
    for bad in ("page=-1", "page=abc", "page=99999999999999999999", "type=zzz", "country=%00%00"):
        assert coordinator_client.get(f"/directory/organisations?{bad}").status_code in (200, 400)


def test_list_pages_issue_a_bounded_number_of_queries(app, db, coordinator_client, make):
    def count_queries(path):
        statements = []

        def before(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert coordinator_client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    org = make.organisation(name="CEPOL", country="HU", type=OrganisationType.EU_AGENCY)
    make.project(acronym="P1", coordinator_organisation_id=org.id)
    small = {p: count_queries(p) for p in ("/directory/organisations", "/directory/projects", "/directory/themes")}
    for n in range(20):
        other = make.organisation(name=f"Org {n}", country="RO")
        make.project(acronym=f"PX{n}", coordinator_organisation_id=other.id)
        make.theme(name=f"Theme {n}")
    large = {p: count_queries(p) for p in small}
    assert large == small


def test_empact_seed_is_idempotent_and_covers_both_cycles(app, db, runner):
    assert seed_empact_themes() == len(EMPACT_PRIORITIES)
    db.session.commit()
    assert seed_empact_themes() == 0
    result = runner.invoke(args=["directory", "seed-empact"])
    assert result.exit_code == 0 and "0 EMPACT theme(s) added" in result.output
    cycles = dict(db.session.execute(
        select(Theme.empact_cycle, func.count()).group_by(Theme.empact_cycle)).all())
    assert set(cycles) == set(CYCLES)
    assert cycles["2022-2025"] >= 12 and cycles["2026-2029"] >= 7
    names = set(db.session.scalars(select(Theme.name).where(Theme.empact_cycle == "2022-2025")))
    assert {"High-risk criminal networks", "Migrant smuggling", "Firearms trafficking"} <= names


def test_empact_cli_on_empty_database(runner, db):
    result = runner.invoke(args=["directory", "seed-empact"])
    assert result.exit_code == 0
    assert f"{len(EMPACT_PRIORITIES)} EMPACT theme(s) added" in result.output
