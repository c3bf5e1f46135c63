"""Certificates in the language the downloader chooses (issue 20): a participant from Georgia gets
their certificate in Georgian or in English, whatever language the page speaks. The PDFs are read
back with pypdf; Georgian wording comes from a small catalog written for the test (the project's
catalogs are filled by the translators), Georgian dates from Babel (no catalog needed)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.registrations import attendance, register
from app.timeutil import set_now
from tests.registrations.catalogs import temporary_catalog

GEORGIAN = {
    "Certificate of attendance": "დასწრების სერტიფიკატი",
    "This is to certify that": "ადასტურებს, რომ",
    "attended the training": "დაესწრო ტრენინგს",
}


def _text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def georgian_catalog(app, tmp_path):
    """A Georgian catalog holding the certificate's wording, in place of the (empty) real one."""
    with temporary_catalog(tmp_path, "ka", GEORGIAN):
        yield


def _attended_training(make, organiser):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    start = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)
    event = make.event(kind="training", starts_at=start, ends_at=start + timedelta(days=2, hours=9),
                       organisers=[organiser], capacity=20, city="Tbilisi", country="GE",
                       title="Training on virtual-asset investigations")
    person = make.user(name="ნინო ბერიძე", language="en")
    registration = register.register(event, person, consent=True).registration
    set_now(datetime(2027, 3, 8, 9, tzinfo=UTC))  # at the desk on the first day
    attendance.check_in(registration, date(2027, 3, 8), organiser)
    set_now(datetime(2027, 3, 12, tzinfo=UTC))
    return event, person, registration


def test_a_georgian_certificate_for_an_english_speaking_page(db, make, login, organiser, itip_calls,
                                                            georgian_catalog):
    event, person, registration = _attended_training(make, organiser)
    client = login(person)
    url = f"/events/{event.id}/certificates/{registration.id}.pdf"

    english = client.get(url)
    assert english.status_code == 200
    text = _text(english.get_data())
    assert "Certificate of attendance" in text and "08 March 2027" in text
    assert "დასწრების სერტიფიკატი" not in text

    georgian = client.get(url, query_string={"language": "ka"})
    assert georgian.status_code == 200
    assert 'filename="certificate-' in georgian.headers["Content-Disposition"]
    assert georgian.headers["Content-Disposition"].endswith('-ka.pdf"')
    text = _text(georgian.get_data())
    assert "დასწრების სერტიფიკატი" in text and "ადასტურებს, რომ" in text and "დაესწრო ტრენინგს" in text
    assert "Certificate of attendance" not in text
    assert "მარტი" in text  # the dates in Georgian, from Babel
    # The person's name and the event's title stay as written.
    assert "ნინო ბერიძე" in text and "Training on virtual-asset investigations" in text
    # The choice is for this certificate only: the page keeps speaking English.
    assert 'lang="en"' in client.get("/my/events?show=past").get_data(as_text=True)


def test_the_certificate_speaks_the_page_language_and_ignores_an_unknown_choice(db, make, login, organiser,
                                                                               itip_calls, georgian_catalog):
    event, person, registration = _attended_training(make, organiser)
    client = login(person)
    url = f"/events/{event.id}/certificates/{registration.id}.pdf"
    person.language = "ka"
    db.session.commit()
    text = _text(client.get(url).get_data())
    assert "დასწრების სერტიფიკატი" in text
    text = _text(client.get(url, query_string={"language": "en"}).get_data())
    assert "Certificate of attendance" in text and "March 2027" in text
    unknown = client.get(url, query_string={"language": "xx-evil"})
    assert unknown.status_code == 200 and "დასწრების სერტიფიკატი" in _text(unknown.get_data())


def test_the_certificate_links_offer_every_language(db, make, login, organiser, itip_calls):
    event, person, registration = _attended_training(make, organiser)
    for page in (login(person).get("/my/events?show=past"), login(organiser).get(
            f"/events/{event.id}/participants/{registration.id}")):
        assert f'href="/events/{event.id}/certificates/{registration.id}"' in page.get_data(as_text=True)
    for client in (login(person), login(organiser)):  # the certificates page (issue 22) offers the languages
        html = client.get(f"/events/{event.id}/certificates/{registration.id}").get_data(as_text=True)
        assert f'href="/events/{event.id}/certificates/{registration.id}.pdf"' in html
        assert 'name="language"' in html and '<option value="ka" lang="ka">ქართული</option>' in html
