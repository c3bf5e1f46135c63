"""Event pages through the HTTP client: who may do what, bad input, safe Markdown, filters, online links."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.events.models import Event, EventStatus, Session
from app.events.times import local_instant
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import set_now

KYIV = "Europe/Kyiv"
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app):
    set_now(NOW)
    yield
    set_now(None)


def kyiv(*args):
    return local_instant(datetime(*args), KYIV)


@pytest.fixture
def people(make):
    return {
        "member": make.user(role=Role.MEMBER, name="Mary Member"),
        "creator": make.user(role=Role.ORGANISER, name="Oksana Organiser"),
        "co_organiser": make.user(role=Role.ORGANISER, name="Carl Co"),
        "other_organiser": make.user(role=Role.ORGANISER, name="Otto Other"),
        "coordinator": make.user(role=Role.COORDINATOR, name="Cora Coordinator"),
        "admin": make.user(role=Role.ADMIN, name="Ada Admin"),
    }


def _event(make, people, status="published", **kw):
    event = make.event(
        kw.pop("title", "Kyiv study visit"), starts_at=kyiv(2026, 10, 23, 9, 0), ends_at=kyiv(2026, 10, 26, 17, 0),
        timezone=KYIV, kind="study_visit", status=status, created_by=people["creator"],
        organisers=[people["co_organiser"]], country="UA", city="Kyiv", **kw,
    )
    make.session(event, "Opening", starts_at=kyiv(2026, 10, 23, 9, 30), hours=1)
    return event


def _client(request_client, login, people, who):
    return request_client if who == "anonymous" else login(people[who])


def _session_form(**overrides):
    data = {"title": "Panel", "kind": "panel", "starts_at": "2026-10-24T10:00", "ends_at": "2026-10-24T11:00",
            "room": "Hall B"}
    data.update(overrides)
    return data


def _event_form(**overrides):
    data = {
        "title": "Study visit Kyiv", "kind": "study_visit", "format": "hybrid", "timezone": KYIV,
        "starts_at": "2026-10-23T09:00", "ends_at": "2026-10-26T17:00", "city": "Kyiv", "country": "UA",
        "host_organisation_id": "0", "registration_mode": "open", "reminder_days": "7,1", "capacity": "25",
        "online_url": "https://meet.example.org/kyiv",
    }
    data.update(overrides)
    return data


MANAGE_GETS = ["edit", "cancel", "clone", "series", "session_new", "session_edit"]
EXPECTED_MANAGE = {
    "anonymous": 302, "member": 403, "creator": 200, "co_organiser": 200, "other_organiser": 403,
    "coordinator": 200, "admin": 200,
}


@pytest.mark.parametrize("who", list(EXPECTED_MANAGE))
def test_manage_pages_per_role_on_a_published_event(client, login, make, people, who):
    event = _event(make, people)
    session_id = event.sessions[0].id
    browser = _client(client, login, people, who)
    assert browser.get(f"/events/{event.id}").status_code == 200
    assert browser.get("/events").status_code == 200
    assert browser.get("/events/calendar?year=2026&month=10").status_code == 200
    for route in MANAGE_GETS:
        url = {
            "edit": f"/events/{event.id}/edit", "cancel": f"/events/{event.id}/cancel",
            "clone": f"/events/{event.id}/clone", "series": f"/events/{event.id}/series",
            "session_new": f"/events/{event.id}/sessions/new",
            "session_edit": f"/events/{event.id}/sessions/{session_id}/edit",
        }[route]
        assert browser.get(url).status_code == EXPECTED_MANAGE[who], (who, route)
    expected_post = {302: 403}.get(EXPECTED_MANAGE[who], EXPECTED_MANAGE[who])
    edit = browser.post(f"/events/{event.id}/edit", data=_event_form(
        title="Edited by " + who, organiser_ids=str(people["co_organiser"].id)))
    assert edit.status_code == (302 if expected_post == 200 else expected_post), who
    move = browser.post(f"/events/{event.id}/sessions/{session_id}/move", data={"direction": "down"})
    assert move.status_code == (302 if expected_post == 200 else expected_post)
    new_page = browser.get("/events/new").status_code
    assert new_page == {"anonymous": 302, "member": 403}.get(who, 200)
    page = browser.get(f"/events/{event.id}").get_data(as_text=True)
    assert ("Cancel event" in page) == (EXPECTED_MANAGE[who] == 200)


@pytest.mark.parametrize("who, expected", [
    ("anonymous", 404), ("member", 404), ("other_organiser", 404), ("coordinator", 404),
    ("creator", 200), ("co_organiser", 200), ("admin", 200),
])
def test_drafts_are_hidden_from_everyone_but_their_organisers(client, login, make, people, who, expected):
    draft = _event(make, people, status="draft", title="Secret draft")
    browser = _client(client, login, people, who)
    assert browser.get(f"/events/{draft.id}").status_code == expected
    listed = "Secret draft" in browser.get("/events").get_data(as_text=True)
    assert listed == (expected == 200)
    calendar = "Secret draft" in browser.get("/events/calendar?year=2026&month=10").get_data(as_text=True)
    assert calendar == (expected == 200)
    if expected == 404:
        assert browser.get(f"/events/{draft.id}/edit").status_code in (404, 302)


def test_member_co_organiser_can_edit_and_manage_agenda(login, make, people):
    helper = make.user(role=Role.MEMBER, name="Helpful Member")
    event = _event(make, people)
    event.organisers.append(helper)
    from app.extensions import db

    db.session.commit()
    browser = login(helper)
    assert browser.get(f"/events/{event.id}/edit").status_code == 200
    assert browser.post(f"/events/{event.id}/sessions/new", data=_session_form()).status_code == 302
    assert browser.get("/events/new").status_code == 403


def test_organiser_creates_publishes_cancels_and_everyone_sees_it_marked(client, login, make, people, db):
    organiser = login(people["creator"])
    response = organiser.post("/events/new", data=_event_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location.startswith("/events/"), response.location
    db.session.rollback()  # end the test's read transaction to see the request's commit
    event = db.session.scalars(select(Event)).one()
    assert event.status == EventStatus.DRAFT and event.created_by_id == people["creator"].id
    assert event.starts_at == datetime(2026, 10, 23, 6, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)
    assert client.get(f"/events/{event.id}").status_code == 404
    assert organiser.post(f"/events/{event.id}/publish").status_code == 302
    assert client.get(f"/events/{event.id}").status_code == 200
    assert organiser.post(f"/events/{event.id}/cancel", data={"reason": ""}).status_code == 422
    assert organiser.post(f"/events/{event.id}/cancel", data={"reason": "Venue closed"}).status_code == 302
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "This event is cancelled" in page and "Venue closed" in page
    assert "Cancelled" in client.get("/events").get_data(as_text=True)
    db.session.rollback()
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["event.create", "event.publish", "event.cancel"]


def test_delete_only_drafts(login, make, people, db):
    draft_id = _event(make, people, status="draft").id
    published_id = _event(make, people).id
    organiser = login(people["creator"])
    assert organiser.post(f"/events/{published_id}/delete").status_code == 302
    db.session.rollback()
    assert db.session.get(Event, published_id) is not None
    assert login(people["member"]).post(f"/events/{draft_id}/delete").status_code == 404
    assert organiser.post(f"/events/{draft_id}/delete").status_code == 302
    db.session.rollback()
    assert db.session.get(Event, draft_id) is None


@pytest.mark.parametrize("overrides, field_error", [
    ({"ends_at": "2026-10-22T09:00"}, "The end must be after the start."),
    ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list"),
    ({"capacity": "-1"}, "Number must be between 0 and 100000."),
    ({"capacity": str(10**9)}, "Number must be between 0 and 100000."),
    ({"capacity": "lots"}, "Not a valid integer value."),
    ({"title": "x" * 100_000}, "Field cannot be longer than 200 characters."),
    ({"starts_at": "2026-02-31T09:00"}, "Not a valid datetime value."),
    ({"starts_at": "0001-01-01T00:00"}, "between the years 2000 and 2100"),
    ({"starts_at": "2026-03-29T03:30", "ends_at": "2026-03-30T10:00"}, "does not exist in Europe/Kyiv"),
    ({"reminder_days": "soon"}, "Reminder days are whole numbers"),
    ({"online_url": "javascript:alert(1)"}, "web address"),
    ({"project_ids": "999"}, "One of the projects chosen does not exist"),
    ({"kind": "party"}, "Not a valid choice."),
])
def test_bad_event_input_is_shown_beside_the_field(login, people, db, overrides, field_error):
    organiser = login(people["creator"])
    response = organiser.post("/events/new", data=_event_form(**overrides))
    assert response.status_code == 422
    db.session.rollback()
    body = response.get_data(as_text=True)
    assert field_error in body and "invalid-feedback" in body
    assert db.session.scalar(select(Event.id)) is None


@pytest.mark.parametrize("overrides, message", [
    ({"starts_at": "2026-10-20T10:00", "ends_at": "2026-10-20T11:00"}, "must start within the event"),
    ({"ends_at": "2026-10-24T09:00"}, "The end must be after the start."),
    ({"room": "Hall A", "starts_at": "2026-10-23T09:45"}, "Hall A is already taken by “Opening”"),
    ({"capacity": "100001"}, "Number must be between 0 and 100000."),
    ({"starts_at": "garbage"}, "Not a valid datetime value."),
    ({"title": ""}, "This field is required."),
])
def test_bad_session_input_is_shown_beside_the_field(login, make, people, db, overrides, message):
    event = _event(make, people)
    event.sessions[0].room = "Hall A"
    db.session.commit()
    response = login(people["co_organiser"]).post(f"/events/{event.id}/sessions/new", data=_session_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Session.id).where(Session.title == "Panel")) is None


def test_session_form_saves_local_times_and_speakers(login, make, people, db):
    event = _event(make, people)
    speaker = make.user(name="Taras Trainer")
    response = login(people["creator"]).post(f"/events/{event.id}/sessions/new", data=_session_form(
        kind="training", speaker_ids=str(speaker.id), external_speakers="Jane Doe — Europol",
        learning_objectives="Trace crypto payments", has_signup="y", capacity="12",
    ))
    assert response.status_code == 302
    db.session.rollback()
    item = db.session.scalars(select(Session).where(Session.title == "Panel")).one()
    assert item.starts_at == datetime(2026, 10, 24, 7, 0, tzinfo=UTC) and item.has_signup and item.capacity == 12
    page = login(people["member"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert "Taras Trainer" in page and "Jane Doe (Europol)" in page and "Trace crypto payments" in page


def test_timetable_shows_event_zone_and_viewer_zone(login, make, people):
    event = _event(make, people)
    make.session(event, "Farewell", starts_at=kyiv(2026, 10, 26, 9, 0), hours=1)
    page = login(people["member"]).get(f"/events/{event.id}").get_data(as_text=True)  # viewer in Brussels
    assert "Friday 23 October 2026" in page and "Monday 26 October 2026" in page
    assert "09:30–10:30" in page and "Fri 08:30–09:30" in page  # Kyiv +3 vs Brussels +2 in October
    assert "09:00–10:00" in page and "Mon 08:00–09:00" in page  # both on winter time after the 25th
    from app.extensions import db

    db.session.rollback()
    people["member"].timezone = KYIV
    db.session.commit()
    page = login(people["member"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert "Your time" not in page and "Fri 08:30" not in page


def test_description_markdown_is_sanitised(client, make, people):
    event = _event(make, people, description=(
        "**Welcome**\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        "<img src=x onerror=alert(3)>\n\n<a href=\"https://ok.example\" onclick=\"x()\">ok</a>"
    ))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    about = page[page.index('class="event-description"'):page.index('id="agenda"')]
    assert "<strong>Welcome</strong>" in about
    assert "<script" not in about and 'href="javascript' not in about and "<img" not in about
    assert not re.search(r"<[^>]*\son(error|click)=", about)


def test_online_link_only_for_confirmed_participants_and_organisers(client, login, make, people, db):
    event = _event(make, people, format="online", online_url="https://meet.example.org/secret-room")
    confirmed, waiting = make.user(), make.user()
    db.session.add_all([
        Registration(event_id=event.id, user_id=confirmed.id, status=RegistrationStatus.CONFIRMED),
        Registration(event_id=event.id, user_id=waiting.id, status=RegistrationStatus.WAITLISTED),
    ])
    db.session.commit()
    secret = "meet.example.org/secret-room"
    assert secret not in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert secret not in login(waiting).get(f"/events/{event.id}").get_data(as_text=True)
    assert secret not in login(people["member"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert secret in login(confirmed).get(f"/events/{event.id}").get_data(as_text=True)
    assert secret in login(people["co_organiser"]).get(f"/events/{event.id}").get_data(as_text=True)
    page = login(confirmed).get(f"/events/{event.id}").get_data(as_text=True)
    assert "1 registered (no limit)" in page


def test_list_filters_tabs_and_free_text(client, make, people, db):
    project = make.project("ROXANNE")
    theme = make.theme("Trafficking in human beings", empact_cycle="2022-2025")
    kyiv_visit = _event(make, people, title="Kyiv cyber study visit")
    kyiv_visit.projects.append(project)
    kyiv_visit.themes.append(theme)
    db.session.commit()
    make.event("Lisbon workshop", starts_at=NOW + timedelta(days=40), country="PT", kind="workshop")
    make.event("Old webinar", starts_at=NOW - timedelta(days=40), kind="webinar", format="online")

    def titles(query):
        return client.get("/events" + query).get_data(as_text=True)

    upcoming = titles("")
    assert "Kyiv cyber study visit" in upcoming and "Lisbon workshop" in upcoming and "Old webinar" not in upcoming
    assert "Old webinar" in titles("?tab=past") and "Lisbon workshop" not in titles("?tab=past")
    found = titles("?kind=study_visit&country=UA&q=CYBER")
    assert "Kyiv cyber study visit" in found and "Lisbon workshop" not in found
    assert "Lisbon workshop" not in titles(f"?project={project.id}")
    themed = titles(f"?theme={theme.id}")
    assert "Kyiv cyber study visit" in themed and "(EMPACT 2022-2025)" in themed
    assert "Kyiv cyber study visit" not in titles("?from=2026-10-27")
    assert "Kyiv cyber study visit" in titles("?from=2026-10-26&to=2026-10-26")
    assert "Kyiv cyber study visit" not in titles("?q=100%25")
    assert client.get("/events?kind=<script>&page=-4&from=yesterday&project=1e9").status_code == 200
    calendar = client.get("/events/calendar?year=2026&month=10&kind=study_visit").get_data(as_text=True)
    assert "Kyiv cyber study visit" in calendar and "October 2026" in calendar
    assert client.get("/events/calendar?year=99999&month=13").status_code == 200
    assert client.get("/events/calendar?year=" + "9" * 30 + "&month=-1").status_code == 200


def test_home_page_lists_upcoming_events(client, make, people):
    _event(make, people, title="Kyiv study visit on the home page")
    _event(make, people, status="draft", title="Hidden draft")
    page = client.get("/").get_data(as_text=True)
    assert "Kyiv study visit on the home page" in page and "Hidden draft" not in page


def test_overlap_warning_is_flashed_but_does_not_block(login, make, people, db):
    make.event("Border workshop", starts_at=kyiv(2026, 10, 24, 9, 0), days=1, country="UA")
    organiser = login(people["creator"])
    response = organiser.post("/events/new", data=_event_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "overlaps with “Border workshop”" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Event.id).where(Event.title == "Study visit Kyiv")) is not None


def test_cloning_onto_a_clashing_date_warns_and_still_makes_the_draft(login, make, people, db):
    event = _event(make, people)
    make.event("Border workshop in Lviv", starts_at=kyiv(2027, 3, 5, 9, 0), days=1, country="UA")
    organiser = login(people["creator"])
    clear = organiser.post(f"/events/{event.id}/clone", data={"starts_on": "2027-05-04"}, follow_redirects=True)
    assert "overlaps with" not in clear.get_data(as_text=True)
    clash = organiser.post(f"/events/{event.id}/clone", data={"starts_on": "2027-03-04"}, follow_redirects=True)
    page = clash.get_data(as_text=True)
    assert clash.status_code == 200 and "A draft copy is ready" in page
    assert "overlaps with “Border workshop in Lviv” (05 Mar 2027)" in page
    db.session.rollback()
    assert len(db.session.scalars(select(Event).where(Event.title == "Kyiv study visit")).all()) == 3


def test_clone_and_series_through_the_pages(login, make, people, db):
    event = _event(make, people)
    organiser = login(people["creator"])
    assert organiser.post(f"/events/{event.id}/clone", data={"starts_on": "not a date"}).status_code == 422
    response = organiser.post(f"/events/{event.id}/clone", data={"starts_on": "2027-03-04"})
    assert response.status_code == 302
    assert organiser.post(f"/events/{event.id}/series", data={"rule": "weekly", "every_weeks": "0",
                                                               "count": "2", "nth": "1", "weekday": "0"}).status_code == 422
    assert organiser.post(f"/events/{event.id}/series", data={"rule": "monthly", "nth": "-1", "weekday": "4",
                                                               "count": "2"}).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Event.id).where(Event.id > event.id).order_by(Event.id.desc()).limit(1))
    assert len(db.session.scalars(select(Event)).all()) == 4


def test_edit_form_shows_local_times(login, make, people):
    event = _event(make, people)
    page = login(people["co_organiser"]).get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2026-10-23T09:00"' in page and 'value="2026-10-26T17:00"' in page


def test_every_post_form_on_the_event_page_carries_a_csrf_token(login, make, people):
    event = _event(make, people, status="draft")
    make.session(event, "Parallel room", starts_at=event.sessions[0].starts_at)  # moves exist only among parallels
    page = login(people["creator"]).get(f"/events/{event.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', page, flags=re.S)
    assert len(forms) >= 5  # publish, delete, move up, move down, delete session
    assert all('name="csrf_token"' in form for form in forms)


def test_clone_of_a_draft_is_404_for_outsiders_and_403_for_member_co_organisers(login, make, people, db):
    helper = make.user(role=Role.MEMBER)
    draft = _event(make, people, status="draft")
    draft.organisers.append(helper)
    db.session.commit()
    assert login(people["member"]).get(f"/events/{draft.id}/clone").status_code == 404
    assert login(people["other_organiser"]).get(f"/events/{draft.id}/series").status_code == 404
    assert login(helper).get(f"/events/{draft.id}/clone").status_code == 403
    assert login(helper).get(f"/events/{draft.id}/edit").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "member", "other_organiser"])
def test_every_planning_action_is_refused_to_outsiders(client, login, make, people, db, who):
    event = _event(make, people)
    draft = _event(make, people, status="draft")
    session_id = event.sessions[0].id
    browser = _client(client, login, people, who)
    posts = {
        f"/events/{event.id}/edit": _event_form(),
        f"/events/{draft.id}/publish": {},
        f"/events/{event.id}/cancel": {"reason": "Because"},
        f"/events/{draft.id}/delete": {},
        f"/events/{event.id}/clone": {"starts_on": "2027-01-01"},
        f"/events/{event.id}/series": {"rule": "weekly", "every_weeks": "1", "count": "2", "nth": "1", "weekday": "0"},
        f"/events/{event.id}/sessions/new": _session_form(),
        f"/events/{event.id}/sessions/{session_id}/edit": _session_form(),
        f"/events/{event.id}/sessions/{session_id}/move": {"direction": "down"},
        f"/events/{event.id}/sessions/{session_id}/delete": {},
    }
    if who != "other_organiser":  # any organiser may create events of their own
        posts["/events/new"] = _event_form()
    for url, data in posts.items():
        status = browser.post(url, data=data).status_code
        hidden = f"/events/{draft.id}/" in url and who != "anonymous"
        assert status == (404 if hidden else 403), (who, url, status)
    db.session.rollback()
    assert db.session.scalars(select(Event.status).order_by(Event.id)).all() == [EventStatus.PUBLISHED, EventStatus.DRAFT]
    assert db.session.scalars(select(Session.title).order_by(Session.id)).all() == ["Opening", "Opening"]
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_organisers_filter_their_own_events_drafts_included(login, make, people):
    _event(make, people, title="Mine published")
    _event(make, people, status="draft", title="Mine draft")
    make.event("Someone else's", starts_at=NOW + timedelta(days=10), created_by=people["other_organiser"])
    page = login(people["co_organiser"]).get("/events?mine=1").get_data(as_text=True)
    assert "Mine published" in page and "Mine draft" in page and "Someone else" not in page
    page = login(people["member"]).get("/events?mine=1").get_data(as_text=True)
    assert "Mine published" not in page and "Only events I organise" not in page
