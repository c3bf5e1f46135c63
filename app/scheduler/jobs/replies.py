"""Read calendar replies (iTIP METHOD:REPLY emails) from the organiser's mailbox over IMAP.

Unseen messages are fetched without marking them (BODY.PEEK), each is processed by
app.calendar.replies (recorded once per Message-ID, in its own short transaction) and then flagged
\\Seen. A crash between the two leaves the message unseen: the next run reads it again and the
Message-ID makes it a no-op, so nothing is applied twice. A message whose processing fails stays
unseen and is retried at the next run.
"""

from __future__ import annotations

import imaplib
import ssl
from datetime import datetime

from flask import current_app

from app.calendar import replies
from app.scheduler.jobs.work import JobResult, fail

BATCH = 200  # messages per run: the rest wait for the next one


def _connect(config) -> imaplib.IMAP4:
    host, port, timeout = config["IMAP_HOST"], int(config["IMAP_PORT"]), int(config["IMAP_TIMEOUT"])
    if config["IMAP_SSL"]:
        imap = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        imap = imaplib.IMAP4(host, port, timeout=timeout)
    imap.login(config["IMAP_USER"], config["IMAP_PASSWORD"])
    return imap


def _unseen(imap: imaplib.IMAP4) -> list[bytes]:
    status, data = imap.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
    return (data[0] or b"").split()[:BATCH]


def _fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    return next((part[1] for part in data if isinstance(part, tuple) and len(part) > 1), None)


def _process_mailbox(imap: imaplib.IMAP4, result: JobResult) -> int:
    seen = 0
    for uid in _unseen(imap):
        raw = _fetch(imap, uid)
        if raw is None:
            continue
        try:
            reply = replies.process(raw)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            fail(result, f"calendar reply (IMAP UID {uid.decode()})", error)
            continue
        if reply is None:
            result.skipped += 1
        elif reply.outcome.value == "pending_confirmation":
            result.sent += 1
        imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        seen += 1
    return seen


def run_calendar_replies(at: datetime) -> JobResult:
    """Read the unseen replies in IMAP_MAILBOX and apply them (see app.calendar.replies)."""
    config = current_app.config
    result = JobResult()
    if not config.get("IMAP_HOST"):
        result.detail = "IMAP_HOST is not set: calendar replies are not read"
        return result
    imap = _connect(config)
    try:
        status, data = imap.select(config.get("IMAP_MAILBOX") or "INBOX")
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open mailbox: {data!r}")
        count = _process_mailbox(imap, result)
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    result.detail = (f"{count} calendar repl(ies) read, {result.skipped} already recorded, "
                     f"{result.sent} confirmation email(s) queued")
    return result
