"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that records what arrived."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts every message, except those `reject(n, envelope)` refuses (n counts DATA commands;
    it returns True for a 550 or the reply itself), and recipients `recipient_replies` answers."""

    reject: object = None
    # {"someone@example.org": "550 5.1.1 No such user"}: the reply to RCPT TO for that address.
    recipient_replies: dict = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.recipient_replies:
            return self.recipient_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            n = self.data_commands
        refusal = self.reject(n, envelope) if self.reject is not None else None
        if refusal:
            return refusal if isinstance(refusal, str) else "550 5.7.1 Message rejected by test server"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"] for r in self.received]


class SMTPServer:
    def __init__(self, handler: RecordingHandler, credentials: tuple[str, str] | None = None):
        self.handler = handler
        self.port = free_port()
        self.logins: list[str] = []
        kwargs = {}
        if credentials:
            def authenticator(_server, _session, _envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and (
                    auth_data.login.decode(), auth_data.password.decode()) == credentials
                if ok:
                    self.logins.append(auth_data.login.decode())
                return AuthResult(success=ok)

            kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def use_smtp(app, monkeypatch, server: SMTPServer, **extra) -> None:
    """Point the application's mail settings at `server` for this test."""
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": server.port,
        "MAIL_SMTP_STARTTLS": False,
        "MAIL_SMTP_SSL": False,
        "MAIL_SMTP_USERNAME": "",
        "MAIL_SMTP_PASSWORD": "",
        "MAIL_SMTP_TIMEOUT": 10,
        **extra,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
