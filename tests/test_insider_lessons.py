"""Need-to-know, checked against an insider (issue 16): a signed-in coordinator, organiser or action
owner tries each way round the TLP rule for lessons, follow-up actions and email, and is stopped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.events import planning
from app.events.errors import EventError
from app.events.models import EventStatus
from app.extensions import db
from app.lessons import workflow
from app.lessons.models import TLP, Lesson, LessonStatus
from app.notifications.models import OutboxMessage
from app.reports.builders import dashboard_report
from app.reports.scope import ReportFilter
from app.scheduler.jobs.digests import run_action_digest, run_coordinator_digest
from app.timeutil import set_now
from tests.events.test_services import values
from tests.factories import action as make_action
from tests.factories import lesson as make_lesson
from tests.querycount import QueryCounter

CREATED = datetime(2026, 10, 1, 9, tzinfo=UTC)
AFTER = datetime(2026, 11, 2, 9, tzinfo=UTC)  # the event (23-26 October) is over
MONDAY_7 = datetime(2026, 11, 9, 6, 0, tzinfo=UTC)  # 07:00 in Brussels (winter time)
TITLE = "Undercover officer ORIOLE-5520 exposed"
BODY = "Handler phone ends 0417-22"
ACTION = "Replace the burnt SIM cards"


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}


@pytest.fixture
def world(app, make):
    set_now(CREATED)
    creator = make.user(Role.ORGANISER, name="Creator")
    coordinator = make.user(Role.COORDINATOR, name="Coordinator")
    admin = make.user(Role.ADMIN, name="Admin")
    author = make.user(name="Author")
    event = planning.create_event(creator, values()).event
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    set_now(AFTER)
    make.attendee(event, author)
    red = make_lesson(event, author, tlp=TLP.RED, title=TITLE, observation=BODY)
    return {"creator": creator, "coordinator": coordinator, "admin": admin, "author": author,
            "event": event, "red": red}


def _blind_to_red(client, red) -> None:
    assert client.get(f"/lessons/{red.id}").status_code == 404
    for url in ("/lessons/", "/lessons/?q=ORIOLE", f"/lessons/?event={red.event_id}"):
        html = client.get(url).get_data(as_text=True)
        assert red.id not in _ids(html) and TITLE not in html and BODY not in html, url


def test_coordinator_appoints_themself_co_organiser_to_read_red(login, world):
    coordinator, event, red = world["coordinator"], world["event"], world["red"]
    with pytest.raises(EventError):
        planning.update_event(coordinator, event, values(), [coordinator.id])
    db.session.refresh(event)
    assert coordinator not in event.organisers
    _blind_to_red(login(coordinator), red)


def test_co_organiser_appointed_later_reads_red_marked_before(login, world):
    coordinator, event, red = world["coordinator"], world["event"], world["red"]
    set_now(AFTER + timedelta(hours=1))
    planning.update_event(world["admin"], event, values(), [coordinator.id])  # appointed properly
    db.session.refresh(event)
    assert coordinator in event.organisers
    client = login(coordinator)
    _blind_to_red(client, red)
    assert TITLE not in client.get(f"/events/{event.id}/wrap-up/export/md").get_data(as_text=True)
    # The creator, an organiser when it was marked, still reads it.
    assert BODY in login(world["creator"]).get(f"/lessons/{red.id}").get_data(as_text=True)


def test_owner_of_an_action_on_a_red_entry_does_not_see_the_entry_title(login, world, make):
    owner = make.user(name="Owner")
    red = world["red"]
    action = make_action(owner, date(2026, 11, 1), ACTION, lesson=red)
    client = login(owner)
    page = client.get(f"/lessons/actions/{action.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ACTION in html and "an entry marked TLP:RED from Study visit to the cyber unit" in html
    assert TITLE not in html and BODY not in html and f"/lessons/{red.id}\"" not in html
    mine = client.get("/lessons/my-actions").get_data(as_text=True)
    assert ACTION in mine and TITLE not in mine
    assert "an entry marked TLP:RED" in mine
    _blind_to_red(client, red)
    # They keep their action up to date.
    assert client.post(f"/lessons/actions/{action.id}", data={"status": "in_progress", "note": ""}).status_code == 302


def test_overdue_list_and_dashboard_counts_do_not_leak_hidden_actions(login, world, make):
    owner, coordinator, red = make.user(name="Owner"), world["coordinator"], world["red"]
    event = world["event"]
    visible = make_lesson(event, world["author"], tlp=TLP.GREEN, title="Radios", status=LessonStatus.ACTIONED)
    make_action(owner, date(2026, 10, 30), "Visible overdue action", lesson=visible)
    hidden = make_action(owner, date(2026, 10, 30), ACTION, lesson=red)
    client = login(coordinator)
    assert client.get(f"/lessons/actions/{hidden.id}").status_code == 404
    with QueryCounter(db.engine) as counter:
        overview = client.get("/lessons/actions?overdue=1").get_data(as_text=True)
    assert "Visible overdue action" in overview and ACTION not in overview
    assert 'data-testid="overdue-count">1 overdue<' in overview
    assert client.get("/lessons/actions").get_data(as_text=True).count("data-overdue=\"1\"") == 1
    for viewer in (coordinator, world["creator"]):
        report = dashboard_report(viewer, ReportFilter())
        titles = [a["title"] for a in report.overdue_actions]
        assert ACTION not in titles or viewer is world["creator"]
    assert dashboard_report(coordinator, ReportFilter()).figure("Overdue follow-up actions") == 1
    # The creator (in the RED audience) counts both.
    assert dashboard_report(world["creator"], ReportFilter()).figure("Overdue follow-up actions") == 2
    # More hidden actions add no statement to the overview (no query per row).
    for n in range(5):
        make_action(owner, date(2026, 10, 30), f"Hidden {n}", lesson=red)
    with QueryCounter(db.engine) as again:
        client.get("/lessons/actions?overdue=1")
    assert again.count == counter.count


def test_digest_email_does_not_leak_the_red_title(world, make):
    owner, red = make.user(name="Owner"), world["red"]
    make_lesson(world["event"], world["author"], tlp=TLP.RED, title=f"{TITLE} (waiting)",
                status=LessonStatus.SUBMITTED)
    make_action(owner, date(2026, 11, 12), ACTION, lesson=red)
    set_now(MONDAY_7)
    assert run_action_digest(MONDAY_7).sent == 1
    assert run_coordinator_digest(MONDAY_7).sent == 0  # nothing the coordinator may know of
    db.session.rollback()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.kind for m in messages] == ["action_digest"]
    for message in messages:
        text = f"{message.subject}\n{message.text_body}\n{message.html_body}"
        assert TITLE not in text and "ORIOLE" not in text and BODY not in text
        assert ACTION in text and "an entry marked TLP:RED" in text


def test_lower_a_marking_you_cannot_see(login, world):
    coordinator, red = world["coordinator"], world["red"]
    response = login(coordinator).post(f"/lessons/{red.id}/marking",
                                       data={"tlp": "clear", "comment": "Nothing sensitive"})
    assert response.status_code == 404
    with pytest.raises(workflow.LessonError):
        workflow.change_marking(red, coordinator, TLP.CLEAR, "Nothing sensitive")
    db.session.rollback()
    assert db.session.get(Lesson, red.id).tlp == TLP.RED
