"""Name badges (PDF read back: names with pypdf, QR codes with zxing-cpp from pdftoppm's PNG) and
the badge's check-in token: unguessable, not the id, good only at its own event's desk."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.registrations import badge_pdf, badges, register
from app.registrations.models import Registration
from app.timeutil import set_now
from tests.conftest import require

JSON = {"Accept": "application/json"}


def _qr_codes(body: bytes, tmp_path) -> list[str]:
    """Every QR code on every page, as read by zxing-cpp from the rendered pages."""
    require(shutil.which("pdftoppm") is not None, "poppler-utils (pdftoppm) is not installed")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (tmp_path / "badges.pdf").write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "badges.pdf"), str(tmp_path / "page")],
                   check=True)
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        found += [result.text for result in zxingcpp.read_barcodes(Image.open(png))]
    return found


def _event_with_people(make, organiser, names, police="Національна поліція України"):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    start = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)
    event = make.event(kind="workshop", starts_at=start, ends_at=start + timedelta(hours=9), organisers=[organiser],
                       title="Cross-border cybercrime workshop")
    police = make.organisation(name=police, country="UA")
    registrations = [register.register(event, make.user(name=name, organisation=police), consent=True).registration
                     for name in names]
    return event, registrations


NAMES = ["Олена Коваленко", "ნინო ბერიძე", "Ion Rusu", "Marija Petrovska", "Милош Јовановић", "Kovács Anna",
         "Andrei Popescu", "Taras Shevchenko", "Ana Lomidze"]


def test_a4_sheets_of_eight_badges_carry_names_and_the_check_in_address(db, make, login, organiser, itip_calls,
                                                                       tmp_path, app):
    event, registrations = _event_with_people(make, organiser, NAMES)
    response = login(organiser).get(f"/events/{event.id}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 2  # 9 people: 8 on the first sheet
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 210
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in NAMES:
        assert name in text
    assert "Національна поліція" in text and "Ukraine" in text
    db.session.commit()
    tokens = {r.id: db.session.get(Registration, r.id).badge_token for r in registrations}
    assert all(tokens.values()) and len(set(tokens.values())) == len(NAMES)
    base = app.config["BASE_URL"].rstrip("/")
    assert sorted(_qr_codes(response.get_data(), tmp_path)) == sorted(
        f"{base}/check-in/b/{token}" for token in tokens.values())
    for registration_id, token in tokens.items():
        assert str(registration_id) != token and len(token) >= 22
    # Printing again keeps the tokens (badges already printed stay valid).
    login(organiser).get(f"/events/{event.id}/badges.pdf")
    db.session.commit()
    assert {r.id: r.badge_token for r in db.session.scalars(select(Registration))} == tokens


def test_a_single_badge_is_one_badge_sized_page(db, make, login, organiser, itip_calls, tmp_path):
    event, (registration,) = _event_with_people(make, organiser, ["Милош Јовановић"])
    response = login(organiser).get(f"/events/{event.id}/badges/{registration.id}.pdf")
    reader = PdfReader(io.BytesIO(response.get_data()))
    page = reader.pages[0]
    assert len(reader.pages) == 1
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (105, 74)
    assert "Милош Јовановић" in page.extract_text()
    db.session.commit()
    token = db.session.get(Registration, registration.id).badge_token
    assert [code.rsplit("/", 1)[-1] for code in _qr_codes(response.get_data(), tmp_path)] == [token]


def test_the_builder_shortens_what_does_not_fit():
    badge = badge_pdf.Badge("Maximilian-Alexandru Constantinescu-Popescu de la Sud-Vest " * 3, "Organisation " * 30,
                            "Romania", "A very long event title " * 10, "http://127.0.0.1:5000/check-in/b/x")
    text = PdfReader(io.BytesIO(badge_pdf.single(badge))).pages[0].extract_text()
    assert "…" in text and "Romania" in text


def test_scanning_checks_in_at_its_own_event_only(db, make, login, organiser, itip_calls):
    event, (ion, ana) = _event_with_people(make, organiser, ["Ion Rusu", "Ana Lomidze"])
    other_event, (other,) = _event_with_people(make, organiser, ["Marija Petrovska"], "Cyber Police")
    client = login(organiser)
    client.get(f"/events/{event.id}/badges.pdf")
    client.get(f"/events/{other_event.id}/badges.pdf")
    db.session.commit()
    ion_url = badges.badge_url(db.session.get(Registration, ion.id).badge_token)
    other_url = badges.badge_url(db.session.get(Registration, other.id).badge_token)
    scan = f"/events/{event.id}/check-in/scan"
    # Before the day: a clear message, nobody checked in.
    early = client.post(scan, data={"code": ion_url, "day": "2027-03-08"}, headers=JSON).get_json()
    assert early["status"] == "wrong_day" and early["name"] == "Ion Rusu"
    set_now(datetime(2027, 3, 8, 8, 30, tzinfo=UTC))
    done = client.post(scan, data={"code": ion_url, "day": "2027-03-08"}, headers=JSON).get_json()
    assert (done["status"], done["message"], done["registration_id"]) == ("checked_in", "Ion Rusu is checked in.", ion.id)
    again = client.post(scan, data={"code": ion_url, "day": "2027-03-08"}, headers=JSON).get_json()
    assert again["status"] == "already" and again["ok"] is True
    # Another event's badge, a made-up token, an id: not for this event, and nobody's name.
    for code in (other_url, badges.badge_url("x" * 24), str(ana.id), "", "https://example.org/"):
        answer = client.post(scan, data={"code": code, "day": "2027-03-08"}, headers=JSON).get_json()
        assert (answer["status"], answer["name"]) == ("unknown", "")
    db.session.commit()
    assert db.session.get(Registration, other.id).checked_in_at is None
    assert db.session.get(Registration, ana.id).checked_in_at is None
    # Without JavaScript the answer comes back as a message on the desk.
    page = client.post(scan, data={"code": ion_url, "day": "2027-03-08"}, follow_redirects=True)
    assert "Ion Rusu is already checked in." in page.get_data(as_text=True)


def test_the_badge_address_tells_only_the_events_organisers(db, make, login, organiser, itip_calls):
    event, (ion,) = _event_with_people(make, organiser, ["Ion Rusu"])
    login(organiser).get(f"/events/{event.id}/badges/{ion.id}.pdf")
    db.session.commit()
    path = "/check-in/b/" + db.session.get(Registration, ion.id).badge_token
    landed = login(organiser).get(path)
    assert landed.status_code == 302 and f"/events/{event.id}/check-in?q=Ion" in landed.location
    assert landed.location.endswith(f"#registration-{ion.id}")
    other_organiser = make.user(role="organiser")
    assert login(ion.user).get(path).status_code == 404  # the person themself: nothing either
    answer = login(other_organiser).get(path)
    assert answer.status_code == 404 and "Ion Rusu" not in answer.get_data(as_text=True)
    assert login(organiser).get("/check-in/b/" + "A" * 24).status_code == 404
