"""Check-in per day and per session, undo, attendance figures, PDFs (read back with pypdf) and
feedback after the event."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from app.registrations import attendance, feedback, pdf, register, rules, sessions
from app.registrations.models import AttendanceDay, Feedback, Registration, SessionAttendance
from app.timeutil import set_now


def _text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _three_day_training(make, organiser):
    start = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # 09:00 in Brussels
    return make.event(kind="training", starts_at=start, ends_at=start + timedelta(days=2, hours=9),
                      organisers=[organiser], capacity=20, city="Chișinău", country="MD",
                      title="Training on virtual-asset investigations")


def test_check_in_per_day_with_undo_through_the_page(db, make, login, organiser, itip_calls):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = _three_day_training(make, organiser)
    assert attendance.event_days(event) == [date(2027, 3, 8), date(2027, 3, 9), date(2027, 3, 10)]
    org = make.organisation(name="Poliția de Frontieră", country="MD")
    person = make.user(name="Ion Rusu", organisation=org)
    registration = register.register(event, person, consent=True).registration
    other = register.register(event, make.user(name="Zoe Other"), consent=True).registration
    client = login(organiser)
    page = client.get(f"/events/{event.id}/check-in?q=europol&day=2027-03-09").get_data(as_text=True)
    assert "Ion Rusu" not in page  # the search is on name or organisation
    page = client.get(f"/events/{event.id}/check-in?q=Frontier&when=day:2027-03-09").get_data(as_text=True)
    assert "Ion Rusu" in page and "Zoe Other" not in page
    set_now(datetime(2027, 3, 9, 8, 30, tzinfo=UTC))  # at the desk on the second day
    response = client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-09"},
                           headers={"Accept": "application/json"})
    assert response.get_json() == {"checked_in": True, "name": "Ion Rusu"}
    set_now(datetime(2027, 3, 10, 8, 30, tzinfo=UTC))
    client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-10"})
    db.session.commit()
    assert sorted(db.session.scalars(select(AttendanceDay.day_on))) == [date(2027, 3, 9), date(2027, 3, 10)]
    assert db.session.get(Registration, registration.id).checked_in_at is not None
    page = client.get(f"/events/{event.id}/check-in?day=2027-03-09").get_data(as_text=True)
    assert ">Undo<" in page
    # A day outside the event is refused; undo works.
    response = client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": "2027-03-11"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422
    for day in ("2027-03-09", "2027-03-10"):
        client.post(f"/events/{event.id}/check-in/{registration.id}", data={"day": day, "action": "undo"})
    db.session.commit()
    assert db.session.scalar(select(func.count(AttendanceDay.id))) == 0
    assert db.session.get(Registration, registration.id).checked_in_at is None
    assert other.checked_in_at is None


def test_session_check_in_and_attendance_figures(db, make, login, organiser, itip_calls):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = _three_day_training(make, organiser)
    lab = make.session(event, title="Blockchain tracing lab", has_signup=True, capacity=10)
    police = make.organisation(country="UA")
    ministry = make.organisation(country="GE", type="ministry")
    people = [make.user(organisation=police), make.user(organisation=police), make.user(organisation=ministry),
              make.user()]  # no organisation, no country
    registrations = [register.register(event, p, consent=True).registration for p in people]
    waiting_user = make.user()
    pending = register.register(event, waiting_user, role="speaker", consent=True)
    assert pending.status.value == "pending"
    for person in people[:2]:  # the lab has sign-up: only those signed up are checked in there
        assert sessions.sign_up_for_session(lab, person).ok
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))  # on the first day
    attendance.check_in_session(registrations[0], lab, organiser)
    attendance.check_in(registrations[2], date(2027, 3, 8), organiser)
    try:
        attendance.check_in(pending.registration, date(2027, 3, 8), organiser)
    except rules.RegistrationError as error:
        assert "not confirmed" in str(error)
    set_now(datetime(2027, 3, 11, tzinfo=UTC))
    figures = attendance.attendance_figures(event)
    assert (figures.registered, figures.attended, figures.no_shows, figures.pending) == (4, 2, 2, 1)
    assert ("", 1, 0) in figures.by_country and ("", 1, 0) in figures.by_organisation_type
    assert ("UA", 2, 1) in figures.by_country and ("GE", 1, 1) in figures.by_country
    assert ("law_enforcement", 2, 1) in figures.by_organisation_type
    assert ("ministry", 1, 1) in figures.by_organisation_type
    assert figures.by_day == [(date(2027, 3, 8), 1)]
    page = login(organiser).get(f"/events/{event.id}/attendance").get_data(as_text=True)
    assert "Not given" in page and "Ministry" in page and "Law enforcement" in page
    attendance.undo_session_check_in(registrations[0], lab, organiser)
    assert db.session.scalar(select(func.count(SessionAttendance.id))) == 0
    # Through the check-in page, per session, on the session's day.
    set_now(datetime(2027, 3, 8, 10, tzinfo=UTC))
    client = login(organiser)
    page = client.get(f"/events/{event.id}/check-in?when=session:{lab.id}").get_data(as_text=True)
    assert "Check-in: Blockchain tracing lab" in page
    client.post(f"/events/{event.id}/check-in/{registrations[1].id}", data={"session": str(lab.id)})
    db.session.commit()
    assert db.session.scalar(select(SessionAttendance.registration_id)) == registrations[1].id
    assert db.session.get(Registration, registrations[1].id).checked_in_at is not None
    assert ">Undo<" in client.get(f"/events/{event.id}/check-in?session={lab.id}").get_data(as_text=True)


def test_attendance_sheet_pdf_renders_cyrillic(db, make, login, organiser, itip_calls):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = _three_day_training(make, organiser)
    org = make.organisation(name="Національна поліція України", country="UA")
    register.register(event, make.user(name="Олена Коваленко", organisation=org), consent=True)
    register.register(event, make.user(name="Giorgos Papadopoulos"), consent=True)
    response = login(organiser).get(f"/events/{event.id}/attendance-sheet.pdf?day=2027-03-09")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.get_data())
    assert "Олена Коваленко" in text
    assert "Національна поліція України" in text
    assert "Ukraine" in text and "Signature" in text and "Giorgos Papadopoulos" in text
    assert "Tuesday 09 March 2027" in text


def test_attendance_sheet_builder_paginates_long_lists():
    rows = [pdf.SheetRow(f"Учасник {n}", "Організація", "Ukraine") for n in range(80)]
    reader = PdfReader(io.BytesIO(pdf.attendance_sheet("Big event", "Monday", "Kyiv", rows)))
    assert len(reader.pages) >= 3
    assert "Учасник 79" in reader.pages[-1].extract_text()


def test_certificate_only_for_training_attendees(db, make, login, organiser, itip_calls):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = _three_day_training(make, organiser)
    lab = make.session(event, title="Blockchain tracing lab")
    attendee = make.user(name="Марія Шевченко")
    absent = make.user()
    attended = register.register(event, attendee, consent=True).registration
    missed = register.register(event, absent, consent=True).registration
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))
    attendance.check_in(attended, date(2027, 3, 8), organiser)
    attendance.check_in_session(attended, lab, organiser)
    set_now(datetime(2027, 3, 12, tzinfo=UTC))
    own = login(attendee)
    response = own.get(f"/events/{event.id}/certificates/{attended.id}.pdf")
    assert response.status_code == 200
    text = _text(response.get_data())
    assert "Certificate of attendance" in text and "Марія Шевченко" in text
    assert "Training on virtual-asset investigations" in text and "Blockchain tracing lab" in text
    assert login(absent).get(f"/events/{event.id}/certificates/{attended.id}.pdf").status_code == 403
    assert login(absent).get(f"/events/{event.id}/certificates/{missed.id}.pdf").status_code == 404
    assert login(organiser).get(f"/events/{event.id}/certificates/{attended.id}.pdf").status_code == 200
    workshop = make.event(kind="workshop", organisers=[organiser], starts_at=datetime(2027, 3, 2, tzinfo=UTC))
    set_now(datetime(2027, 2, 1, tzinfo=UTC))
    other = register.register(workshop, attendee, consent=True).registration
    set_now(datetime(2027, 3, 2, 9, tzinfo=UTC))
    attendance.check_in(other, date(2027, 3, 2), organiser)
    assert own.get(f"/events/{workshop.id}/certificates/{other.id}.pdf").status_code == 404


def test_feedback_once_after_the_end_by_attendees_and_anonymous_stays_anonymous(db, make, login, organiser, itip_calls):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = _three_day_training(make, organiser)
    named = make.user(name="Named Person")
    hidden = make.user(name="Hidden Person")
    no_show = make.user(name="No Show")
    registrations = {u.id: register.register(event, u, consent=True).registration for u in (named, hidden, no_show)}
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))  # the first day, at the desk
    for user in (named, hidden):
        attendance.check_in(registrations[user.id], date(2027, 3, 8), organiser)
    answer = {"overall": "5", "relevance": "4", "organisation": "3", "what_worked": "Hands-on labs",
              "what_to_improve": "More breaks"}
    # Before the end: not yet.
    client = login(named)
    assert "Feedback opens when the event has ended" in client.get(f"/events/{event.id}/feedback").get_data(as_text=True)
    assert client.post(f"/events/{event.id}/feedback", data=answer).status_code == 403
    set_now(datetime(2027, 3, 11, tzinfo=UTC))
    box = client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Give feedback" in box and "Certificates of attendance" in box
    assert "Give feedback" not in login(no_show).get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert client.post(f"/events/{event.id}/feedback", data={**answer, "overall": "7"}).status_code == 422
    assert client.post(f"/events/{event.id}/feedback", data=answer).status_code == 302
    assert client.post(f"/events/{event.id}/feedback", data=answer).status_code == 403  # only once
    login(hidden).post(f"/events/{event.id}/feedback", data={"overall": "1", "relevance": "2", "organisation": "1",
                                                             "what_to_improve": "Secret remark", "is_anonymous": "y"})
    assert login(no_show).post(f"/events/{event.id}/feedback", data=answer).status_code == 403
    db.session.commit()
    assert db.session.scalar(select(func.count(Feedback.id))) == 2
    summary = feedback.feedback_summary(event)
    assert (summary.count, summary.overall, summary.relevance, summary.organisation) == (2, 3.0, 3.0, 2.0)
    page = login(organiser).get(f"/events/{event.id}/feedback/results").get_data(as_text=True)
    assert "Named Person" in page and "Hands-on labs" in page
    assert "Secret remark" in page and "Hidden Person" not in page and "Anonymous" in page
    assert login(named).get(f"/events/{event.id}/feedback/results").status_code == 403
