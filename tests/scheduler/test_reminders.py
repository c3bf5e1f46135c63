"""Reminders before events: who gets what, when, once; across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.calendar import itip
from app.registrations.models import RegistrationStatus
from app.scheduler.jobs.reminders import due_reminder_days, reminder_instant, run_reminders
from app.timeutil import set_now
from tests.calendar.parsers import libical
from tests.factories import registration as register
from tests.scheduler.outbox import attachment, outbox, who_got
from tests.scheduler.reminder_uk import REMINDER_UK, catalog_installed

START = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # a Friday, 10:00 in Brussels (CET)


@pytest.fixture
def people(make):
    set_now(START - timedelta(days=30))
    organiser = make.user(role="organiser", name="Organiser")
    event = make.event("Cross-border cybercrime workshop", starts_at=START, days=1, created_by=organiser,
                       timezone="Europe/Brussels", venue="Europol HQ", city="The Hague", country="NL",
                       reminder_days="7,1")
    olena = make.user(name="Olena", timezone="Europe/Kyiv", language="uk")
    jan = make.user(name="Jan", timezone="Europe/Brussels")
    cancelled = make.user(name="Cancelled")
    waiting = make.user(name="Waiting")
    register(event, olena)
    register(event, jan)
    register(event, cancelled, status=RegistrationStatus.CANCELLED)
    register(event, waiting, status=RegistrationStatus.WAITLISTED)
    return event, olena, jan


@pytest.fixture
def ukrainian(app, tmp_path):
    """The reminder's Ukrainian wording as a catalog (tests/scheduler/reminder_uk.py)."""
    with catalog_installed(app, tmp_path, "uk", REMINDER_UK):
        yield


def test_seven_and_one_day_reminders_go_to_confirmed_participants_once(app, db, people, ukrainian):
    event, olena, jan = people

    assert run_reminders(START - timedelta(days=7, minutes=1)).sent == 0
    assert outbox() == []

    result = run_reminders(START - timedelta(days=7))
    assert result.sent == 2 and result.ok
    assert who_got() == sorted([(olena.id, "reminder"), (jan.id, "reminder")])
    # Running again, or a little later, sends nothing twice.
    assert run_reminders(START - timedelta(days=7)).sent == 0
    assert run_reminders(START - timedelta(days=3)).sent == 0
    assert len(outbox()) == 2

    assert run_reminders(START - timedelta(days=1)).sent == 2
    assert run_reminders(START - timedelta(hours=2)).sent == 0
    assert run_reminders(START + timedelta(hours=1)).sent == 0
    subjects = sorted(m.subject for m in outbox())
    assert subjects == sorted([
        "Reminder: Cross-border cybercrime workshop starts in 7 days",
        "Reminder: Cross-border cybercrime workshop starts tomorrow",
        "Нагадування: «Cross-border cybercrime workshop» починається через 7 днів",
        "Нагадування: «Cross-border cybercrime workshop» починається завтра",
    ])


def test_reminder_shows_event_and_recipient_time_place_link_and_ics(app, db, people, ukrainian):
    event, olena, jan = people
    run_reminders(START - timedelta(days=1))
    for_jan = next(m for m in outbox() if m.recipient_user_id == jan.id)
    for_olena = next(m for m in outbox() if m.recipient_user_id == olena.id)

    assert "Friday 20 March 2026, 10:00 CET (Europe/Brussels)" in for_jan.text_body
    assert "Your time" not in for_jan.text_body  # same zone as the event
    assert "Europol HQ, The Hague, Netherlands" in for_jan.text_body
    assert f"http://liaison.test/events/{event.id}" in for_jan.text_body
    assert f'href="http://liaison.test/events/{event.id}"' in for_jan.html_body
    assert "Friday 20 March 2026, 10:00 CET" in for_jan.html_body

    # In Ukrainian, with the time in the event's zone and in hers.
    assert "Вітаємо, Olena!" in for_olena.text_body
    assert "пʼятниця, 20 березня 2026\u202fр., 10:00 CET (Europe/Brussels)" in for_olena.text_body
    assert "пʼятниця, 20 березня 2026\u202fр., 11:00 EET (Europe/Kyiv)" in for_olena.text_body
    assert "Ваш час" in for_olena.html_body

    ics = attachment(for_jan, "text/calendar")
    assert ics is not None and "BEGIN:VEVENT" in ics and event.uid in ics
    (calendar,) = libical(ics)  # Evolution's parser reads it, no ATTENDEE in a PUBLISH
    assert calendar["method"] == "PUBLISH" and calendar["events"][0]["attendees"] == []


