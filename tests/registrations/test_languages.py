"""Registrations in the reader's language (issue 20): counts with real plural forms, and choices
(roles, statuses) made when the page is, not frozen in English when the module was imported.
The wording comes from small catalogs written for the test (tests/registrations/catalogs.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from app.registrations import register
from app.registrations.event_page import registration_facts
from app.timeutil import set_now
from tests.registrations.catalogs import temporary_catalog

NO_LIMIT = ("%(num)d registered (no limit)", "%(num)d registered (no limit)")
# Three forms: one (1, 21), few (2), many (5).
PLURALS = {
    "uk": ("%(num)d зареєстрований (без обмежень)", "%(num)d зареєстровані (без обмежень)",
           "%(num)d зареєстрованих (без обмежень)"),
    "sr": ("%(num)d пријављен (без ограничења)", "%(num)d пријављена (без ограничења)",
           "%(num)d пријављених (без ограничења)"),
}


@pytest.mark.parametrize("language", ["uk", "sr"])
def test_the_seat_count_takes_the_plural_form_of_the_language(app, db, make, tmp_path, language):
    event = make.event(capacity=None)
    one, few, many = PLURALS[language]
    expected = {1: one, 2: few, 5: many, 21: one}
    with temporary_catalog(tmp_path, language, {NO_LIMIT: PLURALS[language]}), force_locale(language):
        for number, form in expected.items():
            assert registration_facts(event, taken=number)["seats"] == form % {"num": number}
    assert registration_facts(event, taken=5)["seats"] == "5 registered (no limit)"


GEORGIAN = {
    "Participant": "მონაწილე",
    "Speaker": "მომხსენებელი",
    "Confirmed": "დადასტურებული",
    "On the waiting list": "მოლოდინის სიაში",
    "All": "ყველა",
}


def test_role_and_status_choices_speak_the_page_language(db, make, login, organiser, itip_calls, tmp_path):
    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = make.event(capacity=1, organisers=[organiser], starts_at=datetime(2027, 3, 8, tzinfo=UTC))
    register.register(event, make.user(), consent=True)
    member = make.user(language="ka")
    organiser.language = "ka"
    db.session.commit()
    with temporary_catalog(tmp_path, "ka", GEORGIAN):
        box = login(member).get(f"/events/{event.id}/registration").get_data(as_text=True)
        assert '<option selected value="participant">მონაწილე</option>' in box
        assert '<option value="speaker">მომხსენებელი</option>' in box
        page = login(organiser).get(f"/events/{event.id}/participants").get_data(as_text=True)
        assert '<option value="participant">მონაწილე</option>' in page  # the bulk action's role
        assert ">ყველა<" in page and ">დადასტურებული (1)<" in page and ">მოლოდინის სიაში (0)<" in page
    # The same pages in English for an English reader: nothing was frozen in Georgian either.
    member.language = "en"
    db.session.commit()
    assert '<option selected value="participant">Participant</option>' in login(member).get(
        f"/events/{event.id}/registration").get_data(as_text=True)


UKRAINIAN = {
    "Waiting list: %(title)s": "Список очікування: %(title)s",
    "Dear %(name)s,": "Шановна(ий) %(name)s,",
    "%(title)s is full. You are number %(position)s on the waiting list.":
        "Усі місця на «%(title)s» зайняті. Ви %(position)s-й у списку очікування.",
}


def test_the_waiting_list_notice_speaks_the_recipients_language(db, make, organiser, itip_calls, tmp_path):
    """Rendered before the event lock with the position marked, then filled in: the language stays."""
    from app.notifications.models import OutboxMessage

    set_now(datetime(2027, 3, 1, tzinfo=UTC))
    event = make.event(capacity=1, organisers=[organiser], starts_at=datetime(2027, 3, 8, tzinfo=UTC),
                       title="Cybercrime conference")
    register.register(event, make.user(language="en"), consent=True)
    olena = make.user(name="Олена Коваль", language="uk")
    with temporary_catalog(tmp_path, "uk", UKRAINIAN):
        outcome = register.register(event, olena, consent=True)
    assert outcome.waitlist_position == 1
    notice = db.session.query(OutboxMessage).filter_by(kind="registration.waitlisted").one()
    assert notice.subject == "Список очікування: Cybercrime conference"
    assert "Шановна(ий) Олена Коваль," in notice.text_body
    assert "Усі місця на «Cybercrime conference» зайняті. Ви 1-й у списку очікування." in notice.text_body
    assert "Ви <strong>1</strong>-й" in notice.html_body
