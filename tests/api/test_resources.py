"""The API's resources do what the pages do, through the same services: events with the page's
filters and visibility, registering with its capacity and waiting list, the organiser's participant
operations, lessons, actions, summaries, reports; pages with links, ETags, Location on creates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.accounts.models import Role
from app.lessons.models import TLP
from app.timeutil import set_now

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_events_list_filters_pages_and_etag(app, make, api_as):
    set_now(NOW)
    for number in range(3):
        make.event(f"Workshop {number}", starts_at=NOW + timedelta(days=5 + number), country="UA")
    make.event("Visit", kind="study_visit", starts_at=NOW + timedelta(days=9), country="RO")
    make.event("Hidden draft", status="draft")
    api = api_as(make.user())
    page = api.get("/api/v1/events?per_page=2")
    assert page.status_code == 200
    body = page.json
    assert body["total"] == 4 and [e["title"] for e in body["items"]] == ["Workshop 0", "Workshop 1"]
    assert body["links"]["next"].endswith("page=2") and 'rel="next"' in page.headers["Link"]
    assert api.get("/api/v1/events?kind=study_visit").json["total"] == 1
    assert api.get("/api/v1/events?country=RO").json["items"][0]["title"] == "Visit"
    assert api.get("/api/v1/events?q=workshop%201").json["total"] == 1
    etag = page.headers["ETag"]
    again = api.get("/api/v1/events?per_page=2", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    bad = api.get("/api/v1/events?kind=party&per_page=0")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {(e["field"], e["location"]) for e in bad.json["errors"]} == {("kind", "query"), ("per_page", "query")}


def test_event_detail_has_its_agenda_and_hides_the_online_link(app, make, api_as):
    set_now(NOW)
    organiser = make.user(role=Role.ORGANISER)
    event = make.event("Hybrid", starts_at=NOW + timedelta(days=3), online_url="https://meet.example.org/x",
                       organisers=[organiser], created_by=organiser)
    make.session(event, "Opening")
    draft = make.event("Draft", status="draft", created_by=organiser)
    member = api_as(make.user())
    detail = member.get(f"/api/v1/events/{event.id}").json
    assert [s["title"] for s in detail["sessions"]] == ["Opening"] and detail["online_url"] is None
    assert api_as(organiser).get(f"/api/v1/events/{event.id}").json["online_url"] == "https://meet.example.org/x"
    assert member.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert api_as(organiser).get(f"/api/v1/events/{draft.id}").status_code == 200
    assert member.get(f"/api/v1/events/{event.id}/sessions").json[0]["title"] == "Opening"


def test_register_waitlist_cancel_and_promotion(app, make, api_as):
    set_now(NOW)
    event = make.event("Small", starts_at=NOW + timedelta(days=3), capacity=1)
    first, second = api_as(make.user()), api_as(make.user())
    refused = first.post(f"/api/v1/events/{event.id}/registration", json={"consent": False})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "consent"
    made = first.post(f"/api/v1/events/{event.id}/registration", json={"consent": True})
    assert made.status_code == 201 and made.json["status"] == "confirmed"
    assert made.headers["Location"] == f"/api/v1/events/{event.id}/registration"
    assert first.get(made.headers["Location"]).json["status"] == "confirmed"
    waiting = second.post(f"/api/v1/events/{event.id}/registration", json={"consent": True})
    assert waiting.json["status"] == "waitlisted" and waiting.json["waitlist_position"] == 1
    assert first.delete(f"/api/v1/events/{event.id}/registration").json["status"] == "cancelled"
    assert second.get(f"/api/v1/events/{event.id}/registration").json["status"] == "confirmed"
    assert first.delete(f"/api/v1/events/{event.id}/registration").status_code == 409
    mine = second.get("/api/v1/me/registrations").json
    assert [r["event_id"] for r in mine["items"]] == [event.id]


def test_session_signup(app, make, api_as):
    set_now(NOW)
    event = make.event("With sessions", starts_at=NOW + timedelta(days=3))
    session = make.session(event, "Training", has_signup=True, capacity=5)
    user = make.user()
    api = api_as(user)
    assert api.post(f"/api/v1/sessions/{session.id}/signup").status_code == 409  # not registered
    make.registration(event, user)
    signed = api.post(f"/api/v1/sessions/{session.id}/signup")
    assert signed.status_code == 200 and signed.json["status"] == "confirmed"
    assert api.delete(f"/api/v1/sessions/{session.id}/signup").status_code == 200


def test_organiser_lists_adds_approves_and_checks_in(app, make, api_as):
    set_now(NOW)
    organiser = make.user(role=Role.ORGANISER)
    event = make.event("Approval", starts_at=NOW - timedelta(hours=1), days=2, registration_mode="approval",
                       organisers=[organiser], created_by=organiser)
    pending_user, added_user = make.user(name="Pending Person"), make.user(email="added@example.org")
    pending = make.registration(event, pending_user, status="pending", dietary_needs="vegan")
    api = api_as(organiser)
    listed = api.get(f"/api/v1/events/{event.id}/participants").json
    assert listed["items"][0]["dietary_needs"] == "vegan"
    approved = api.post(f"/api/v1/events/{event.id}/participants/{pending.id}/approve")
    assert approved.status_code == 200 and approved.json["status"] == "confirmed"
    added = api.post(f"/api/v1/events/{event.id}/participants", json={"email": "ADDED@example.org"})
    assert added.status_code == 201 and added.json["email"] == "added@example.org"
    assert api.get(added.headers["Location"]).json["status"] == "confirmed"
    again = api.post(f"/api/v1/events/{event.id}/participants", json={"email": "added@example.org"})
    assert again.status_code == 422 and again.json["errors"][0]["field"] == "email"
    checked = api.post(f"/api/v1/events/{event.id}/participants/{pending.id}/check-in", json={})
    assert checked.status_code == 200 and checked.json["checked_in_at"]
    assert api.post(f"/api/v1/events/{event.id}/participants/{pending.id}/check-in",
                    json={"day": "2020-01-01"}).status_code == 422
    # Only on the day itself: tomorrow not yet; a day already past as a confirmed late correction.
    added_path = f"/api/v1/events/{event.id}/participants/{added.json['id']}/check-in"
    first_day, second_day = (NOW - timedelta(hours=1)).date(), NOW.date() + timedelta(days=1)
    assert api.post(added_path, json={"day": second_day.isoformat()}).status_code == 409
    set_now(NOW + timedelta(days=1))
    assert api.post(added_path, json={"day": first_day.isoformat()}).status_code == 409
    assert api.post(added_path, json={"day": first_day.isoformat(), "late_correction": True}).status_code == 200
    set_now(NOW)
    coordinator = api_as(make.user(role=Role.COORDINATOR))
    assert coordinator.get(f"/api/v1/events/{event.id}/participants").json["items"][0]["dietary_needs"] is None
    assert api_as(make.user()).get(f"/api/v1/events/{event.id}/participants").status_code == 403
    del added_user


def test_lessons_search_create_submit_respect_the_marking(app, make, api_as):
    set_now(NOW)
    organiser = make.user(role=Role.ORGANISER)
    event = make.event("Past", starts_at=NOW - timedelta(days=3), organisers=[organiser], created_by=organiser)
    red = make.lesson(event, organiser, title="Red entry", tlp=TLP.RED)
    green = make.lesson(event, organiser, title="Green entry", tlp=TLP.GREEN)
    member = api_as(make.user())
    titles = {e["title"] for e in member.get("/api/v1/lessons").json["items"]}
    assert "Green entry" in titles and "Red entry" not in titles
    assert member.get(f"/api/v1/lessons/{red.id}").status_code == 404
    assert member.get(f"/api/v1/lessons/{green.id}").status_code == 200
    api = api_as(organiser)
    created = api.post("/api/v1/lessons", json={"event_id": event.id, "kind": "lesson", "title": "From the API",
                                                "tlp": "amber", "observation": "What happened",
                                                "analysis": "Why", "recommendation": "What to change"})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft"
    submitted = api.post(created.headers["Location"] + "/submit", json={})
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    refused = member.post("/api/v1/lessons", json={"event_id": event.id, "kind": "lesson", "title": "No"})
    assert refused.status_code == 403
    missing = api.post("/api/v1/lessons", json={"event_id": 999999, "kind": "lesson", "title": "x"})
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "event_id"


def test_my_actions_and_status_update(app, make, api_as):
    set_now(NOW)
    owner = make.user()
    event = make.event("Origin", starts_at=NOW - timedelta(days=3))
    action = make.action(owner, NOW.date() + timedelta(days=3), "Write the guide", event=event)
    api = api_as(owner)
    assert [a["title"] for a in api.get("/api/v1/me/actions").json["items"]] == ["Write the guide"]
    changed = api.patch(f"/api/v1/actions/{action.id}", json={"status": "in_progress", "note": "Started"})
    assert changed.status_code == 200 and changed.json["status"] == "in_progress"
    assert api.patch(f"/api/v1/actions/{action.id}", json={}).status_code == 422
    assert api_as(make.user()).patch(f"/api/v1/actions/{action.id}", json={"status": "done"}).status_code == 404


def test_reports_for_organisers_and_coordinators_only(app, make, api_as):
    set_now(NOW)
    coordinator = api_as(make.user(role=Role.COORDINATOR))
    report = coordinator.get("/api/v1/reports/participation?date_from=2026-01-01")
    assert report.status_code == 200 and report.json["tables"]
    assert api_as(make.user()).get("/api/v1/reports/participation").status_code == 403
    bad = coordinator.get("/api/v1/reports/participation?date_from=2026-02-01&date_to=2026-01-01")
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "date_to"
