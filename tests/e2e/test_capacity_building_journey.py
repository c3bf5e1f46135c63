"""Real browser, issue 22 end to end: one capacity-building journey through every part.

A coordinator assesses the needs of Moldova's border police, a member answers on a phone, the
coordinator records the capability gap and plans a training event from it, holds it at a facility of
the roster, opens a call for contributions; a participant proposes a training, another supports it,
the coordinator puts it on the agenda with the proposer as trainer, builds its pre- and post-test;
the participant takes both on a phone around the session and is checked in at the desk; the
coordinator sees the learning gain; after the event the participant downloads the certificate, and
its QR code, opened by someone not signed in, says it is valid. The need lists the event.

The server's clock is moved with set_now between the steps (the live server runs in this process).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Role, User
from app.learning import taking
from app.learning.models import CheckKind, KnowledgeCheck
from app.timeutil import set_now
from tests.certificates.conftest import qr_codes
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.learning.conftest import answer_ids

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; the planned event starts 12 weeks later
# Planned on 5 March: 28-30 May 2026 from 09:00 in Brussels; the session on its second day.
SESSION_START = datetime(2026, 5, 29, 8, 0, tzinfo=UTC)  # 10:00 in Brussels
SESSION_END = SESSION_START + timedelta(hours=3)
EVENT_END = datetime(2026, 5, 30, 15, 0, tzinfo=UTC)
NEED = "Tracing cryptocurrency payments of smuggling networks"
SESSION = "Tracing crypto payments: a hands-on lab"
FACILITY = "Border Police Training Centre Chișinău"
COORDINATOR, MEMBER = "ana@network.example", "ion@border.example.md"
MILICA, NATALIA, GIORGI = "milica@mup.example.rs", "natalia@border.example.md", "giorgi@police.example.ge"


@pytest.fixture
def world(app, make, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", live_server)  # the QR code points at this server
    set_now(T0)
    unit = make.organisation(name="Border Police of Moldova", country="MD")
    make.user(role=Role.COORDINATOR, name="Ana Coordinator", email=COORDINATOR)
    make.user(name="Ion Rusu", email=MEMBER, organisation=unit)
    make.user(name="Milica Jovanović", email=MILICA)
    make.user(name="Natalia Ciobanu", email=NATALIA, organisation=unit)
    make.user(name="Giorgi Beridze", email=GIORGI)
    make.theme("Cryptocurrency investigations")
    make.facility(FACILITY, unit, country="MD", city="Chișinău", address="Str. Columna 17")
    yield
    set_now(None)


def _phone(browser, live_server, email: str):
    context = browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Chisinau", **PHONE)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, email, PASSWORD)
    phone.wait_for_url("**/")
    return context, phone


def _assess(page, browser, live_server) -> str:
    """The coordinator's assessment for Moldova, answered by a member on a phone; returns its URL."""
    sign_in(page, COORDINATOR, PASSWORD)
    page.wait_for_url("**/")
    page.get_by_test_id("nav-manage").click()  # a coordinator's network pages are under "Manage"
    page.get_by_role("link", name="Needs assessments").click()
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Moldova border units: financial investigation needs")
    page.get_by_label("The assessment is for").select_option("country")
    page.get_by_label("Country").select_option("MD")
    page.get_by_label("Answers due by (end of that day)").fill((T0 + timedelta(days=20)).date().isoformat())
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Assessment created.").wait_for()
    page.get_by_label("Question type").select_option("scale")
    page.get_by_label("Question", exact=True).fill("How well can your unit trace cryptocurrency payments?")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    people = page.get_by_role("combobox", name="People")  # the people picker, asking /people/search
    people.click()
    page.keyboard.type("rusu", delay=40)
    option = page.locator(".ts-dropdown:visible").get_by_role("option")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("Ion Rusu")
    option.click()
    page.get_by_role("button", name="Send to them").click()
    page.get_by_text("1 person added.").wait_for()
    page.get_by_role("button", name="Open and send").click()
    page.get_by_text("The assessment is open: 1 invitation sent.").wait_for()
    assessment_url = page.url

    set_now(T0 + timedelta(days=2))
    context, phone = _phone(browser, live_server, MEMBER)
    try:
        phone.goto("/assessments/")
        phone.get_by_role("link", name="Moldova border units: financial investigation needs").tap()
        phone.get_by_label("1").check()
        phone.get_by_role("button", name="Submit answers").tap()
        expect(phone.get_by_test_id("submitted")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    return assessment_url


def _plan(page, assessment_url: str) -> tuple[int, str]:
    """Results → a recorded need → a planned training at a roster facility, published; (event id, need URL)."""
    set_now(T0 + timedelta(days=3))
    page.goto(assessment_url)
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_test_id("question-results").locator("svg").first).to_be_visible()
    expect(page.locator('[data-figure="Submitted"]')).to_have_text("1")
    page.goto(assessment_url)
    page.get_by_role("link", name="Record a need").click()
    page.get_by_label("Need", exact=True).fill(NEED)
    page.get_by_label("Description", exact=True).fill("Units cannot follow payments to drivers made in USDT.")
    page.get_by_label("Theme", exact=True).select_option(label="Cryptocurrency investigations")
    page.get_by_label("Country", exact=True).select_option("MD")
    page.get_by_label("Priority", exact=True).select_option("high")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Need recorded.")).to_be_visible()
    need_url = page.url
    page.get_by_role("button", name="Plan a training event").click()
    expect(page.get_by_text("A draft training event was planned from the need.")).to_be_visible()
    page.wait_for_load_state()  # facility-pick.js, at the page's end, listens before a facility is chosen
    expect(page.get_by_label("Title", exact=True)).to_have_value(f"Training: {NEED}")
    expect(page.get_by_label("Kind", exact=True)).to_have_value("training")
    page.get_by_label("Facility", exact=True).select_option(label=FACILITY)
    expect(page.get_by_label("Venue", exact=True)).to_have_value(FACILITY)
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url(re.compile(r"/events/\d+$"))
    event_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("body")).to_contain_text(FACILITY)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    return event_id, need_url


