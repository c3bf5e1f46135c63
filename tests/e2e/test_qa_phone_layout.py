"""Regression from the QA walk-through: organiser pages of the new features fit a phone's width
(390 px) without scrolling sideways; wide tables scroll inside their own box."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.demo import DEMO_PASSWORD
from app.demo.data import load_demo
from app.events.models import Event
from app.extensions import db
from tests.e2e.conftest import sign_in

PHONE = {"width": 390, "height": 844}


def _event_id(title_start: str) -> int:
    return db.session.scalars(select(Event.id).where(Event.title.startswith(title_start))).one()


@pytest.fixture
def demo(app):
    load_demo()


@pytest.mark.parametrize("title_start, suffix", [
    ("Study visit to the Border Police of Georgia", "certificates"),
    ("Study visit to Europol: EMPACT", "questions"),
    ("Tracing crypto-assets", "learning/results"),
    # Ukrainian labels are longer: the agenda's organiser actions, the check-in button and the
    # email preview (a long link in a table) overflowed in Ukrainian only.
    ("Cross-regional meeting on migrant smuggling", "?lang=uk"),
    ("Study visit to Europol: EMPACT", "check-in?lang=uk"),
    ("Study visit to Europol: EMPACT", "emails?lang=uk"),
    # Georgian: a lesson's status and TLP badges side by side did not fit.
    ("Training: cryptocurrency tracing for financial", "?lang=ka"),
])
def test_organiser_pages_do_not_scroll_sideways_on_a_phone(page, demo, title_start, suffix):
    page.set_viewport_size(PHONE)
    sign_in(page, "organiser@liaison.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    response = page.goto(f"/events/{_event_id(title_start)}/{suffix}".replace("/?", "?"))
    assert response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
