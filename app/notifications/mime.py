"""Build the MIME message for an outbox row (pure: no database, no network)."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import format_datetime

from app.notifications.models import OutboxMessage


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """multipart/mixed( multipart/alternative(text, html, [text/calendar; method=X]), attachments...)

    The inline text/calendar alternative is what Outlook, Gmail and Thunderbird read as an invitation
    (RFC 6047); the same calendar is attached as invite.ics for clients that ignore the alternative.
    """
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    if message.cc:
        email["Cc"] = ", ".join(message.cc)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        email[name] = value

    email.set_content(message.text_body, subtype="plain", charset="utf-8")
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html", charset="utf-8")
    if message.calendar:
        method = message.calendar["method"].upper()
        email.add_alternative(
            message.calendar["content"].encode("utf-8"),
            maintype="text",
            subtype="calendar",
            params={"method": method, "charset": "UTF-8"},
            cte="base64",
        )
        # Python's email package puts params on the Content-Type of the part we just added.
    for attachment in message.attachments or []:
        data = base64.b64decode(attachment["content_b64"])
        maintype, subtype = attachment["content_type"].split("/", 1)
        params = {}
        if attachment.get("method"):
            params["method"] = attachment["method"]
        if maintype == "text":
            # Bytes given to add_attachment get no charset, and text/* then means US-ASCII.
            params.setdefault("charset", "UTF-8")
        email.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=attachment["filename"], params=params
        )
    return email
