"""The preview of an event's emails with the organisers' own paragraph: each email rendered as a
sample participant would receive it, in the organiser's language, from the same templates the
outbox uses. The sample participant is made up (never saved): no real person's data is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.accounts.models import User
from app.events.models import Event
from app.events.place import where
from app.events.urls import event_url
from app.notifications.rendering import render_email
from app.registrations.email_texts import KINDS, OwnParagraph
from app.registrations.models import Invitation, ParticipantRole
from app.templating import format_local
from app.urls import absolute_url

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


@dataclass
class Preview:
    kind: str
    label: str
    subject: str
    text: str
    html: Markup  # the HTML part's body, for the page


def _sample(event: Event) -> User:
    # Transient: never added to the database session.
    return User(name=_("Sample Participant"), email="participant@example.org", language=str(get_locale() or "en"),
                timezone=event.timezone)


def _context(kind: str, event: Event, user: User) -> tuple[str, dict]:
    links = {"event_link": absolute_url(f"/events/{event.id}/registration"), "my_events_link": absolute_url("/my/events")}
    if kind == "confirmation":
        return "calendar/itip", dict(
            kind="invitation", method="REQUEST", user=user, event=event, session=None,
            when_event_zone=f"{format_local(event.starts_at, event.timezone)} – {format_local(event.ends_at, event.timezone)}",
            when_user_zone=None, event_zone=event.timezone, user_zone=None, place=where(event, user.language),
            online_url=event.online_url, event_url=event_url(event), sequence=event.sequence, reason="")
    if kind == "waitlist":
        return "registrations/waitlisted", dict(user=user, event=event, position=3, **links)
    if kind == "reminder":
        return "scheduler/reminder", dict(recipient=user, event=event, days=1, place=where(event, user.language),
                                          event_url=event_url(event), has_calendar=True)
    invitation = Invitation(email=user.email, name=user.name, role=ParticipantRole.PARTICIPANT, token="sample")
    return "registrations/invitation", dict(user=user, event=event, invitation=invitation,
                                            invitation_link=absolute_url("/invitations/sample"), **links)


def previews(event: Event, paragraphs: dict[str, OwnParagraph | None]) -> list[Preview]:
    """Each email of KINDS as the sample participant would read it, with its paragraph (if any)."""
    user = _sample(event)
    found = []
    for kind, label in KINDS.items():
        template, context = _context(kind, event, user)
        subject, text, html = render_email(template, language=user.language, own_paragraph=paragraphs.get(kind),
                                           **context)
        match = _BODY.search(html or "")
        found.append(Preview(kind, str(label), subject, text, Markup(match.group(1) if match else html or "")))
    return found
