"""The parts of the participant list that are the same for every event and viewer (issue 19): the
bulk actions' fieldset and the organisers' tabs are rendered once per language (and, for the tabs,
per page and address root), each event's id put in afterwards; the CSRF token is the page's own."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from app.registrations.models import Registration, RegistrationStatus
from app.registrations.views import helpers
from app.registrations.views import participants as views
from tests.rendering import rendered_templates

PARTS = ("registrations/participants_bulk.html", "registrations/_organiser_tabs.html")


def _tabs(page: str) -> str:
    start = page.index('<ul class="nav nav-tabs')
    return page[start:page.index("</ul>", start)]


def test_bulk_actions_and_tabs_are_rendered_once_then_filled_with_each_events_id(app, db, make, login, organiser):
    views._bulk_fieldset_in.cache_clear()
    helpers._tabs_in.cache_clear()
    first, second = (make.event(f"Event {n}", organisers=[organiser]) for n in (1, 2))
    person = make.user(name="Ana")
    db.session.add(Registration(event_id=second.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    client = login(organiser)

    with rendered_templates(app) as names:
        page = client.get(f"/events/{first.id}/participants").get_data(as_text=True)
    assert [name for name in names if name in PARTS] == list(PARTS)
    with rendered_templates(app) as names:
        other = client.get(f"/events/{second.id}/participants").get_data(as_text=True)
        checkin = client.get(f"/events/{second.id}/check-in").get_data(as_text=True)
    assert not [name for name in names if name == PARTS[0]]
    assert [name for name in names if name == PARTS[1]] == [PARTS[1]]  # the check-in page: another active tab

    for shown, event in ((page, first), (other, second)):
        tabs = _tabs(shown)
        assert f'class="nav-link active" aria-current="page" href="/events/{event.id}/participants"' in tabs
        assert f'href="/events/{event.id}/check-in"' in tabs and tabs.count(f"/events/{event.id}/") == 13
        assert f'action="/events/{event.id}/participants/bulk"' in shown
        assert f'action="/events/{event.id}/participants/export"' in shown
        assert ('<input class="form-control" id="reason" maxlength="2000" name="reason" type="text" value="">'
                in shown)
        assert '<option value="promote">Move from the waiting list</option>' in shown
    assert re.search(rf'href="/events/{second.id}/participants/\d+">Ana</a>', other)
    assert f'class="nav-link active" aria-current="page" href="/events/{second.id}/check-in"' in _tabs(checkin)
    assert f'class="nav-link active" aria-current="page" href="/events/{second.id}/participants"' \
        not in _tabs(checkin)

    # Under another address root (the app mounted under a prefix) the addresses follow it.
    mounted = client.get(f"/events/{second.id}/participants", environ_overrides={"SCRIPT_NAME": "/liaison"})
    mounted = mounted.get_data(as_text=True)
    assert f'href="/liaison/events/{second.id}/check-in"' in _tabs(mounted)
    assert f'action="/liaison/events/{second.id}/participants/bulk"' in mounted


def test_the_remembered_parts_speak_each_viewers_language(app, db, make, login, organiser):
    colleague = make.user(role="organiser", language="uk")
    event = make.event(organisers=[organiser, colleague])
    english = login(organiser).get(f"/events/{event.id}/participants").get_data(as_text=True)
    ukrainian = login(colleague).get(f"/events/{event.id}/participants").get_data(as_text=True)
    with app.test_request_context(), force_locale("uk"):
        wanted = [gettext(text) for text in ("Check-in", "With the selected people", "Move from the waiting list")]
    assert all(text not in english for text in wanted[:2])
    assert wanted[0] in _tabs(ukrainian) and wanted[1] in ukrainian and wanted[2] in ukrainian
    assert "Check-in" in _tabs(english) and "With the selected people" in english


def test_the_bulk_form_carries_the_pages_csrf_token(app, db, make, login, organiser, monkeypatch):
    event = make.event(organisers=[organiser])
    person = make.user(name="Ana")
    registration = Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.PENDING)
    db.session.add(registration)
    db.session.commit()
    client = login(organiser)
    url = f"/events/{event.id}/participants"
    bulk_form = client.get(url).get_data(as_text=True).split('id="bulk-form"')[1].split("</form>")[0]
    assert 'name="csrf_token"' not in bulk_form

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'id="bulk-form">\s*<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">',
                      page).group(1)
    assert client.post(f"{url}/bulk", data={"ids": [registration.id], "action": "approve", "role": "",
                                            "reason": ""}).status_code == 400
    done = client.post(f"{url}/bulk", data={"csrf_token": token, "ids": [registration.id], "action": "approve",
                                            "role": "", "reason": ""})
    assert done.status_code == 302
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_export_choices_are_each_events_own_and_the_table_head_is_the_same(app, db, make, login, organiser):
    from app.registrations.questions import QuestionData, save_question

    views._table_head_in.cache_clear()
    views._column_choices_in.cache_clear()
    first, second = (make.event(f"Event {n}", organisers=[organiser]) for n in (1, 2))
    asked = save_question(first, QuestionData("Passport number", "document_number"), organiser)
    client = login(organiser)
    with rendered_templates(app) as names:
        pages = [client.get(f"/events/{event.id}/participants").get_data(as_text=True) for event in (first, second)]
        again = client.get(f"/events/{second.id}/participants?status=confirmed").get_data(as_text=True)
    rendered = [name for name in names if name.startswith("registrations/participants_")]
    assert rendered.count("registrations/participants_head.html") == 1
    assert rendered.count("registrations/participants_columns.html") == 2  # the second event asks no question
    assert f'value="answer_{asked.id}"' in pages[0] and "Passport number" in pages[0]
    assert "answer_" not in pages[1] and "Passport number" not in pages[1] and "answer_" not in again
    for page in pages:
        assert '<th scope="col">Name</th><th scope="col">Organisation</th>' in page
        assert '<input class="form-check-input" type="checkbox" name="columns" value="email" id="col-email" checked>' \
            in page