def test_reminder_without_calendar_attachment_when_none_is_available(app, db, people, monkeypatch):
    monkeypatch.setattr(itip, "event_attachment", lambda event, user=None: None)
    run_reminders(START - timedelta(days=1))
    messages = outbox()
    assert len(messages) == 2
    assert all(m.attachments == [] for m in messages)
    assert all(".ics" not in m.text_body for m in messages)


def test_a_late_scheduler_sends_only_the_latest_due_reminder_once(app, db, people):
    """Down from 8 days to 12 hours before the start: both reminders are due; only the 1-day one goes."""
    event, olena, jan = people
    assert run_reminders(START - timedelta(hours=12)).sent == 2
    assert {m.subject for m in outbox() if m.recipient_user_id == jan.id} == {
        "Reminder: Cross-border cybercrime workshop starts tomorrow"
    }
    assert run_reminders(START - timedelta(hours=11)).sent == 0
    assert len(outbox()) == 2


def test_no_reminders_for_cancelled_or_draft_events_or_cancelled_registrations(app, db, make, people):
    event, olena, jan = people
    event.status = "cancelled"
    db.session.commit()
    assert run_reminders(START - timedelta(days=1)).sent == 0

    event.status = "published"
    db.session.commit()
    jan_registration = next(r for r in _registrations(db, event) if r.user_id == jan.id)
    jan_registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert run_reminders(START - timedelta(days=1)).sent == 1
    assert who_got() == [(olena.id, "reminder")]

    draft = make.event("Draft", starts_at=START, status="draft")
    register(draft, jan)
    assert run_reminders(START - timedelta(days=1)).sent == 0


def _registrations(db, event):
    from sqlalchemy import select

    from app.registrations.models import Registration

    return db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()


def test_reminder_days_are_changeable_per_event(app, db, people):
    event, olena, jan = people
    event.reminder_days = "3"
    db.session.commit()
    assert run_reminders(START - timedelta(days=7)).sent == 0
    assert run_reminders(START - timedelta(days=3)).sent == 2
    assert run_reminders(START - timedelta(days=1)).sent == 0
    assert {m.subject.split(" starts ")[-1] for m in outbox() if m.recipient_user_id == jan.id} == {"in 3 days"}


def test_moving_an_event_moves_its_reminders(app, db, people):
    """The schedule comes from the data: nothing stale is left behind by an edit."""
    event, olena, jan = people
    event.starts_at = START + timedelta(days=10)
    event.ends_at = event.starts_at + timedelta(days=1)
    db.session.commit()
    assert run_reminders(START - timedelta(days=7)).sent == 0
    # The new start, 30 March 11:00 CEST, is after Brussels' switch to summer time (29 March): the
    # 7-day reminder is at 23 March 11:00 CET = 10:00 UTC.
    assert run_reminders(START + timedelta(days=3, minutes=59)).sent == 0
    assert run_reminders(START + timedelta(days=3, hours=1)).sent == 2


def test_an_event_moved_after_its_reminder_is_reminded_afresh(app, db, people):
    event, olena, jan = people
    assert run_reminders(START - timedelta(days=7)).sent == 2
    event.starts_at = START + timedelta(days=14)
    event.ends_at = event.starts_at + timedelta(days=1)
    db.session.commit()
    assert run_reminders(START - timedelta(days=6)).sent == 0
    # 7 days before the new start (3 April 11:00 CEST) is 27 March 11:00 CET = 10:00 UTC.
    assert run_reminders(START + timedelta(days=7, hours=1)).sent == 2
    assert run_reminders(START + timedelta(days=7, hours=2)).sent == 0
    assert run_reminders(START + timedelta(days=13)).sent == 2
    assert [m.subject for m in outbox() if m.recipient_user_id == jan.id] == [
        "Reminder: Cross-border cybercrime workshop starts in 7 days",
        "Reminder: Cross-border cybercrime workshop starts in 7 days",
        "Reminder: Cross-border cybercrime workshop starts tomorrow",
    ]


def test_reminders_can_be_set_far_ahead(app, db, make):
    set_now(START - timedelta(days=200))
    event = make.event("Annual conference", starts_at=START, reminder_days="90,1")
    register(event, make.user())
    assert run_reminders(START - timedelta(days=91)).sent == 0
    assert run_reminders(START - timedelta(days=90)).sent == 1