def _register(person, event_id: int) -> None:
    person.goto(f"/events/{event_id}")
    box = person.get_by_test_id("registration-box")
    box.get_by_label("I have read and accept the privacy notice").check()
    box.get_by_role("button", name="Register").click()
    expect(person.get_by_test_id("registration-status")).to_contain_text("Confirmed")


def _call_and_agenda(page, new_page, make, event_id: int) -> None:
    """Call for contributions; Milica registers and proposes, Natalia supports; the session is scheduled."""
    page.goto(f"/events/{event_id}/call")
    page.get_by_label("Deadline for proposals").fill("2026-04-30T17:00")
    page.get_by_label("What you are looking for").fill("Cases of tracing payments to drivers and recruiters.")
    page.get_by_role("button", name="Open the call").click()

    set_now(T0 + timedelta(days=10))
    milica = new_page()
    sign_in(milica, MILICA, PASSWORD)
    _register(milica, event_id)
    milica.get_by_test_id("call-panel").get_by_role("link", name="Propose a topic").click()
    milica.get_by_label("A case to present").check()
    milica.get_by_label("Title").fill(SESSION)
    milica.get_by_label("Short description").fill("Following USDT from a smuggler's wallet to an exchange, step by step.")
    milica.get_by_label("Kind of session").select_option("training")
    milica.get_by_role("button", name="Send my proposal").click()
    milica.wait_for_url(re.compile(rf"/events/{event_id}/proposals$"))

    natalia = new_page()
    sign_in(natalia, NATALIA, PASSWORD)
    _register(natalia, event_id)
    natalia.goto(f"/events/{event_id}/proposals")
    natalia.get_by_role("button", name="Support").click()
    expect(natalia.get_by_test_id("support-count")).to_have_text("1 supporter")

    set_now(T0 + timedelta(days=60))
    page.goto(f"/events/{event_id}/proposals")
    page.get_by_role("link", name="Review").click()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/schedule$"))
    expect(page.get_by_test_id("from-proposal")).to_contain_text("Milica Jovanović")
    expect(page.get_by_label("Kind", exact=True)).to_have_value("training")
    page.get_by_label("Starts").fill("2026-05-29T10:00")
    page.get_by_label("Ends", exact=True).fill("2026-05-29T13:00")
    page.get_by_role("button", name="Add session").click()
    page.wait_for_url(re.compile(rf"/events/{event_id}(#agenda)?$"))
    expect(page.locator("#agenda")).to_contain_text(SESSION)
    expect(page.locator("#agenda")).to_contain_text("Milica Jovanović")


def _tests(page, event_id: int) -> None:
    """A pre-test with two questions for the session, copied to its post-test."""
    page.goto(f"/events/{event_id}/learning")
    page.get_by_role("button", name=f"Create pre-test — {SESSION}").click()
    for text, options in (("Which record links a wallet to a person?", "*Exchange KYC records\nA block explorer"),
                          ("What identifies one transfer on a blockchain?", "*A transaction hash\nA wallet name")):
        page.get_by_label("Question", exact=True).fill(text)
        page.get_by_label("Options").fill(options)
        page.get_by_role("button", name="Add the question").click()
        expect(page.get_by_test_id("questions")).to_contain_text(text)
    page.get_by_test_id("copy-to-post").click()
    page.goto(f"/events/{event_id}/learning")
    expect(page.get_by_test_id("learning-scopes").get_by_role("link", name="2 questions")).to_have_count(2)


