"""Insider attacks on events and registrations (issue 16), each reproduced through the web as the
attacker would try it and shown blocked. The index of attacks; the rules themselves are tested where
they live (tests/events, tests/registrations, tests/test_shared_rules.py, tests/lessons).

Route × role coverage is tests/test_authorisation_matrix.py; an admin reading an undelivered email's
restricted subject or personal link is tests/scheduler/test_views.py (the system pages)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from app.accounts.models import Role
from app.lessons.models import TLP
from app.lessons.summaries.store import SummaryDraft, save
from app.registrations.models import Invitation
from app.scheduler.jobs.closing import final_list_csv
from tests.events.test_views import _event_form
from tests.registrations.test_invitations_imports import _preview

FORMULA = '=HYPERLINK("http://evil.example","click")'
DIET, ACCESS = "Halal only, no pork-based gelatine", "Step-free access to the venue"
RED = "Informant network in Odesa port"


@pytest.fixture
def scene(db, make):
    creator = make.user(role=Role.ORGANISER, name="Olena Organiser")
    event = make.event("Port security workshop", created_by=creator, organisers=[creator])
    guest = make.user(name="Nadia Needs", email="nadia@police.example")
    registration = make.registration(event, guest, dietary_needs=DIET, accessibility_needs=ACCESS,
                                     needs_visa_letter=True, consented_at=event.starts_at - timedelta(days=9))
    red = make.lesson(event, creator, title=RED, tlp=TLP.RED)
    return {"creator": creator, "event": event, "guest": guest, "registration": registration, "red": red,
            "coordinator": make.user(role=Role.COORDINATOR), "admin": make.user(role=Role.ADMIN)}


def test_coordinator_appointing_themself_co_organiser_of_another_s_event_is_refused(scene, login, db):
    event, coordinator = scene["event"], scene["coordinator"]
    browser = login(coordinator)
    response = browser.post(f"/events/{event.id}/edit", data=_event_form(organiser_ids=str(coordinator.id)))
    assert response.status_code == 422
    db.session.refresh(event)
    assert [user.id for user in event.organisers] == [scene["creator"].id]
    assert browser.get(f"/lessons/{scene['red'].id}").status_code == 404
    assert DIET not in browser.get(f"/events/{event.id}/participants").get_data(as_text=True)


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_or_admin_of_other_events_reads_no_participant_needs(scene, login, who):
    event, registration = scene["event"], scene["registration"]
    browser = login(scene[who])
    export = (f"/events/{event.id}/participants/export?columns=name&columns=dietary_needs"
              "&columns=accessibility_needs&columns=needs_visa_letter&format=")
    pages = [browser.get(f"/events/{event.id}/participants").get_data(as_text=True),
             browser.get(f"/events/{event.id}/participants/{registration.id}").get_data(as_text=True),
             browser.get(export + "csv").get_data().decode("utf-8-sig"),
             _xlsx_text(browser.get(export + "xlsx").get_data()),
             _preview(browser, event, b"email,name\nnadia@police.example,Nadia Needs\n").get_data(as_text=True)]
    assert all("Nadia Needs" in page for page in pages[:4])
    assert not [page for page in pages if DIET in page or ACCESS in page]
    assert DIET in login(scene["creator"]).get(f"/events/{event.id}/participants/{registration.id}").get_data(
        as_text=True)  # the event's own organiser does see them


def test_every_route_answers_404_to_an_id_beyond_the_integer_range(app, make, login):
    """Walks the URL map: each route taking an id gets 2**63 for every id (other arguments a
    harmless value), as an admin, with each method it allows."""
    browser, huge, tried = login(make.user(role=Role.ADMIN)), 2**63, []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        if not any(isinstance(c, IntegerConverter) for c in converters.values()):
            continue
        values = {name: huge if isinstance(converter, IntegerConverter) else
                  sorted(getattr(converter, "items", None) or ["html"])[0] for name, converter in converters.items()}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            tried.append((adapter.build(rule.endpoint, values, method=method), method))
    answers = {(path, method): browser.open(path, method=method).status_code for path, method in tried}
    assert len(answers) > 40 and set(answers.values()) == {404}, {k: v for k, v in answers.items() if v != 404}


def test_import_with_control_characters_refuses_each_such_line(scene, login, db):
    data = (b"email,name\nok@police.example,Ok\nesc@police.example,\x1b[2JCleared\n"
            b"nul@police.example,Nu\x00l\nfine@police.example,Fine\n")
    page = _preview(login(scene["creator"]), scene["event"], data).get_data(as_text=True)
    assert "2 valid rows, 2 rows with problems" in page
    assert "<td>3</td>" in page and "U+001B" in page and "<td>4</td>" in page and "U+0000" in page
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return " ".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))


def _xlsx_cells(body: bytes) -> list:
    book = load_workbook(io.BytesIO(body))
    return [cell for sheet in book for line in sheet.iter_rows() for cell in line if cell.value is not None]


def _csv_cells(body: bytes) -> list[str]:
    return [cell for line in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in line]


def test_every_csv_and_xlsx_export_shows_a_formula_as_text(make, login):
    organiser = make.user(role=Role.ORGANISER)
    attacker = make.user(name="@SUM(A1:A9)", organisation=make.organisation(name=FORMULA))
    event = make.past_event(title="-2+3 workshop", organisers=[organiser], created_by=organiser)
    make.attendee(event, attacker, dietary_needs="+44 vegetarian")
    browser = login(organiser)
    base = f"/events/{event.id}/participants/export?columns=name&columns=organisation&columns=dietary_needs&format="
    csvs = [browser.get(base + "csv").get_data(), final_list_csv(event).encode()]
    csvs += [browser.get(f"/reports/{name}.csv").get_data() for name in ("dashboard", "participation")]
    xlsxs = [browser.get(base + "xlsx").get_data()]
    xlsxs += [browser.get(f"/reports/{name}.xlsx").get_data() for name in ("dashboard", "participation")]
    texts = [cell for body in csvs for cell in _csv_cells(body)]
    texts += [cell.value for body in xlsxs for cell in _xlsx_cells(body) if cell.data_type == "s"]
    assert "'" + FORMULA in texts and "'@SUM(A1:A9)" in texts  # the attack did reach the files
    assert not [text for text in texts if text[:1] in ("=", "+", "@", "\t", "\r")
                or (text[:1] == "-" and not _is_number(text))]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_markdown_exports_escape_raw_html(make, login):
    organiser, coordinator = make.user(role=Role.ORGANISER), make.user(role=Role.COORDINATOR)
    event = make.past_event(organisers=[organiser], created_by=organiser)
    make.attendee(event, make.user())
    entry = make.lesson(event, organiser, title="<img src=x onerror=alert(1)>", tlp=TLP.CLEAR,
                        observation="Seen: <script>alert(document.cookie)</script>")
    summary = save(coordinator, SummaryDraft("<b>Summary</b>", {}, "theme", [entry.id], "<iframe src=//evil>", None))
    exports = [login(organiser).get(f"/events/{event.id}/wrap-up/export/md").get_data(as_text=True),
               login(coordinator).get(f"/lessons/summaries/{summary.summary_id}/export/md").get_data(as_text=True)]
    for markdown in exports:
        assert "alert(document.cookie)" in markdown
        assert "<script" not in markdown and "<img" not in markdown and "<iframe" not in markdown
