"""notify(): render a templated email in the recipient's language and put it in the outbox.

The caller's transaction carries the message (see outbox.enqueue): commit the change and its
emails together, or roll both back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.notifications.models import OutboxMessage
from app.notifications.outbox import Attachment, CalendarPart, Recipient, enqueue
from app.notifications.rendering import render_email


@dataclass
class PreparedEmail:
    """A rendered email not yet in the outbox: render before a write transaction, enqueue inside it."""

    recipient: Recipient
    subject: str
    text: str
    html: str
    options: dict

    def enqueue(self) -> OutboxMessage | None:
        return enqueue(self.recipient, self.subject, self.text, self.html, **self.options)


def prepare(user, template: str, *, kind: str, dedupe_key: str | None = None,
            attachments: Iterable[Attachment] = (), calendar: CalendarPart | None = None,
            reply_to: str | None = None, **context) -> PreparedEmail | None:
    """Render what notify() would queue, without touching the outbox (None: no address)."""
    if not getattr(user, "email", None) or not getattr(user, "is_active_account", True):
        return None
    subject, text, html = render_email(template, language=getattr(user, "language", None),
                                       recipient=user, **context)
    return PreparedEmail(Recipient(email=user.email, name=user.name, user_id=user.id), subject, text, html,
                         {"kind": kind, "dedupe_key": dedupe_key, "attachments": list(attachments),
                          "calendar": calendar, "reply_to": reply_to})


def notify(user, template: str, *, kind: str, dedupe_key: str | None = None,
           attachments: Iterable[Attachment] = (), calendar: CalendarPart | None = None,
           reply_to: str | None = None, **context) -> OutboxMessage | None:
    """Queue templates/email/<template>.<lang>.{txt,html} for `user` (a User), rendered with
    `recipient=user` plus `context`. Returns None when nothing was queued (no address, or a
    message with the same dedupe_key exists)."""
    prepared = prepare(user, template, kind=kind, dedupe_key=dedupe_key, attachments=attachments,
                       calendar=calendar, reply_to=reply_to, **context)
    return prepared.enqueue() if prepared is not None else None