def _take(phone, event_id: int, heading: str, picks: list[str]) -> None:
    phone.goto(f"/events/{event_id}")
    phone.get_by_test_id("take-test").tap()
    expect(phone.get_by_role("heading", name=re.compile(heading))).to_be_visible()
    for label in picks:
        phone.locator("label.btn", has_text=label).first.tap()
    phone.get_by_role("button", name="Send my answers").tap()
    phone.wait_for_url(re.compile(rf"/events/{event_id}$"))


def _giorgi_takes(db, make, event_id: int, kind: CheckKind, picks: list[list[int]]) -> None:
    """Another participant's answers, through factories and the service (his taking them is not the point)."""
    db.session.rollback()  # a fresh snapshot: the live server has written since (SQLite)
    check = db.session.scalars(select(KnowledgeCheck).filter_by(event_id=event_id, kind=kind)).one()
    giorgi = db.session.scalars(select(User).filter_by(email=GIORGI)).one()
    if kind == CheckKind.PRE:
        make.registration(check.event, giorgi)
    taking.submit(check, giorgi, answer_ids(check, picks))


def _session_day(page, new_page, browser, live_server, db, make, event_id: int) -> None:
    """Natalia: pre-test before the session, check-in at the desk, post-test after (Giorgi's by the service)."""
    set_now(SESSION_START - timedelta(minutes=30))
    trainer = new_page()  # Milica leads the session: its tests are not for her
    sign_in(trainer, MILICA, PASSWORD)
    trainer.goto(f"/events/{event_id}")
    expect(trainer.get_by_test_id("registration-status")).to_contain_text("Confirmed")
    expect(trainer.get_by_test_id("take-test")).to_have_count(0)
    context, phone = _phone(browser, live_server, NATALIA)
    try:
        _take(phone, event_id, "Pre-test", ["A block explorer", "A wallet name"])  # 0 %
        _giorgi_takes(db, make, event_id, CheckKind.PRE, [[1], [2]])  # 50 %

        set_now(SESSION_START + timedelta(minutes=20))
        page.goto(f"/events/{event_id}/check-in")
        page.get_by_label("Day or session").select_option(label=f"Session: {SESSION}")
        page.get_by_role("button", name="Search").click()
        row = page.get_by_test_id("checkin-list").locator("li", has_text="Natalia Ciobanu")
        row.get_by_role("button", name="Check in").click()
        expect(row.get_by_text("Checked in")).to_be_visible()

        set_now(SESSION_END + timedelta(minutes=30))
        _take(phone, event_id, "Post-test", ["Exchange KYC records", "A transaction hash"])  # 100 %
        _giorgi_takes(db, make, event_id, CheckKind.POST, [[1], [1]])  # 100 %
    finally:
        context.close()
    page.goto(f"/events/{event_id}/learning")
    page.get_by_role("link", name="Learning results").first.click()
    scope = page.get_by_test_id("learning-scope").filter(has_text=SESSION)
    expect(scope.get_by_test_id("n-paired")).to_have_text("2")
    expect(scope.get_by_test_id("gain")).to_contain_text("+75")  # 25 % -> 100 %


def _certificate(new_page, event_id: int, need_url: str, page, tmp_path) -> None:
    set_now(EVENT_END + timedelta(days=2))
    natalia = new_page()
    sign_in(natalia, NATALIA, PASSWORD)
    natalia.goto("/my/events?show=past")
    natalia.get_by_test_id(f"my-registration-{event_id}").get_by_role("link", name="Certificates of attendance").click()
    item = natalia.get_by_test_id("certificate-item").filter(has_text=SESSION)
    expect(item.get_by_test_id("certificate-status")).to_contain_text("Earned")
    href = item.get_by_test_id("certificate-download").get_by_role("link", name="Download (PDF)").get_attribute("href")
    response = natalia.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    [url] = qr_codes(response.body(), tmp_path)
    assert "/certificates/verify/LIA-2026-" in url

    visitor = new_page()  # not signed in
    visitor.goto(url)
    expect(visitor.get_by_test_id("verify-status")).to_contain_text("Valid")
    expect(visitor.get_by_test_id("verify-details")).to_contain_text("Natalia Ciobanu")
    expect(visitor.get_by_test_id("verify-details")).to_contain_text(SESSION)

    page.goto(need_url)
    linked = page.get_by_test_id("need-events").get_by_role("listitem")
    expect(linked).to_have_count(1)
    expect(linked).to_contain_text(f"Training: {NEED}")
    expect(linked).to_contain_text("28 May 2026")
    expect(linked).not_to_contain_text("draft")  # published since


def test_capacity_building_from_needs_assessment_to_verified_certificate(
        world, app, db, make, browser, live_server, page, new_page, tmp_path):
    assessment_url = _assess(page, browser, live_server)
    event_id, need_url = _plan(page, assessment_url)
    _call_and_agenda(page, new_page, make, event_id)
    _tests(page, event_id)
    _session_day(page, new_page, browser, live_server, db, make, event_id)
    _certificate(new_page, event_id, need_url, page, tmp_path)
