"""The per-event rule (every day or at least once; training hours make any event offer one), unique
numbers, issuing all, revocation and the public verification page (issue 22)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.certificates import issue
from app.certificates.models import AttendanceRule, Certificate, CertificateSettings
from app.learning import banks, taking
from app.learning.models import CheckKind, QuestionKind
from app.learning.results import post_test_score
from app.registrations import attendance
from app.timeutil import set_now
from tests.certificates.conftest import AFTER, START


def _settings(db, event, **values):
    db.session.add(CertificateSettings(event_id=event.id, **values))
    db.session.commit()


@pytest.fixture
def workshop(make, organiser):
    """A two-day workshop (10–11 May 2027 in Brussels); Ana checked in on the first day only."""
    set_now(START - timedelta(days=5))
    event = make.event("Workshop on firearms tracing", starts_at=START, ends_at=START + timedelta(days=1, hours=9),
                       organisers=[organiser], created_by=organiser)
    person = make.user(name="Ana Popescu")
    registration = make.registration(event, person)
    set_now(START + timedelta(hours=1))
    attendance.check_in(registration, date(2027, 5, 10), organiser)
    set_now(AFTER)
    return event, person, registration


def test_training_hours_make_any_event_give_a_certificate_under_its_attendance_rule(db, login, workshop,
                                                                                   organiser):
    event, person, registration = workshop
    client = login(person)
    url = f"/events/{event.id}/certificates/{registration.id}.pdf"
    assert client.get(url).status_code == 404  # a workshop without training hours
    _settings(db, event, attendance_rule=AttendanceRule.ALL_DAYS, training_hours=Decimal("12.5"))
    page = client.get(f"/events/{event.id}/certificates/{registration.id}").get_data(as_text=True)
    assert "A certificate for the event: check in on every day of the event." in page
    assert "The certificate needs a check-in on every day of the event." in page
    assert client.get(url).status_code == 404
    set_now(START + timedelta(days=1, hours=1))
    attendance.check_in(registration, date(2027, 5, 11), organiser)
    set_now(AFTER)
    response = client.get(url)
    assert response.status_code == 200
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.hours == Decimal("12.5") and certificate.title == "Workshop on firearms tracing"


def test_at_least_once_is_the_default_rule(db, login, workshop):
    event, person, registration = workshop
    _settings(db, event, training_hours=Decimal("8"))
    assert login(person).get(f"/events/{event.id}/certificates/{registration.id}.pdf").status_code == 200


def test_a_minimum_score_without_a_post_test_result_gives_no_certificate(db, login, workshop):
    event, person, registration = workshop
    _settings(db, event, training_hours=Decimal("8"), minimum_score=70)
    client = login(person)
    page = client.get(f"/events/{event.id}/certificates/{registration.id}").get_data(as_text=True)
    assert "And a post-test score of at least 70%." in page
    assert "A post-test score of at least 70% is needed; no result yet." in page
    assert client.get(f"/events/{event.id}/certificates/{registration.id}.pdf").status_code == 404


def test_a_passed_post_test_earns_the_certificate_and_a_failed_one_does_not(db, make, login, workshop, organiser):
    """A post-test on the event (app.learning): Ana scores 80 % and earns the certificate with a minimum of
    70 %; Boris, checked in too, scores 20 % and does not; the page tells each where they stand."""
    event, ana, ana_registration = workshop
    set_now(START + timedelta(hours=1))
    boris = make.user(name="Boris Petrov")
    boris_registration = make.registration(event, boris)
    attendance.check_in(boris_registration, date(2027, 5, 10), organiser)
    _settings(db, event, training_hours=Decimal("8"), minimum_score=70)
    post = banks.create_check(event, None, CheckKind.POST, organiser)
    heavy = banks.add_question(post, QuestionKind.SINGLE, "Which database holds firearms records?", 4,
                               "*iARMS\nSIENA", organiser)
    light = banks.add_question(post, QuestionKind.SINGLE, "Who runs iARMS?", 1, "*INTERPOL\nEuropol", organiser)
    right = {q.id: q.options[0].id for q in (heavy, light)}
    wrong = {q.id: q.options[1].id for q in (heavy, light)}
    set_now(event.ends_at + timedelta(hours=1))  # the post-test is open after the end
    taking.submit(post, ana, {heavy.id: ({right[heavy.id]}, None), light.id: ({wrong[light.id]}, None)})
    taking.submit(post, boris, {heavy.id: ({wrong[heavy.id]}, None), light.id: ({right[light.id]}, None)})
    assert post_test_score(event.id, ana.id) == 80 and post_test_score(event.id, boris.id) == 20
    set_now(AFTER)
    assert login(ana).get(f"/events/{event.id}/certificates/{ana_registration.id}.pdf").status_code == 200
    refused = login(boris)
    assert refused.get(f"/events/{event.id}/certificates/{boris_registration.id}.pdf").status_code == 404
    page = refused.get(f"/events/{event.id}/certificates/{boris_registration.id}").get_data(as_text=True)
    assert "And a post-test score of at least 70%." in page
    assert db.session.scalars(select(Certificate.user_id)).all() == [ana.id]


def test_numbers_are_unique_and_hard_to_guess(db):
    numbers = {issue.new_number(2027) for _ in range(500)}
    assert len(numbers) == 500
    assert all(n.startswith("LIA-2027-") and len(n) == 18 for n in numbers)
    assert not any(c in n[9:] for n in numbers for c in "01ILO")


def test_issue_all_then_revoke_and_verify_anonymously(db, make, login, client, visit):
    event, organiser = visit.event, visit.organiser
    absent = make.registration(event, make.user(name="Not There"))
    manager = login(organiser)
    assert manager.post(f"/events/{event.id}/certificates/issue").status_code == 302
    assert manager.post(f"/events/{event.id}/certificates/issue").status_code == 302  # twice: nothing new
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.registration_id == visit.registration.id != absent.id
    listing = manager.get(f"/events/{event.id}/certificates").get_data(as_text=True)
    assert certificate.number in listing and "Ion Rusu" in listing and "Valid" in listing

    valid = client.get(f"/certificates/verify/{certificate.number.lower()}")
    assert valid.status_code == 200
    text = valid.get_data(as_text=True)
    for expected in ("Valid", "Ion Rusu", "Risk profiling of border crossings", "10 May 2027, 12:00–15:00",
                     "General Police Inspectorate of Moldova"):
        assert expected in text, expected
    assert visit.person.email not in text and "Border Police of Moldova" not in text

    revoke_url = f"/events/{event.id}/certificates/revoke/{certificate.id}"
    assert "This cannot be undone." in manager.get(revoke_url).get_data(as_text=True)
    refused = manager.post(revoke_url, data={"reason": "  "})
    assert refused.status_code == 422 and "This field is required." in refused.get_data(as_text=True)
    assert manager.post(revoke_url, data={"reason": "Attendance recorded by mistake"}).status_code == 302
    revoked = client.get(f"/certificates/verify/{certificate.number}").get_data(as_text=True)
    assert "Revoked" in revoked and "Ion Rusu" in revoked and "Attendance recorded by mistake" not in revoked
    listing = manager.get(f"/events/{event.id}/certificates").get_data(as_text=True)
    assert certificate.number in listing and "Attendance recorded by mistake" in listing
    # The holder can no longer download it, and issuing all does not bring it back.
    holder = login(visit.person)
    url = f"/events/{event.id}/certificates/{visit.registration.id}/sessions/{visit.training.id}.pdf"
    assert holder.get(url).status_code == 404
    assert "Revoked by the organisers." in holder.get(
        f"/events/{event.id}/certificates/{visit.registration.id}").get_data(as_text=True)
    manager.post(f"/events/{event.id}/certificates/issue")
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_an_unknown_number_is_simply_not_found(db, client, visit):
    for number in ("LIA-2027-AAAA-BBBB", "nonsense", "x" * 300):
        response = client.get(f"/certificates/verify/{number}")
        assert response.status_code == 404
        assert "No certificate has this number." in response.get_data(as_text=True)


def _png(colour="red", size=(300, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def test_settings_validate_the_images_and_print_them(db, login, visit, tmp_path):
    event = visit.event
    manager = login(visit.organiser)
    url = f"/events/{event.id}/certificates/settings"
    bad = manager.post(url, data={"attendance_rule": "any_day", "minimum_score": "150",
                                  "logo": (io.BytesIO(b"<svg>not an image</svg>"), "logo.png")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Number must be between 0 and 100." in html
    bad = manager.post(url, data={"attendance_rule": "any_day",
                                  "logo": (io.BytesIO(b"<svg>not an image</svg>"), "logo.png")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422 and "Upload a PNG or JPEG image." in bad.get_data(as_text=True)
    good = manager.post(url, data={
        "attendance_rule": "all_days", "training_hours": "6", "issuer_name": "ILECU Moldova",
        "signatory_name": "Vitalie Popa", "logo": (io.BytesIO(_png()), "logo.png"),
        "signature": (io.BytesIO(_png("blue", (400, 120))), "signature.jpg"),
    }, content_type="multipart/form-data")
    assert good.status_code == 302
    settings = db.session.get(CertificateSettings, event.id)
    assert settings.attendance_rule == AttendanceRule.ALL_DAYS and settings.training_hours == Decimal("6")
    assert settings.logo_png.startswith(b"\x89PNG") and settings.signature_png.startswith(b"\x89PNG")
    body = login(visit.person).get(
        f"/events/{event.id}/certificates/{visit.registration.id}/sessions/{visit.training.id}.pdf").get_data()
    from tests.certificates.conftest import pdf_text
    text = pdf_text(body)
    assert "Issued by ILECU Moldova" in text and "Vitalie Popa" in text
    assert body.count(b"/Subtype /Image") >= 3  # the logo, the signature and the QR code
