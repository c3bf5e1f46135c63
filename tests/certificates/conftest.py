"""A study visit with a training session inside it, and a participant who attended it."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.events.models import SessionKind
from app.registrations import attendance
from app.timeutil import set_now

START = datetime(2027, 5, 10, 7, 0, tzinfo=UTC)  # 09:00 in Brussels
AFTER = datetime(2027, 5, 20, 12, 0, tzinfo=UTC)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def qr_codes(body: bytes, tmp_path) -> list[str]:
    """The texts of the QR codes on the PDF's first page, rendered by pdftoppm, read by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    source = tmp_path / "certificate.pdf"
    source.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png")))
    return [result.text for result in zxingcpp.read_barcodes(image)]


@dataclass
class Visit:
    event: object
    training: object
    plenary: object
    person: object
    registration: object
    organiser: object


@pytest.fixture
def organiser(make):
    return make.user(role="organiser", name="Olena Kovalenko")


@pytest.fixture
def visit(db, make, organiser) -> Visit:
    """A two-day study visit to Chișinău with a 3-hour training session; Ion attended the training."""
    set_now(START - timedelta(days=20))
    host = make.organisation("General Police Inspectorate of Moldova", country="MD")
    event = make.event("Study visit: border risk analysis in Moldova", kind="study_visit", starts_at=START,
                       ends_at=START + timedelta(days=1, hours=9), organisers=[organiser], created_by=organiser,
                       city="Chișinău", country="MD", timezone="Europe/Chisinau", host_organisation_id=host.id)
    training = make.session(event, "Risk profiling of border crossings", starts_at=START + timedelta(hours=2),
                            hours=3, kind=SessionKind.TRAINING,
                            learning_objectives="Build a risk profile from passenger data.")
    plenary = make.session(event, "Welcome", starts_at=START, hours=1)
    person = make.user(name="Ion Rusu", organisation=make.organisation("Border Police of Moldova", country="MD"))
    registration = make.registration(event, person)
    set_now(START + timedelta(hours=2))
    attendance.check_in_session(registration, training, organiser)
    set_now(AFTER)
    return Visit(event, training, plenary, person, registration, organiser)
