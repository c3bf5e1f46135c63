"""Reading the outbox in tests: the messages queued for an address, and the link a message carries."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import OutboxMessage


def messages(to: str | None = None, kind: str | None = None) -> list[OutboxMessage]:
    db.session.commit()  # end the test's snapshot: see what the requests queued
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    found = db.session.scalars(query).all()
    return [m for m in found if to is None or any(to in address for address in m.to)]


def last(to: str | None = None, kind: str | None = None) -> OutboxMessage:
    found = messages(to, kind)
    assert found, f"no message to {to} of kind {kind}"
    return found[-1]


def link(message: OutboxMessage, path_prefix: str) -> str:
    """The path (on this site) of the first link in the message's text that starts with `path_prefix`."""
    for url in re.findall(r"https?://\S+", message.text_body):
        path = urlsplit(url).path
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no {path_prefix} link in: {message.text_body}")


def confirm_link(to: str) -> str:
    return link(last(to, "account.confirm_email"), "/confirm/")
