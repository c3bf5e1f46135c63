"""An invitation's email rendered once for an event and language and the name written in
(app.calendar.itip._rendered) reads exactly as one rendered for that person."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.calendar import itip
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.rendering import render_email
from tests.factories import registration as register

NAMES = ("O'Brien & <Sons> \"Q\"", "Ñandú %(name)s 50% {x}", "__liaison_recipient_name__", "Olena")


def _bodies(app, registrations) -> list[tuple]:
    """The invitations' addressees and texts, written and rolled back."""
    before = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    with app.test_request_context("/"):
        for registration in registrations:
            itip.queue_invitation(registration)
    db.session.flush()
    found = [(m.to, m.subject, m.text_body, m.html_body) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id))]
    db.session.rollback()
    return found


def test_invitations_from_the_memo_equal_those_rendered_for_each_person(app, make, monkeypatch):
    event = make.event(title="Зустріч & <експертів>", starts_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
                       timezone="Europe/Kyiv", venue="Хрещатик, 1", city="Kyiv", country="UA")
    people = [make.user(name=name, language=language, timezone=zone)
              for name in NAMES for language, zone in (("uk", "Europe/Kyiv"), ("en", "America/New_York"))]
    registrations = [register(event, person) for person in people]
    db.session.commit()
    remembered = _bodies(app, registrations)
    assert len(remembered) == len(people)
    assert any("O&#39;Brien &amp; &lt;Sons&gt; &#34;Q&#34;" in html for *_rest, html in remembered)
    assert all(person.name in text for person, (_to, _subject, text, _html) in zip(people, remembered, strict=True))
    monkeypatch.setattr(itip, "_rendered", lambda user, language, **context: render_email(
        "calendar/itip", language=language, user=user, **context))
    assert _bodies(app, registrations) == remembered
