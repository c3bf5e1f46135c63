"""SMTP over TLS: STARTTLS and implicit TLS (SMTPS) with credentials, against a real server."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.notifications.delivery import deliver_pending
from app.notifications.outbox import Recipient, enqueue
from tests.conftest import require
from tests.notifications.smtp import RecordingHandler, free_port

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # SMTPS is TLS from the first byte; aiosmtpd's "AUTH without STARTTLS" warning does not apply.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    require(shutil.which("openssl") is not None, "openssl is not installed (needed to make a test certificate)")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def _server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _authenticator(logins):
    def authenticate(_server, _session, _envelope, _mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"liaison", b"pw")
        if ok:
            logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    return authenticate


def _configure(app, monkeypatch, port, certificate, **extra):
    settings = {
        "MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": port,
        "MAIL_SMTP_USERNAME": "liaison", "MAIL_SMTP_PASSWORD": "pw", "MAIL_SMTP_TIMEOUT": 10,
        "MAIL_SMTP_CA_FILE": certificate[0], "MAIL_SMTP_STARTTLS": False, "MAIL_SMTP_SSL": False, **extra,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


def test_starttls_with_credentials(app, db, monkeypatch, certificate):
    handler, logins, port = RecordingHandler(), [], free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=_server_context(certificate),
        require_starttls=True, authenticator=_authenticator(logins), auth_required=True,
    )
    controller.start()
    try:
        _configure(app, monkeypatch, port, certificate, MAIL_SMTP_STARTTLS=True)
        enqueue(Recipient("olena@example.org"), "Over STARTTLS", "body")
        db.session.commit()
        assert deliver_pending().sent == 1
        assert logins == ["liaison"]
        assert [r.message["Subject"] for r in handler.received] == ["Over STARTTLS"]

        # Without STARTTLS the server refuses: a failure of the server (our settings), not of the
        # message - it waits for the next run with its attempts untouched, it is not lost.
        monkeypatch.setitem(app.config, "MAIL_SMTP_STARTTLS", False)
        enqueue(Recipient("olena@example.org"), "In clear", "body")
        db.session.commit()
        report = deliver_pending()
        assert (report.sent, report.failed, report.deferred) == (0, 0, 1)
    finally:
        controller.stop()


def test_implicit_tls_with_credentials(app, db, monkeypatch, certificate):
    handler, logins, port = RecordingHandler(), [], free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, ssl_context=_server_context(certificate),
        authenticator=_authenticator(logins), auth_required=True, auth_require_tls=False,
    )
    controller.start()
    try:
        _configure(app, monkeypatch, port, certificate, MAIL_SMTP_SSL=True)
        enqueue(Recipient("olena@example.org"), "Over SMTPS", "body")
        db.session.commit()
        assert deliver_pending().sent == 1
        assert logins == ["liaison"]
        assert [r.message["Subject"] for r in handler.received] == ["Over SMTPS"]
    finally:
        controller.stop()


def test_an_untrusted_certificate_is_refused(app, db, monkeypatch, certificate):
    handler, port = RecordingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=_server_context(certificate))
    controller.start()
    try:
        _configure(app, monkeypatch, port, certificate, MAIL_SMTP_SSL=True, MAIL_SMTP_CA_FILE="",
                   MAIL_SMTP_USERNAME="")
        enqueue(Recipient("olena@example.org"), "Must not leak", "body")
        db.session.commit()
        report = deliver_pending()
        assert (report.sent, report.failed, report.deferred) == (0, 0, 1)
        assert handler.received == []
        from app.notifications.models import OutboxMessage

        assert "CERTIFICATE_VERIFY_FAILED" in db.session.scalars(db.select(OutboxMessage)).one().last_error
    finally:
        controller.stop()