def test_someone_confirmed_after_a_reminder_time_gets_only_the_later_reminder(app, db, make, people):
    event, olena, jan = people
    late = make.user(name="Late")
    register(event, late, confirmed_at=START - timedelta(days=3))
    set_now(START - timedelta(days=2))
    assert run_reminders(START - timedelta(days=2)).sent == 2  # Olena and Jan's 7-day (late scheduler)
    assert run_reminders(START - timedelta(days=1)).sent == 3
    assert [m.subject for m in outbox() if m.recipient_user_id == late.id] == [
        "Reminder: Cross-border cybercrime workshop starts tomorrow"
    ]


# --- daylight saving -------------------------------------------------------------------------------
# Summer time ends in Kyiv on Sunday 25 October 2026 at 04:00 local (01:00 UTC): EEST (UTC+3) -> EET (UTC+2).
# Decision: "N days before" is the same wall-clock time N calendar days earlier in the EVENT's zone.


def test_reminder_days_count_in_the_events_zone_across_the_end_of_summer_time(app, db, make):
    set_now(datetime(2026, 10, 1, tzinfo=UTC))
    monday = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # Monday 10:00 EET in Kyiv, the day after the change
    sunday = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # Sunday 10:00 EET, the day of the change
    monday_event = make.event("Study visit", starts_at=monday, timezone="Europe/Kyiv", reminder_days="7")
    sunday_event = make.event("Cyber training", starts_at=sunday, timezone="Europe/Kyiv", reminder_days="1")
    # 7 days before Monday 10:00 EET is Monday 19 October 10:00 EEST = 07:00 UTC (not 08:00 UTC).
    assert reminder_instant(monday_event, 7) == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    # 1 day before Sunday 10:00 EET is Saturday 24 October 10:00 EEST = 07:00 UTC: 25 hours earlier.
    assert reminder_instant(sunday_event, 1) == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)

    participant = make.user(name="Participant", timezone="UTC")
    register(monday_event, participant)
    register(sunday_event, participant)

    assert run_reminders(datetime(2026, 10, 19, 6, 59, tzinfo=UTC)).sent == 0
    assert run_reminders(datetime(2026, 10, 19, 7, 0, tzinfo=UTC)).sent == 1
    assert run_reminders(datetime(2026, 10, 19, 8, 0, tzinfo=UTC)).sent == 0

    assert run_reminders(datetime(2026, 10, 24, 6, 59, tzinfo=UTC)).sent == 0
    assert run_reminders(datetime(2026, 10, 24, 7, 0, tzinfo=UTC)).sent == 1
    assert run_reminders(datetime(2026, 10, 24, 8, 0, tzinfo=UTC)).sent == 0

    messages = outbox()
    assert [m.subject for m in messages] == [
        "Reminder: Study visit starts in 7 days",
        "Reminder: Cyber training starts tomorrow",
    ]
    # The event's local time after the change (EET), and the participant's own zone beside it.
    assert "Monday 26 October 2026, 10:00 EET (Europe/Kyiv)" in messages[0].text_body
    assert "Monday 26 October 2026, 08:00 UTC (UTC)" in messages[0].text_body
    assert "Sunday 25 October 2026, 10:00 EET (Europe/Kyiv)" in messages[1].text_body


def test_due_reminder_is_none_once_the_event_started(app, db, make):
    set_now(START - timedelta(days=30))
    event = make.event(starts_at=START)
    assert due_reminder_days(event, START - timedelta(days=1)) == 1
    assert due_reminder_days(event, START) is None


@pytest.mark.parametrize(("days", "expected"), [(2, "через 2 дні"), (5, "через 5 днів"), (21, "через 21 день"),
                                                (7, "через 7 днів")])
def test_reminder_counts_days_in_ukrainian_plural_forms(app, db, people, ukrainian, days, expected):
    from app.notifications.rendering import render_email

    event, olena, _jan = people
    subject, text, html = render_email("scheduler/reminder", language="uk", event=event, recipient=olena,
                                       days=days, place="Europol HQ", event_url="http://liaison.test/e",
                                       has_calendar=True)
    assert subject == f"Нагадування: «{event.title}» починається {expected}"
    assert f"який починається {expected}." in text and f"який починається {expected}." in html
    assert "Коли:      " in text and "Завершення: " in text  # labels stay aligned, never glued to the value
