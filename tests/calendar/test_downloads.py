"""Downloads: /events/<id>.ics (with and without sessions) and /sessions/<id>.ics."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.calendar.parsers import parse_all
from tests.querycount import cold_statements

START = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # the weekend Europe changes back to winter time


def _event(make, **kw):
    organiser = kw.pop("organiser", None) or make.user(role="organiser")
    values = dict(title="Study visit to Europol", starts_at=START, days=2, timezone="Europe/Kyiv",
                  venue="Europol HQ", city="The Hague", country="NL", online_url="https://meet.example.org/secret-room",
                  format="hybrid", created_by=organiser)
    values.update(kw)
    return make.event(**values), organiser


def test_event_download_is_a_publish_calendar_with_stable_uid(client, make, app):
    event, _ = _event(make)
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    for name, calendars in parse_all(response.data).items():
        assert calendars[0]["method"] == "PUBLISH", name
        (entry,) = calendars[0]["events"]
        assert entry["uid"] == f"{event.uid}@liaison.test", name
        assert entry["sequence"] == 0
        assert entry["status"] == "CONFIRMED"
        assert entry["start"] == START and entry["end"] == event.ends_at
        assert entry["url"] == f"http://liaison.test/events/{event.id}"
        assert "Europol HQ" in entry["location"]
        assert "secret-room" not in (entry["description"] or "") + (entry["location"] or ""), name
    again = client.get(f"/events/{event.id}.ics")
    assert parse_all(again.data)["vobject"][0]["events"][0]["uid"] == f"{event.uid}@liaison.test"


def test_sessions_come_as_their_own_entries_linked_to_the_event(client, make):
    event, _ = _event(make)
    first = make.session(event, "Opening — Відкриття", starts_at=START, hours=1, room="Room A")
    second = make.session(event, "Panel; cyber, crime", starts_at=datetime(2026, 10, 25, 8, 0, tzinfo=UTC), hours=2)
    plain = client.get(f"/events/{event.id}.ics")
    assert len(parse_all(plain.data)["vobject"][0]["events"]) == 1
    response = client.get(f"/events/{event.id}.ics?sessions=1")
    for name, calendars in parse_all(response.data).items():
        events = {e["uid"]: e for e in calendars[0]["events"]}
        assert len(events) == 3, name
        for item in (first, second):
            got = events[f"session-{item.uid}@liaison.test"]
            assert got["related_to"] == f"{event.uid}@liaison.test"
            assert got["start"] == item.starts_at and got["end"] == item.ends_at, name
        assert events[f"session-{first.uid}@liaison.test"]["summary"].startswith("Opening — Відкриття")
        assert "Room A" in events[f"session-{first.uid}@liaison.test"]["location"]

    single = client.get(f"/sessions/{second.id}.ics")
    assert single.status_code == 200
    for name, calendars in parse_all(single.data).items():
        (entry,) = calendars[0]["events"]
        assert entry["uid"] == f"session-{second.uid}@liaison.test", name
        assert entry["summary"].startswith("Panel; cyber, crime"), name


def test_drafts_are_not_found_for_others_but_organisers_get_them(client, make, login):
    event, organiser = _event(make, status="draft")
    session = make.session(event)
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    assert client.get(f"/sessions/{session.id}.ics").status_code == 404
    stranger = login(make.user())
    assert stranger.get(f"/events/{event.id}.ics").status_code == 404
    assert stranger.get(f"/sessions/{session.id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
    assert client.get("/sessions/999999.ics").status_code == 404
    own = login(organiser)
    response = own.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert parse_all(response.data)["ical.js"][0]["events"][0]["status"] == "TENTATIVE"


def test_online_link_only_for_confirmed_participants_and_organisers(make, login, cal):
    event, organiser = _event(make, format="online", venue=None, city=None, country=None)
    confirmed, waitlisted = make.user(), make.user()
    make.registration(event, confirmed, "confirmed")
    make.registration(event, waitlisted, "waitlisted")
    for user, sees in ((confirmed, True), (organiser, True), (waitlisted, False), (make.user(), False)):
        body = login(user).get(f"/events/{event.id}.ics").data.decode().replace("\r\n ", "")
        assert ("meet.example.org/secret-room" in body) is sees, user.email


def test_all_day_variant_on_request(client, make):
    event, _ = _event(make)
    response = client.get(f"/events/{event.id}.ics?all_day=1")
    for name, calendars in parse_all(response.data).items():
        (entry,) = calendars[0]["events"]
        assert entry["is_date"] is True, name
        # 24 Oct 10:00 Kyiv - 26 Oct 08:00 Kyiv: three calendar days, exclusive end on the 27th.
        assert (str(entry["start"]), str(entry["end"])) == ("2026-10-24", "2026-10-27"), name


def test_descriptions_are_plain_text_not_markdown(client, make):
    # Calendar clients show DESCRIPTION as plain text: "**Programme**" would appear with its stars.
    description = ("**Programme**\n\nDay 1: *arrival* and a [tour of the lab](https://europol.example/lab).\n\n"
                   "- Opening\n- Case study from **Moldova**\n")
    event, _ = _event(make, description=description)
    make.session(event, "Opening", starts_at=START, hours=1, description="## Goals\n\n1. Map **gaps**")
    response = client.get(f"/events/{event.id}.ics?sessions=1")
    for name, calendars in parse_all(response.data).items():
        texts = [entry["description"] or "" for entry in calendars[0]["events"]]
        event_text = next(text for text in texts if "Programme" in text)
        assert "Programme\n\nDay 1: arrival and a tour of the lab (https://europol.example/lab)." in event_text, name
        assert "- Opening\n- Case study from Moldova" in event_text, name
        session_text = next(text for text in texts if "Goals" in text)
        assert "Goals\n\n1. Map gaps" in session_text, name
        assert not any("**" in text or "##" in text or "](" in text for text in texts), name


def test_a_draft_s_download_follows_who_may_see_it_in_one_statement(app, make, login, cold):
    co_organiser = make.user(role="organiser")
    event, organiser = _event(make, status="draft", organisers=[co_organiser])
    make.session(event, "Opening", starts_at=START, hours=1)
    for user, status in ((organiser, 200), (co_organiser, 200), (make.user(role="admin"), 200),
                         (make.user(role="coordinator"), 404), (make.user(), 404)):
        assert login(user).get(f"/events/{event.id}.ics").status_code == status, user.role
    # The reader, then the event with whether they see its online link (and the sessions when asked).
    statements, body = cold_statements(app, login(co_organiser), f"/events/{event.id}.ics")
    assert len(statements) == 2, statements
    statements, body = cold_statements(app, login(co_organiser), f"/events/{event.id}.ics?sessions=1")
    assert len(statements) == 3 and "secret-room" in body and "Opening" in body, statements
