"""The event page's registration form (issue 19): for an event without questions it is the same markup
but for the event's address, the page it goes back to and the session's CSRF token, so it is rendered
once per language and button (app.templating.render_kept) and those are put in. The token is the
page's own and registers; an event's questions are still asked; a refused form shows its errors."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.events.models import RegistrationMode
from app.registrations.models import Registration
from app.registrations.question_models import RegistrationQuestion
from tests.rendering import rendered_templates

FORM = "registrations/_register_form.html"


def _form(page: str) -> str:
    start = page.index('data-testid="registration-box"')
    return page[page.index("<form", start):page.index("</form>", start)]


def test_the_form_is_rendered_once_then_filled_with_each_events_address_and_the_pages_token(
        app, db, make, login, monkeypatch):
    app.extensions.pop("liaison_kept_markup", None)
    first, second = make.event(), make.event()
    client = login(make.user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    with rendered_templates(app) as names:
        pages = [client.get(f"/events/{event.id}").get_data(as_text=True) for event in (first, second)]
    assert names.count(FORM) == 1
    for page, event in zip(pages, (first, second), strict=True):
        form = _form(page)
        assert f'action="/events/{event.id}/register"' in form
        assert f'<input type="hidden" name="next" value="/events/{event.id}">' in form
        assert '<button class="btn btn-primary" type="submit">Register</button>' in form
        tokens = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', form))
        footer = re.search(r'data-testid="language-switcher">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                           page).group(1)
        assert tokens == {footer}

    token = tokens.pop()
    response = client.post(f"/events/{second.id}/register", data={"csrf_token": token, "role": "participant",
                                                                   "consent": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Registration.event_id).where(Registration.event_id == second.id)) == second.id


def test_each_button_and_language_has_its_own_form(app, db, make, login):
    app.extensions.pop("liaison_kept_markup", None)
    full = make.event(capacity=1)
    db.session.add(Registration(event_id=full.id, user_id=make.user().id, status="confirmed"))
    approval = make.event(registration_mode=RegistrationMode.APPROVAL)
    db.session.commit()
    english, ukrainian = login(make.user()), login(make.user(language="uk"))

    assert "Join the waiting list</button>" in _form(english.get(f"/events/{full.id}").get_data(as_text=True))
    assert "Ask to register</button>" in _form(english.get(f"/events/{approval.id}").get_data(as_text=True))
    with app.test_request_context(), force_locale("uk"):
        wanted = gettext("Ask to register")
    assert f"{wanted}</button>" in _form(ukrainian.get(f"/events/{approval.id}").get_data(as_text=True))


def test_an_events_questions_are_asked_and_a_refused_form_shows_its_errors(app, db, make, login):
    plain, asking = make.event(), make.event()
    db.session.add(RegistrationQuestion(event_id=asking.id, label="Badge name", position=0))
    db.session.commit()
    client = login(make.user())
    client.get(f"/events/{plain.id}")  # the plain form kept

    assert "Badge name" in _form(client.get(f"/events/{asking.id}").get_data(as_text=True))
    refused = client.post(f"/events/{plain.id}/register", data={"role": "participant"})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in _form(refused.get_data(as_text=True))
