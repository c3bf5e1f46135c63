"""Where messages go: .eml files (development) or an SMTP server, and what a failure there means.

An SMTP failure is one of three kinds (`Failure`):
- PERMANENT: the server refused this message with a 5xx reply (recipient unknown, content
  rejected, sender refused). Retrying cannot help: the message is dead at once, with the reply.
- TEMPORARY: a 4xx reply to this message (mailbox busy, greylisting). Retried with growing delays.
- SERVER: the server itself failed - refused or dropped the connection, timed out, greeted with
  an error, refused our credentials, or answered 421 (closing). Not the message's fault: it keeps
  its attempt count, and after MAIL_SERVER_FAILURES of these in a row delivery backs off the server.
"""

from __future__ import annotations

import enum
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from flask import current_app

from app.notifications.models import OutboxMessage  # or a row of its table with the same names

# Replies that speak of the session or of our credentials, not of the message.
SERVER_REPLY_CODES = {421, 530, 534, 535, 538}
# A socket timeout never below this, even when the run's deadline is nearer.
MIN_TIMEOUT = 0.05


class Failure(enum.StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"
    SERVER = "server"


class SendError(Exception):
    """A failed send: its kind and the server's reply (or the connection error) to show an admin."""

    def __init__(self, kind: Failure, reply: str, timed_out: bool = False):
        super().__init__(reply)
        self.kind = kind
        self.reply = reply
        self.timed_out = timed_out


def _reply_text(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def _kind_of_code(code: int) -> Failure:
    if code in SERVER_REPLY_CODES:
        return Failure.SERVER
    if 500 <= code < 600:
        return Failure.PERMANENT
    if 400 <= code < 500:
        return Failure.TEMPORARY
    return Failure.SERVER


def classify(error: Exception) -> SendError:
    """What an exception raised while sending one message means (see the module's docstring)."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = {address: code for address, (code, _text) in error.recipients.items()}
        kinds = {_kind_of_code(code) for code in replies.values()}
        kind = next((k for k in (Failure.SERVER, Failure.TEMPORARY) if k in kinds), Failure.PERMANENT)
        text = "; ".join(f"{address}: {_reply_text(code, reply)}"
                         for address, (code, reply) in error.recipients.items())
        return SendError(kind, f"{name}: {text}")
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)):
        return SendError(Failure.SERVER, f"{name}: {_reply_text(error.smtp_code, error.smtp_error)}")
    if isinstance(error, smtplib.SMTPResponseException):
        return SendError(_kind_of_code(error.smtp_code), f"{name}: {_reply_text(error.smtp_code, error.smtp_error)}")
    if isinstance(error, (smtplib.SMTPException, OSError)):
        return SendError(Failure.SERVER, f"{name}: {error}", timed_out=isinstance(error, TimeoutError))
    return SendError(Failure.TEMPORARY, f"{name}: {error}")


class FileTransport:
    """Development default: each message becomes an .eml file a newcomer can open."""

    server = None  # no server to back off
    deadline: float | None = None

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, email: EmailMessage, message: OutboxMessage) -> str | None:
        stamp = message.created_at.strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{message.id:06d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(email))
        tmp.replace(path)
        return None

    def close(self) -> None:
        pass


class SMTPTransport:
    """ONE SMTP connection for the whole run, opened on first use. A refusal of one message leaves it
    open (smtplib resets the transaction); a connection that served earlier messages and then drops
    (an idle timeout, a server's per-session limit, 421) is reopened once for the message at hand.
    A wait that timed out is not repeated at once: the server may have taken the message, and a
    hanging server must cost one timeout per failure counted, not two."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None
        self.server = f"{config['MAIL_SMTP_HOST']}:{config['MAIL_SMTP_PORT']}"
        # time.monotonic() by which the run must end: no socket wait goes beyond it.
        self.deadline: float | None = None
        self.connections_opened = 0

    def _timeout(self) -> float:
        timeout = float(self.config["MAIL_SMTP_TIMEOUT"])
        if self.deadline is not None:
            timeout = min(timeout, max(self.deadline - time.monotonic(), MIN_TIMEOUT))
        return timeout

    def _tls_context(self) -> ssl.SSLContext:
        cafile = self.config.get("MAIL_SMTP_CA_FILE") or None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        self.connections_opened += 1
        if c["MAIL_SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(
                c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=self._timeout(), context=self._tls_context()
            )
        else:
            smtp = smtplib.SMTP(c["MAIL_SMTP_HOST"], c["MAIL_SMTP_PORT"], timeout=self._timeout())
        try:
            if not c["MAIL_SMTP_SSL"] and c["MAIL_SMTP_STARTTLS"]:
                smtp.starttls(context=self._tls_context())
            if c["MAIL_SMTP_USERNAME"]:
                smtp.login(c["MAIL_SMTP_USERNAME"], c["MAIL_SMTP_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_once(self, email: EmailMessage, message: OutboxMessage) -> dict:
        try:
            if self.connection is None:
                self.connection = self._connect()
            elif self.connection.sock is not None:
                self.connection.sock.settimeout(self._timeout())
            recipients = [addr for _name, addr in getaddresses(list(message.to) + list(message.cc or []))]
            from_addr = getaddresses([self.config["MAIL_FROM"]])[0][1]
            return self.connection.send_message(email, from_addr=from_addr, to_addrs=recipients)
        except Exception as error:  # noqa: BLE001 - classified; the caller records it
            failure = classify(error)
            if failure.kind is Failure.SERVER:
                self.drop()
            raise failure from error

    def send(self, email: EmailMessage, message: OutboxMessage) -> str | None:
        """Send one message; raises SendError. Returns the replies of recipients the server refused
        while it accepted the message for the others (None when all were accepted)."""
        reused = self.connection is not None
        try:
            refused = self._send_once(email, message)
        except SendError as error:
            if error.kind is not Failure.SERVER or not reused or error.timed_out:
                raise
            refused = self._send_once(email, message)
        if not refused:
            return None
        return "Refused: " + "; ".join(f"{a}: {_reply_text(code, text)}" for a, (code, text) in refused.items())

    def drop(self) -> None:
        """Forget a failed connection without a word to the server (it may not answer)."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.close()

    def close(self) -> None:
        """End the run's connection politely (QUIT), within a short timeout."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                if connection.sock is not None:
                    connection.sock.settimeout(min(self._timeout(), 2.0))
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()


def make_transport():
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])
