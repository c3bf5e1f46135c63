"""A training session inside a study visit gives a certificate (issue 22): the participant's page,
the PDF read back (text and QR code), one numbered record however often it is downloaded."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.certificates.models import Certificate
from app.timeutil import set_now
from tests.certificates.conftest import START, pdf_text, qr_codes

NUMBER = re.compile(r"LIA-2027-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


def test_a_training_session_inside_a_study_visit_gives_a_certificate(db, login, visit, tmp_path):
    client = login(visit.person)
    event, registration = visit.event, visit.registration
    page = client.get(f"/events/{event.id}/certificates/{registration.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A certificate for each training session: check in at that session." in html
    assert "Risk profiling of border crossings" in html and "Earned: the certificate is issued" in html
    assert "The event as a whole" not in html  # a study visit without training hours: sessions only
    url = f"/events/{event.id}/certificates/{registration.id}/sessions/{visit.training.id}.pdf"
    assert url in html

    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    certificate = db.session.scalars(select(Certificate)).one()
    assert NUMBER.fullmatch(certificate.number)
    text = pdf_text(response.get_data())
    for expected in ("Certificate of attendance", "Ion Rusu", "Border Police of Moldova",
                     "attended the training session", "Risk profiling of border crossings",
                     "part of Study visit: border risk analysis in Moldova", "10 May 2027, 12:00–15:00",
                     "Chișinău", "Training hours: 3", "Build a risk profile from passenger data.",
                     "Olena Kovalenko", "Issued by General Police Inspectorate of Moldova", certificate.number,
                     f"http://liaison.test/certificates/verify/{certificate.number}"):
        assert expected in text, expected
    assert qr_codes(response.get_data(), tmp_path) == [f"http://liaison.test/certificates/verify/{certificate.number}"]

    # Downloaded again (also by the organiser): the same record, the same number.
    assert certificate.number in pdf_text(client.get(url).get_data())
    assert certificate.number in pdf_text(login(visit.organiser).get(url).get_data())
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert "Certificate number " + certificate.number in client.get(
        f"/events/{event.id}/certificates/{registration.id}").get_data(as_text=True)


def test_no_certificate_before_the_end_nor_for_other_sessions_nor_for_absentees(db, make, login, visit):
    event, registration = visit.event, visit.registration
    client = login(visit.person)
    base = f"/events/{event.id}/certificates/{registration.id}"
    set_now(START + timedelta_hours(3))  # the training session is still running
    assert client.get(f"{base}/sessions/{visit.training.id}.pdf").status_code == 404
    assert "once the session has ended" in client.get(base).get_data(as_text=True)
    set_now(START + timedelta_hours(30))
    assert client.get(f"{base}/sessions/{visit.plenary.id}.pdf").status_code == 404  # not a training
    assert client.get(f"{base}.pdf").status_code == 404  # the visit as a whole gives none
    other = make.user(name="Absent Person")
    absent = make.registration(event, other)
    own = login(other)
    assert own.get(f"/events/{event.id}/certificates/{absent.id}/sessions/{visit.training.id}.pdf").status_code == 404
    assert "You were not checked in at this session." in own.get(
        f"/events/{event.id}/certificates/{absent.id}").get_data(as_text=True)
    assert own.get(f"{base}/sessions/{visit.training.id}.pdf").status_code == 403  # someone else's
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_the_participants_pages_link_to_their_certificates(db, make, login, visit):
    client = login(visit.person)
    link = f'href="/events/{visit.event.id}/certificates/{visit.registration.id}"'
    assert link in client.get("/my/events?show=past").get_data(as_text=True)
    assert link in client.get(f"/events/{visit.event.id}/registration").get_data(as_text=True)
    # An event without training (no training session, no hours): no link.
    workshop = make.event("Workshop without training", starts_at=START, organisers=[visit.organiser])
    make.registration(workshop, visit.person, checked_in=True)
    past = client.get("/my/events?show=past").get_data(as_text=True)
    row = re.search(rf'data-testid="my-registration-{workshop.id}".*?</li>', past, re.S).group(0)
    assert "Certificates of attendance" not in row


def timedelta_hours(hours: float):
    from datetime import timedelta

    return timedelta(hours=hours)
