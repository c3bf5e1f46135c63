"""Registration closing, post-event requests and the weekly digests: who gets what, once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.lessons.models import TLP, ActionStatus, LessonStatus
from app.registrations.models import RegistrationStatus
from app.scheduler.jobs.closing import run_registration_closing
from app.scheduler.jobs.digests import run_action_digest, run_coordinator_digest, week_slot
from app.scheduler.jobs.post_event import run_post_event
from app.timeutil import set_now
from tests.factories import action, attendance_day
from tests.factories import registration as register
from tests.scheduler.outbox import attachment, outbox, who_got
from tests.scheduler.reminder_uk import catalog_installed

START = datetime(2026, 5, 12, 7, 0, tzinfo=UTC)  # Tuesday 09:00 in Brussels (CEST)
CLOSES = datetime(2026, 5, 5, 22, 0, tzinfo=UTC)


@pytest.fixture
def event_with_organisers(make):
    set_now(START - timedelta(days=40))
    creator = make.user(role="organiser", name="Creator")
    co_organiser = make.user(role="organiser", name="Co-organiser")
    make.user(role="coordinator", name="Coordinator not organising")
    event = make.event("Study visit to Europol", starts_at=START, days=2, created_by=creator,
                       organisers=[co_organiser], registration_closes_at=CLOSES,
                       registration_opens_at=START - timedelta(days=40))
    return event, creator, co_organiser


# --- registration closing --------------------------------------------------------------------------


def test_registration_closing_sends_organisers_the_final_list_once(app, db, make, event_with_organisers):
    event, creator, co_organiser = event_with_organisers
    organisation = make.organisation("Polícia Judiciária", country="PT")
    ana = make.user(name="Ana", organisation=organisation, country="PT")
    ben = make.user(name="=HYPERLINK(\"x\")")
    gone = make.user(name="Gone")
    register(event, ana, dietary_needs="vegetarian", needs_visa_letter=True)
    register(event, ben, status=RegistrationStatus.WAITLISTED)
    register(event, gone, status=RegistrationStatus.CANCELLED)

    assert run_registration_closing(CLOSES - timedelta(minutes=1)).sent == 0
    result = run_registration_closing(CLOSES)
    assert result.sent == 2 and result.ok
    assert who_got() == sorted([(creator.id, "registration_closed"), (co_organiser.id, "registration_closed")])
    db.session.refresh(event)
    assert event.registration_closed_notified_at == CLOSES

    assert run_registration_closing(CLOSES + timedelta(hours=1)).sent == 0
    assert len(outbox()) == 2

    message = outbox()[0]
    assert message.subject == "Registration closed: Study visit to Europol - final participant list"
    assert "Confirmed:             1" in message.text_body
    assert "On the waiting list:   1" in message.text_body
    rows = list(csv.DictReader(io.StringIO(attachment(message, "text/csv"))))
    assert [(r["Name"], r["Status"]) for r in rows] == [("Ana", "Confirmed"), ("'=HYPERLINK(\"x\")", "On the waiting list")]
    assert rows[0]["Organisation"] == "Polícia Judiciária"
    assert rows[0]["Dietary needs"] == "vegetarian" and rows[0]["Needs a visa letter"] == "yes"


def test_each_organiser_gets_the_final_list_in_their_language(app, db, make, event_with_organisers, tmp_path):
    event, creator, co_organiser = event_with_organisers
    co_organiser.language = "uk"
    register(event, make.user(name="Ana"), needs_visa_letter=True)
    db.session.commit()
    words = {"Name": "Ім'я", "Status": "Статус", "Needs a visa letter": "Потрібен візовий лист", "yes": "так",
             "Confirmed:": "Підтверджено:"}
    with catalog_installed(app, tmp_path, "uk", words):
        run_registration_closing(CLOSES)
    lists = {m.recipient_user_id: (m, list(csv.DictReader(io.StringIO(attachment(m, "text/csv"))))) for m in outbox()}
    message, (row,) = lists[co_organiser.id]
    # (The status is RegistrationStatus's label: translated once app.registrations marks it with _l.)
    assert (row["Ім'я"], row["Потрібен візовий лист"]) == ("Ana", "так") and "Статус" in row
    assert "Підтверджено:          1" in message.text_body
    _message, (row,) = lists[creator.id]
    assert (row["Name"], row["Status"], row["Needs a visa letter"]) == ("Ana", "Confirmed", "yes")


def test_no_final_list_for_cancelled_events_or_events_already_over(app, db, make, event_with_organisers):
    event, creator, _ = event_with_organisers
    event.status = "cancelled"
    db.session.commit()
    assert run_registration_closing(CLOSES).sent == 0

    past = make.event("Over", starts_at=START - timedelta(days=60), created_by=creator,
                      registration_closes_at=START - timedelta(days=61))
    assert run_registration_closing(START).sent == 0
    assert past.registration_closed_notified_at is None


def test_moving_the_closing_time_is_followed(app, db, event_with_organisers):
    event, _, _ = event_with_organisers
    event.registration_closes_at = CLOSES + timedelta(days=2)
    db.session.commit()
    assert run_registration_closing(CLOSES).sent == 0
    assert run_registration_closing(CLOSES + timedelta(days=2)).sent == 2


# --- after the event -------------------------------------------------------------------------------


def test_after_the_event_checked_in_attendees_are_asked_and_organisers_reminded(
        app, db, make, event_with_organisers):
    event, creator, co_organiser = event_with_organisers
    came = make.user(name="Came")
    came_one_day = make.user(name="Came one day")
    no_show = make.user(name="No show")
    cancelled = make.user(name="Cancelled")
    register(event, came, checked_in_at=START)
    partial = register(event, came_one_day)
    attendance_day(partial, date(2026, 5, 13), START + timedelta(days=1))
    db.session.commit()
    register(event, no_show)
    register(event, cancelled, status=RegistrationStatus.CANCELLED)
    ends = event.ends_at

    assert run_post_event(ends - timedelta(minutes=1)).sent == 0
    result = run_post_event(ends)
    assert result.ok
    assert who_got() == sorted([
        (came.id, "feedback_request"), (came_one_day.id, "feedback_request"),
        (creator.id, "record_lessons"), (co_organiser.id, "record_lessons"),
    ])
    assert run_post_event(ends + timedelta(hours=1)).sent == 0
    assert len(outbox()) == 4

    request = next(m for m in outbox("feedback_request") if m.recipient_user_id == came.id)
    assert f"http://liaison.test/events/{event.id}/feedback" in request.text_body
    assert f"http://liaison.test/events/{event.id}/lessons/new" in request.text_body
    assert f'href="http://liaison.test/events/{event.id}/feedback"' in request.html_body
    reminder = outbox("record_lessons")[0]
    assert reminder.subject == "Study visit to Europol has ended - please record its lessons"
    assert f"http://liaison.test/events/{event.id}/lessons/new" in reminder.text_body


def test_without_any_check_in_every_confirmed_participant_is_asked(app, db, make, event_with_organisers):
    event, creator, co_organiser = event_with_organisers
    first, second = make.user(), make.user()
    register(event, first)
    register(event, second)
    register(event, make.user(), status=RegistrationStatus.WAITLISTED)
    run_post_event(event.ends_at + timedelta(hours=2))
    assert sorted(uid for uid, kind in who_got() if kind == "feedback_request") == sorted([first.id, second.id])


def test_no_post_event_messages_for_cancelled_or_long_past_events(app, db, make, event_with_organisers):
    event, creator, _ = event_with_organisers
    register(event, make.user())
    event.status = "cancelled"
    db.session.commit()
    assert run_post_event(event.ends_at + timedelta(hours=1)).sent == 0
    old = make.event("Last year", starts_at=START - timedelta(days=400), created_by=creator)
    register(old, make.user())
    assert run_post_event(START).sent == 0


# --- weekly digests --------------------------------------------------------------------------------

MONDAY_7 = datetime(2026, 5, 18, 5, 0, tzinfo=UTC)  # Monday 07:00 in Brussels (CEST)


def test_week_slot_is_monday_seven_in_the_default_zone(app):
    assert week_slot(MONDAY_7) == MONDAY_7
    assert week_slot(MONDAY_7 - timedelta(minutes=1)) == MONDAY_7 - timedelta(days=7)
    assert week_slot(MONDAY_7 + timedelta(days=3)) == MONDAY_7


def test_action_owners_get_a_weekly_digest_of_due_and_overdue_actions(app, db, make):
    set_now(MONDAY_7 - timedelta(days=30))
    owner = make.user(name="Owner")
    relaxed = make.user(name="Nothing due soon")
    event = make.event("Workshop", starts_at=MONDAY_7 - timedelta(days=20))
    today = date(2026, 5, 18)
    action(owner, today - timedelta(days=2), "Share the checklist", event=event)
    action(owner, today + timedelta(days=10), "Draft the MoU", event=event, status=ActionStatus.IN_PROGRESS)
    action(owner, today + timedelta(days=30), "Far away", event=event)
    action(owner, today - timedelta(days=5), "Already done", event=event, status=ActionStatus.DONE)
    action(relaxed, today + timedelta(days=30), "Later", event=event)

    assert run_action_digest(MONDAY_7).sent == 1
    assert who_got() == [(owner.id, "action_digest")]
    message = outbox()[0]
    assert message.subject == "Your follow-up actions: 1 overdue, 1 due soon"
    assert "Share the checklist (due 16 May 2026; Workshop)" in message.text_body
    assert "Draft the MoU" in message.text_body
    assert "Far away" not in message.text_body and "Already done" not in message.text_body

    # Hourly runs during the week add nothing; the next Monday brings the next digest.
    assert run_action_digest(MONDAY_7 + timedelta(hours=1)).sent == 0
    assert run_action_digest(MONDAY_7 + timedelta(days=6, hours=23)).sent == 0
    assert run_action_digest(MONDAY_7 + timedelta(days=7)).sent == 1
    assert len(outbox()) == 2


def test_a_digest_missed_during_downtime_is_sent_once_when_the_scheduler_returns(app, db, make):
    set_now(MONDAY_7 - timedelta(days=30))
    owner = make.user()
    event = make.event(starts_at=MONDAY_7 - timedelta(days=20))
    action(owner, date(2026, 5, 20), event=event)
    # Down all Monday; back on Wednesday: one digest, not one per missed hour.
    assert run_action_digest(MONDAY_7 + timedelta(days=2)).sent == 1
    assert run_action_digest(MONDAY_7 + timedelta(days=2, hours=1)).sent == 0


def test_coordinators_get_a_weekly_digest(app, db, make):
    set_now(MONDAY_7 - timedelta(days=30))
    coordinator = make.user(role="coordinator", name="Coordinator", language="en")
    make.user(role="coordinator", is_active_account=False)
    make.user(role="admin")
    make.user(role="organiser")
    past = make.event("Past workshop", starts_at=MONDAY_7 - timedelta(days=10))
    make.event("Soon", starts_at=MONDAY_7 + timedelta(days=10))
    make.event("Much later", starts_at=MONDAY_7 + timedelta(days=45))
    make.event("Draft soon", starts_at=MONDAY_7 + timedelta(days=5), status="draft")
    make.lesson(past, title="Joint investigation teams need earlier legal advice", status=LessonStatus.SUBMITTED)
    make.lesson(past, title="Informant handling details", status=LessonStatus.SUBMITTED, tlp=TLP.RED)
    make.lesson(past, title="Border crossing schedules", status=LessonStatus.SUBMITTED, tlp=TLP.AMBER)
    make.lesson(past, title="Still a draft", status=LessonStatus.DRAFT)
    action(None, date(2026, 5, 1), event=past)

    assert run_coordinator_digest(MONDAY_7).sent == 1
    assert who_got() == [(coordinator.id, "coordinator_digest")]
    message = outbox()[0]
    assert message.subject == (
        "Weekly digest: 2 lessons to validate, 1 upcoming event, 1 open action"
    )
    assert "Joint investigation teams need earlier legal advice" in message.text_body
    # The RED entry is not the coordinator's to know of (not counted, not named); the AMBER one
    # they may validate is named without its title (email is a weaker channel than the site).
    assert "Informant handling details" not in message.text_body + message.html_body
    assert "TLP:RED" not in message.text_body + message.html_body
    assert "Border crossing schedules" not in message.text_body + message.html_body
    assert "an entry marked TLP:AMBER from Past workshop" in message.text_body
    assert "Soon" in message.text_body and "Much later" not in message.text_body
    assert "Draft soon" not in message.text_body
    assert "Open follow-up actions: 1 (1 overdue)" in message.text_body

    assert run_coordinator_digest(MONDAY_7 + timedelta(hours=5)).sent == 0


def test_no_coordinator_digest_in_an_empty_week(app, db, make):
    make.user(role="coordinator")
    assert run_coordinator_digest(MONDAY_7).sent == 0
    assert outbox() == []


def test_markers_make_jobs_safe_to_run_twice_at_the_same_instant(app, db, make, event_with_organisers):
    event, _, _ = event_with_organisers
    register(event, make.user())
    for _ in range(2):
        run_registration_closing(event.ends_at - timedelta(hours=1))
        run_post_event(event.ends_at + timedelta(hours=1))
    assert sorted(kind for _, kind in who_got()) == sorted(
        ["registration_closed"] * 2 + ["feedback_request"] + ["record_lessons"] * 2
    )
    from app.registrations.models import Registration

    registration = db.session.scalar(select(Registration))
    assert registration.feedback_requested_at == event.ends_at + timedelta(hours=1)
