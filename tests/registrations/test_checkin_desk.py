"""The check-in desk (issue 23): check-in only on the event's days in its own time zone, late
corrections confirmed and audited, sessions with sign-up, live counters, and an early check-in that
can no longer bring the post-event feedback email."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.registrations import attendance, register
from app.registrations.checkin_rules import CheckInRefused, LateCorrectionNeeded
from app.registrations.models import AttendanceDay, Registration, SessionAttendance
from app.scheduler.jobs.post_event import run_post_event
from app.timeutil import set_now
from tests.scheduler.outbox import outbox

JSON = {"Accept": "application/json"}


def _training(make, organiser, **kw):
    start = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # 09:00 in Brussels, three days
    return make.event(kind="training", starts_at=start, ends_at=start + timedelta(days=2, hours=9),
                      organisers=[organiser], capacity=20, title="Training on virtual-asset investigations", **kw)


def _registered(make, event, name="Ion Rusu"):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    return register.register(event, make.user(name=name), consent=True).registration


def test_check_in_before_during_and_after_the_day(db, make, organiser, itip_calls):
    event = _training(make, organiser)
    registration = _registered(make, event)
    with pytest.raises(CheckInRefused) as refused:
        attendance.check_in(registration, date(2027, 3, 8), organiser)  # a week early
    assert refused.value.reason == "wrong_day" and "opens on that day" in str(refused.value)
    set_now(datetime(2027, 3, 8, 7, 30, tzinfo=UTC))  # 08:30 in Brussels, the first day
    with pytest.raises(CheckInRefused):
        attendance.check_in(registration, date(2027, 3, 9), organiser)  # tomorrow: not yet
    attendance.check_in(registration, date(2027, 3, 8), organiser)
    set_now(datetime(2027, 3, 12, tzinfo=UTC))  # after the event
    with pytest.raises(LateCorrectionNeeded):
        attendance.check_in(registration, date(2027, 3, 9), organiser)
    attendance.check_in(registration, date(2027, 3, 9), organiser, late_correction=True)
    days = db.session.scalars(select(AttendanceDay.day_on).order_by(AttendanceDay.day_on)).all()
    assert days == [date(2027, 3, 8), date(2027, 3, 9)]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.late_correction"))
    assert entry.actor_id == organiser.id and entry.changes == {"day_on": "2027-03-09"}


def test_the_day_is_the_events_own_not_utc(db, make, organiser, itip_calls):
    # 00:30 on 8 March in Tbilisi is still 7 March in UTC.
    start = datetime(2027, 3, 7, 20, 30, tzinfo=UTC)
    event = make.event(starts_at=start, ends_at=start + timedelta(hours=10), timezone="Asia/Tbilisi",
                       organisers=[organiser])
    registration = _registered(make, event, "ნინო ბერიძე")
    set_now(datetime(2027, 3, 7, 21, 0, tzinfo=UTC))
    attendance.check_in(registration, date(2027, 3, 8), organiser)
    assert registration.checked_in_at is not None


def test_wrong_day_is_a_message_and_late_correction_a_confirm_step(db, make, login, organiser, itip_calls):
    event = _training(make, organiser)
    registration = _registered(make, event)
    client = login(organiser)
    url = f"/events/{event.id}/check-in/{registration.id}"
    page = client.get(f"/events/{event.id}/check-in?day=2027-03-08").get_data(as_text=True)
    assert "opens on that day" in page
    response = client.post(url, data={"day": "2027-03-08"}, follow_redirects=True)
    assert response.status_code == 200 and "opens on that day" in response.get_data(as_text=True)
    refused = client.post(url, data={"day": "2027-03-08"}, headers=JSON)
    assert refused.status_code == 422 and refused.get_json()["reason"] == "wrong_day"
    assert client.post(url, data={"day": "not-a-day"}).status_code == 302
    set_now(datetime(2027, 3, 15, tzinfo=UTC))
    confirm = client.post(url, data={"day": "2027-03-08"})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Late correction" in text and 'name="late_correction" value="1"' in text
    assert client.post(url, data={"day": "2027-03-08"}, headers=JSON).get_json()["confirm"] is True
    db.session.commit()
    assert db.session.get(Registration, registration.id).checked_in_at is None
    done = client.post(url, data={"day": "2027-03-08", "late_correction": "1"}, follow_redirects=True)
    assert "Ion Rusu is checked in." in done.get_data(as_text=True)
    db.session.commit()
    assert db.session.get(Registration, registration.id).checked_in_at is not None


def test_an_early_check_in_cannot_bring_the_feedback_email(db, make, login, organiser, itip_calls):
    event = _training(make, organiser)
    registration = _registered(make, event)
    came = _registered(make, event, "Came On The Day")
    set_now(datetime(2026, 12, 20, tzinfo=UTC))  # two and a half months before
    client = login(organiser)
    client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-08"})
    client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-08", "late_correction": "1"})
    db.session.commit()
    assert db.session.get(Registration, registration.id).checked_in_at is None
    # (When nobody at all was checked in, every confirmed person is asked: someone came.)
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))
    attendance.check_in(came, date(2027, 3, 8), organiser)
    after = datetime(2027, 3, 11, 12, tzinfo=UTC)
    set_now(after)
    run_post_event(after)
    assert [m.recipient_user_id for m in outbox("feedback_request")] == [came.user_id]


def test_a_session_with_sign_up_lists_and_checks_in_only_those_signed_up(db, make, login, organiser, itip_calls):
    event = _training(make, organiser)
    lab = make.session(event, "Blockchain tracing lab", has_signup=True, capacity=10,
                       starts_at=datetime(2027, 3, 9, 12, tzinfo=UTC))
    plenary = make.session(event, "Opening plenary")
    signed = _registered(make, event, "Signed Up")
    other = _registered(make, event, "Not Signed")
    make.signup(lab, signed.user)
    set_now(datetime(2027, 3, 9, 12, 30, tzinfo=UTC))
    client = login(organiser)
    page = client.get(f"/events/{event.id}/check-in?session={lab.id}").get_data(as_text=True)
    assert "Signed Up" in page and "Not Signed" not in page and "only the people signed up" in page
    assert "0 of 1 checked in" in page
    refused = client.post(f"/events/{event.id}/check-in/{other.id}", data={"session": lab.id}, headers=JSON)
    assert refused.status_code == 422 and refused.get_json()["reason"] == "not_on_list"
    assert client.post(f"/events/{event.id}/check-in/{signed.id}", data={"session": lab.id},
                       headers=JSON).get_json()["checked_in"] is True
    counts = client.get(f"/events/{event.id}/check-in/counts?session={lab.id}").get_json()["counters"]
    assert [(c["key"], c["checked_in"], c["expected"], c["text"]) for c in counts] == [
        ("day", 0, 2, "0 of 2 checked in"), ("session", 1, 1, "1 of 1 checked in")]
    # A session without sign-up lists every confirmed person; its day was the 8th: a late correction.
    page = client.get(f"/events/{event.id}/check-in?session={plenary.id}").get_data(as_text=True)
    assert "Signed Up" in page and "Not Signed" in page and "is over" in page
    late = client.post(f"/events/{event.id}/check-in/{other.id}", data={"session": plenary.id}, headers=JSON)
    assert late.status_code == 409 and late.get_json()["reason"] == "late_correction"
    db.session.commit()
    assert db.session.scalars(select(SessionAttendance.registration_id)).all() == [signed.id]


def test_counters_count_the_day_and_move_with_check_ins(db, make, login, organiser, itip_calls):
    event = _training(make, organiser)
    people = [_registered(make, event, f"Person {n}") for n in range(3)]
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))
    client = login(organiser)
    page = client.get(f"/events/{event.id}/check-in").get_data(as_text=True)
    assert "0 of 3 checked in" in page and 'data-counts-url="' in page
    for registration in people[:2]:
        client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-08"})
    counts = client.get(f"/events/{event.id}/check-in/counts?day=2027-03-08")
    assert counts.headers["Cache-Control"] == "no-store"
    assert counts.get_json()["counters"][0]["text"] == "2 of 3 checked in"
    # The undo button is smaller than the state it undoes.
    page = client.get(f"/events/{event.id}/check-in").get_data(as_text=True)
    assert 'class="btn btn-sm btn-outline-secondary"' in page and "fs-6" in page
    assert "<script>" not in page  # no inline script (strict CSP)


def test_the_desk_speaks_the_organisers_language(db, make, login, itip_calls):
    organiser = make.user(role="organiser", language="uk")
    event = _training(make, organiser)
    registration = _registered(make, event, "Ion Rusu")
    client = login(organiser)
    page = client.get(f"/events/{event.id}/check-in?day=2027-03-08").get_data(as_text=True)
    assert "Сканувати бейджі" in page and "0 з 1 зареєстровано на місці" in page
    assert "Бейджі з іменами (PDF, 8 на аркуші A4)" in page and "відкриється в цей день" in page
    answer = client.post(f"/events/{event.id}/check-in/scan", data={"code": "nothing", "day": "2027-03-08"},
                         headers=JSON).get_json()
    assert answer["message"] == "Цей бейдж не для цього заходу."
    refused = client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-08"},
                          headers=JSON).get_json()
    assert "відкриється в цей день" in refused["error"]
