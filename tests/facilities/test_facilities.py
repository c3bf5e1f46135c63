"""The roster of facilities (issue 22): search and filters, the country view, who sees the contact, who
edits, the venue filled from a facility, the events and sessions held there, bounded queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.events.models import Event, Session
from app.facilities.models import Facility, FacilityKind, FacilityStatus
from app.timeutil import set_now
from tests.querycount import QueryCounter

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONTACT = "hanna.bondar@dpsu.example.gov.ua"


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


@pytest.fixture
def roster(make):
    dpsu = make.organisation("State Border Guard Service", country="UA")
    mia = make.organisation("Ministry of Internal Affairs of Georgia", country="GE")
    smuggling = make.theme("Migrant smuggling")
    cyber = make.theme("Cybercrime")
    border = make.facility("Border crossing training centre Chop", dpsu, kind=FacilityKind.BORDER_CROSSING_POINT,
                           city="Chop", capacity=30, languages="uk,en,hu", contact_name="Hanna Bondar",
                           contact_email=CONTACT, contact_phone="+380 31 000 0000",
                           capabilities="Vehicle scanners, document examination lab", themes=[smuggling])
    forensic = make.facility("Forensic lab Tbilisi", mia, kind=FacilityKind.FORENSIC_LAB, country="GE",
                             city="Tbilisi", capabilities="DNA and ballistics", themes=[cyber])
    old = make.facility("Old shooting range", dpsu, kind=FacilityKind.SHOOTING_RANGE, status=FacilityStatus.ARCHIVED)
    return {"dpsu": dpsu, "mia": mia, "border": border, "forensic": forensic, "old": old, "smuggling": smuggling,
            "cyber": cyber}


def _names(html: str) -> list[str]:
    return [name.strip() for name in re.findall(r'<h2 class="h5 mb-1">([^<]+)', html)]


def test_the_roster_is_searched_and_filtered(client, roster):
    everything = client.get("/facilities/").get_data(as_text=True)
    assert _names(everything) == ["Forensic lab Tbilisi", "Border crossing training centre Chop"]  # GE, then UA
    assert "Old shooting range" not in everything  # archived: not offered
    assert _names(client.get("/facilities/?q=ballistics").get_data(as_text=True)) == ["Forensic lab Tbilisi"]
    assert _names(client.get("/facilities/?q=border+guard").get_data(as_text=True)) == [
        "Border crossing training centre Chop"]  # the hosting organisation's name
    assert _names(client.get("/facilities/?kind=forensic_lab").get_data(as_text=True)) == ["Forensic lab Tbilisi"]
    assert _names(client.get("/facilities/?country=ua").get_data(as_text=True)) == [
        "Border crossing training centre Chop"]
    theme = roster["smuggling"].id
    assert _names(client.get(f"/facilities/?theme={theme}").get_data(as_text=True)) == [
        "Border crossing training centre Chop"]
    organisation = roster["mia"].id
    assert _names(client.get(f"/facilities/?organisation={organisation}").get_data(as_text=True)) == [
        "Forensic lab Tbilisi"]
    # Nonsense in the query string is ignored, never an error page.
    response = client.get("/facilities/?kind=castle&country=%%%&theme=x&organisation=99999999999&page=-3")
    assert response.status_code == 200 and len(_names(response.get_data(as_text=True))) == 2
    # Visitors cannot ask for the archived ones.
    assert "Old shooting range" not in client.get("/facilities/?status=archived").get_data(as_text=True)


def test_curators_find_archived_facilities(login, make, roster):
    coordinator = login(make.user(role=Role.COORDINATOR))
    page = coordinator.get("/facilities/?status=archived").get_data(as_text=True)
    assert _names(page) == ["Old shooting range"]  # followed by its "Archived" badge


def test_the_country_view_groups_facilities_with_counts(client, make, roster):
    make.facility("Cyber range Lviv", roster["dpsu"], kind=FacilityKind.CYBER_RANGE, city="Lviv")
    html = client.get("/facilities/countries").get_data(as_text=True)
    ukraine = html.split('data-testid="country-UA"', 1)[1].split("</section>", 1)[0]
    georgia = html.split('data-testid="country-GE"', 1)[1].split("</section>", 1)[0]
    assert "2 facilities" in ukraine and "Cyber range Lviv" in ukraine and "Chop" in ukraine
    assert "1 facility" in georgia and "Forensic lab Tbilisi" in georgia
    assert html.index('data-testid="country-UA"') < html.index('data-testid="country-GE"')  # most first
    assert "Old shooting range" not in html


def test_the_contact_is_for_signed_in_members_only(client, login, make, roster):
    path = f"/facilities/{roster['border'].id}"
    visitor = client.get(path).get_data(as_text=True)
    assert CONTACT not in visitor and "Hanna Bondar" not in visitor and "+380 31" not in visitor
    assert "to see whom to contact" in visitor
    member = login(make.user()).get(path).get_data(as_text=True)
    assert CONTACT in member and "Hanna Bondar" in member and "+380 31 000 0000" in member
    # Languages named in the page's language; capabilities shown to everyone.
    assert "Ukrainian, English, Hungarian" in visitor and "Vehicle scanners" in visitor


def test_archived_facilities_are_hidden_from_visitors(client, login, make, roster):
    path = f"/facilities/{roster['old'].id}"
    assert client.get(path).status_code == 404
    assert login(make.user()).get(path).status_code == 404
    assert login(make.user(role=Role.COORDINATOR)).get(path).status_code == 200
    assert login(make.organisation_admin(roster["dpsu"])).get(path).status_code == 200


def _form(organisation, **overrides):
    data = {"name": "Cyber range Bucharest", "kind": "cyber_range", "organisation_id": str(organisation),
            "country": "RO", "city": "Bucharest", "capacity": "24", "languages": ["ro", "en"],
            "capabilities": "Live-fire incident response exercises", "contact_email": "range@example.ro"}
    data.update(overrides)
    return data


def test_contact_persons_maintain_their_own_facilities(login, make, roster, db):
    contact = make.organisation_admin(roster["dpsu"])
    client = login(contact)
    # Their form offers only their own organisation.
    form = client.get("/facilities/new").get_data(as_text=True)
    assert "State Border Guard Service" in form and "Ministry of Internal Affairs of Georgia" not in form
    refused = client.post("/facilities/new", data=_form(roster["mia"].id))
    assert refused.status_code == 422
    assert "That organisation does not exist" in refused.get_data(as_text=True)  # not among their choices
    created = client.post("/facilities/new", data=_form(roster["dpsu"].id, name="Kordon training base"))
    assert created.status_code == 302
    db.session.rollback()
    facility = db.session.scalars(select(Facility).where(Facility.name == "Kordon training base")).one()
    assert facility.language_codes == ["ro", "en"] and facility.capacity == 24
    assert client.get(f"/facilities/{roster['border'].id}/edit").status_code == 200
    assert client.get(f"/facilities/{roster['forensic'].id}/edit").status_code == 403  # another organisation's
    assert client.post(f"/facilities/{roster['forensic'].id}/archive").status_code == 403
    # A plain member, even of the organisation, may not.
    member = login(make.user(organisation=roster["dpsu"]))
    assert member.get("/facilities/new").status_code == 403
    assert member.get(f"/facilities/{roster['border'].id}/edit").status_code == 403
    assert 'href="/facilities/new"' not in member.get("/facilities/").get_data(as_text=True)


def test_coordinators_curate_every_facility(login, make, roster, db):
    client = login(make.user(role=Role.COORDINATOR))
    facility = roster["forensic"]
    changed = client.post(f"/facilities/{facility.id}/edit", data=_form(
        roster["mia"].id, name="Forensic lab Tbilisi", country="GE", city="Tbilisi", languages=["ka", "en"]))
    assert changed.status_code == 302
    assert client.post(f"/facilities/{facility.id}/archive").status_code == 302
    db.session.rollback()
    facility = db.session.get(Facility, facility.id)
    assert facility.status == FacilityStatus.ARCHIVED and facility.languages == "ka,en"
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "Facility")))
    assert actions == {"facility.changed", "facility.archived"}
    assert client.post(f"/facilities/{facility.id}/restore").status_code == 302
    db.session.rollback()
    assert db.session.get(Facility, facility.id).is_active


def test_bad_input_is_shown_beside_the_field(login, make, roster):
    client = login(make.user(role=Role.COORDINATOR))
    for overrides, message in (
        ({"name": ""}, "This field is required."),
        ({"capacity": "-4"}, "Number must be between 0 and 100000."),
        ({"contact_email": "not-an-address"}, "Enter an email address."),
        ({"organisation_id": "0"}, "Choose an organisation."),
        ({"organisation_id": "99999999999"}, "Not a valid choice"),
        ({"languages": ["xx"]}, "is not a valid choice"),
        ({"kind": "castle"}, "Not a valid choice"),
        ({"country": ""}, "Choose the country."),
    ):
        response = client.post("/facilities/new", data=_form(roster["dpsu"].id, **overrides))
        body = response.get_data(as_text=True)
        assert response.status_code == 422, overrides
        assert "invalid-feedback" in body and (message in body or "does not exist" in body), (overrides, body[-2000:])


def _event_form(**overrides):
    data = {"title": "Study visit: green border surveillance", "kind": "study_visit", "format": "in_person",
            "timezone": "Europe/Kyiv", "starts_at": "2026-10-20T09:00", "ends_at": "2026-10-22T17:00",
            "registration_mode": "open", "reminder_days": "7,1"}
    data.update(overrides)
    return data


def test_an_event_at_a_facility_takes_its_place_when_the_venue_is_empty(login, make, roster, db):
    organiser = login(make.user(role=Role.ORGANISER))
    border = roster["border"]
    border.address = "Vokzalna 1"
    db.session.commit()
    form = organiser.get("/events/new").get_data(as_text=True)
    assert f'data-venue="{border.name}"' in form and 'data-facility-pick' in form and "js/facility-pick.js" in form
    assert "Old shooting range" not in form  # archived: not offered
    organiser.post("/events/new", data=_event_form(facility_id=str(border.id)))
    organiser.post("/events/new", data=_event_form(title="Own venue", facility_id=str(border.id),
                                                   venue="Hotel Uzhhorod", city="Uzhhorod"))
    db.session.rollback()
    filled = db.session.scalars(select(Event).where(Event.title.like("Study visit%"))).one()
    assert (filled.facility_id, filled.venue, filled.address, filled.city, filled.country) == (
        border.id, border.name, "Vokzalna 1", "Chop", "UA")
    own = db.session.scalars(select(Event).where(Event.title == "Own venue")).one()
    assert (own.facility_id, own.venue, own.city) == (border.id, "Hotel Uzhhorod", "Uzhhorod")  # kept as typed
    refused = organiser.post("/events/new", data=_event_form(title="Archived", facility_id=str(roster["old"].id)))
    assert refused.status_code == 422 and "invalid-feedback" in refused.get_data(as_text=True)


def test_a_session_at_a_facility_names_it_as_its_site(login, make, roster, db):
    creator = make.user(role=Role.ORGANISER)
    event = make.event("Tbilisi workshop", starts_at=datetime(2026, 10, 23, 6, 0, tzinfo=UTC), days=2,
                       created_by=creator)
    client = login(creator)
    response = client.post(f"/events/{event.id}/sessions/new", data={
        "title": "Visit to the forensic lab", "kind": "site_visit", "starts_at": "2026-10-24T10:00",
        "ends_at": "2026-10-24T12:00", "facility_id": str(roster["forensic"].id)})
    assert response.status_code == 302
    db.session.rollback()
    item = db.session.scalars(select(Session).where(Session.event_id == event.id)).one()
    assert (item.facility_id, item.room) == (roster["forensic"].id, "Forensic lab Tbilisi")


def test_a_facility_lists_the_events_and_sessions_held_there(client, login, make, roster, db):
    owner = make.user(role=Role.ORGANISER)
    border = roster["border"]
    held = make.event("Joint border exercise", starts_at=NOW + timedelta(days=20), created_by=owner)
    draft = make.event("Secret draft at Chop", status="draft", created_by=owner)
    elsewhere = make.event("Conference in Uzhhorod", starts_at=NOW + timedelta(days=40), days=2, created_by=owner)
    visit = make.session(elsewhere, "Site visit to the crossing point", starts_at=NOW + timedelta(days=40, hours=3))
    for item in (held, draft, visit):
        item.facility_id = border.id
    db.session.commit()
    page = client.get(f"/facilities/{border.id}").get_data(as_text=True)
    held_here = page.split('data-testid="held-here"', 1)[1].split("</section>", 1)[0]
    assert "Joint border exercise" in held_here and f'href="/events/{held.id}"' in held_here
    assert "Site visit to the crossing point" in held_here and "Conference in Uzhhorod" in held_here
    assert "Secret draft at Chop" not in held_here  # drafts: their organisers only
    assert "Secret draft at Chop" in login(owner).get(f"/facilities/{border.id}").get_data(as_text=True)
    # And the event's page links back to the facility (the session's too, when held elsewhere).
    event_page = client.get(f"/events/{held.id}").get_data(as_text=True)
    assert f'href="/facilities/{border.id}"' in event_page and "About the facility: Border crossing" in event_page
    assert f'href="/facilities/{border.id}"' in client.get(f"/events/{elsewhere.id}").get_data(as_text=True)


def test_roster_pages_issue_a_bounded_number_of_queries(client, login, make, roster, db):
    def counts() -> list[int]:
        found = []
        viewer = login(make.user(role=Role.COORDINATOR))
        for path in ("/facilities/", "/facilities/countries", f"/facilities/{roster['border'].id}"):
            with QueryCounter(db.engine) as counter:
                assert viewer.get(path).status_code == 200
            found.append(counter.count)
        return found

    small = counts()
    owner = make.user(role=Role.ORGANISER)
    themes = [make.theme() for _ in range(4)]
    for index in range(25):
        organisation = make.organisation(f"Agency {index}", country=["RO", "MD", "RS", "MK", "HU"][index % 5])
        make.facility(f"Centre {index}", organisation, themes=themes[: index % 4], country=organisation.country)
        event = make.event(f"Exercise {index}", starts_at=NOW + timedelta(days=index + 1), created_by=owner)
        event.facility_id = roster["border"].id
        session = make.session(event, f"Visit {index}", starts_at=NOW + timedelta(days=index + 1, hours=1))
        session.facility_id = roster["border"].id
    db.session.commit()
    assert counts() == small


def test_an_event_keeps_its_facility_after_the_facility_is_archived(login, make, roster, db):
    creator = make.user(role=Role.ORGANISER)
    event = make.event("Exercise at Chop", starts_at=datetime(2026, 10, 20, 6, 0, tzinfo=UTC), created_by=creator)
    event.facility_id = roster["old"].id  # picked before the range was archived
    db.session.commit()
    client = login(creator)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "Old shooting range" in form  # still shown as its choice
    saved = client.post(f"/events/{event.id}/edit", data=_event_form(
        title="Exercise at Chop, day 1", starts_at="2026-10-20T09:00", ends_at="2026-10-20T17:00",
        facility_id=str(roster["old"].id)))
    assert saved.status_code == 302
    db.session.rollback()
    assert db.session.get(Event, event.id).facility_id == roster["old"].id


def test_the_forms_offer_the_roster_as_it_is_now(login, make, roster, db):
    """The event and session forms' facility list is kept in the cache: a facility added or archived
    since the last form is offered, or withdrawn, on the next one."""
    organiser = login(make.user(role=Role.ORGANISER))
    assert "Range in Lviv" not in organiser.get("/events/new").get_data(as_text=True)
    added = make.facility("Range in Lviv", roster["dpsu"], kind=FacilityKind.SHOOTING_RANGE, city="Lviv")
    assert 'data-venue="Range in Lviv"' in organiser.get("/events/new").get_data(as_text=True)
    added.status = FacilityStatus.ARCHIVED
    db.session.commit()
    assert "Range in Lviv" not in organiser.get("/events/new").get_data(as_text=True)
