from __future__ import annotations

import pytest

from tests.notifications.smtp import RecordingHandler, SMTPServer, use_smtp


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server the application delivers to; `smtp.handler.reject` can refuse messages."""
    with SMTPServer(RecordingHandler()) as server:
        use_smtp(app, monkeypatch, server)
        yield server
