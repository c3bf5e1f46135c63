"""The lessons capability speaks the reader's language: every enum label is marked for translation,
emails are written in their recipient's language (even the neutral reference to an entry, built
before the email is rendered), and the summary and wrap-up exports in the downloader's.

Catalogs may still be empty, so the tests install a pseudo-translation that tags every translated
string with the locale it was translated in ("[uk]…"): a string that escaped gettext, or that was
translated in the wrong language, shows without the right tag."""

from __future__ import annotations

import re

import flask_babel
import pytest
from babel.support import NullTranslations
from flask_babel import get_locale
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.lessons import actions, workflow
from app.lessons.models import (
    TLP,
    ActionStatus,
    Addressee,
    LessonKind,
    LessonStatus,
    RecommendationType,
)
from app.notifications.models import OutboxMessage
from tests.factories import lesson as make_lesson


class Tagged(NullTranslations):
    """Every message comes back as "[<locale>]message"."""

    def gettext(self, message):
        return f"[{get_locale()}]{message}"

    def ngettext(self, singular, plural, n):
        return f"[{get_locale()}]{singular if n == 1 else plural}"

    ugettext, ungettext = gettext, ngettext


@pytest.fixture
def tagged(monkeypatch):
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Tagged())


@pytest.mark.parametrize("enum_cls", [LessonKind, LessonStatus, RecommendationType, Addressee, ActionStatus])
def test_every_label_is_marked_for_translation(enum_cls, tagged, app):
    with app.test_request_context("/?lang=uk"):
        for member in enum_cls:
            assert member.label.startswith("[uk]"), member


def test_markings_stay_as_tlp_writes_them(tagged, app):
    with app.test_request_context("/?lang=uk"):
        assert [t.label for t in TLP] == ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]


def _outbox(user) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_user_id == user.id).order_by(OutboxMessage.id)))


def _untagged_lines(text: str, locale: str, content: tuple[str, ...]) -> list[str]:
    """Lines with words that are neither tagged for `locale` nor user content."""
    lines = []
    for line in text.splitlines():
        rest = line.replace(f"[{locale}]", "")
        for value in content:
            rest = rest.replace(value, "")
        if f"[{locale}]" not in line and re.search(r"[A-Za-z]{3,}", re.sub(r"https?://\S+", "", rest)):
            lines.append(line)
    return lines


def test_emails_speak_each_recipients_language(app, make, tagged):
    organiser = make.user(role=Role.ORGANISER, name="Olha Organiser")
    event = make.past_event(title="Joint action day", organisers=[organiser])
    author = make.user(name="Andrii Author")
    author.language = "uk"
    owner = make.user(name="Giorgi Owner")
    owner.language = "ka"
    make.attendee(event, author)
    red = make_lesson(event, author, title="Radio keys leaked", tlp=TLP.RED, status=LessonStatus.SUBMITTED)
    db.session.commit()

    workflow.transition(red, organiser, "validate")
    actions.add_action(organiser, actions.ActionData(title="Change the radio keys", owner_user_id=owner.id),
                       lesson=red)

    content = ("Olha Organiser", "Andrii Author", "Giorgi Owner", "Joint action day", "Radio keys leaked",
               "Change the radio keys", "TLP:RED")
    decision = [m for m in _outbox(author) if m.kind == "lesson_decision"]
    assert decision and decision[0].subject.startswith("[uk]")
    assert _untagged_lines(decision[0].text_body, "uk", content) == []
    assert "[ka]" not in decision[0].text_body
    assigned = [m for m in _outbox(owner) if m.kind == "action_assigned"][0]
    assert assigned.subject.startswith("[ka]")
    assert _untagged_lines(assigned.text_body, "ka", content) == []
    # The owner may not see the RED entry: its neutral reference, built before the email was
    # rendered, is still in the owner's language (and never names the entry).
    assert "[ka]an entry marked TLP:RED from Joint action day" in assigned.text_body
    assert "Radio keys leaked" not in assigned.text_body + (assigned.html_body or "")


def test_summary_and_wrap_up_exports_speak_the_downloaders_language(login, make, tagged):
    coordinator = make.user(role=Role.COORDINATOR, name="Chloe Coordinator")
    organiser = make.user(role=Role.ORGANISER, name="Olha Organiser")
    event = make.past_event(title="Joint action day", organisers=[organiser])
    author = make.user(name="Andrii Author")
    make.attendee(event, author)
    entry = make_lesson(event, author, title="Radio keys leaked", tlp=TLP.GREEN, status=LessonStatus.VALIDATED,
                        recommendation="Rotate keys", addressed_to=Addressee.PRACTITIONERS)
    client = login(coordinator)
    response = client.post("/lessons/summaries/new?lang=ro", data={
        "title": "Radio lessons", "group_by": "kind", "filters": "{}", "lesson_ids": [str(entry.id)]})
    assert response.status_code == 302
    summary_url = response.headers["Location"]
    markdown = client.get(f"{summary_url}/export/md?lang=ro").get_data(as_text=True)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings and all("[ro]" in line for line in headings), headings
    assert "| [ro]Figure | [ro]Value |" in markdown
    assert "[ro]Limited disclosure: the network's community." in markdown  # beside TLP:GREEN
    wrap_up = login(organiser).get(f"/events/{event.id}/wrap-up/export/md?lang=sr").get_data(as_text=True)
    assert wrap_up.startswith("**TLP:GREEN — [sr]")
    assert all("[sr]" in line for line in wrap_up.splitlines() if line.startswith("## ")), wrap_up
    html = login(organiser).get(f"/events/{event.id}/wrap-up/export/html?lang=ka").get_data(as_text=True)
    assert '<html lang="ka">' in html
