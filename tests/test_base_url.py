"""BASE_URL (issue 23): in development the links in emails, calendar files and the subscribe page follow
HOST/PORT unless BASE_URL is set; in production a missing BASE_URL stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ProductionConfig, development_base_url

ROOT = Path(__file__).resolve().parent.parent

# A development app in a fresh interpreter (the configuration is read when config.py is imported),
# printing the addresses a person is sent: the subscribe page's feed, an email link, a calendar UID.
PROBE = """
from app import create_app
from app.calendar.links import personal_feed_url, site_host
from app.urls import absolute_url
app = create_app()
with app.app_context():
    class Owner: calendar_token = "tok"
    print(app.config["BASE_URL"])
    print(personal_feed_url(Owner()))
    print(absolute_url("/events/7"))
    print(site_host())
"""


def _development(tmp_path, **env) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "HOST", "PORT", "LIAISON_ENV"}}
    clean.update({"LIAISON_ENV": "development", "LIAISON_INSTANCE_DIR": str(tmp_path),
                  "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}", **env})
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_development_links_follow_the_port_of_make_run(tmp_path):
    base, feed, page, host = _development(tmp_path, PORT="5201")
    assert base == "http://127.0.0.1:5201"
    assert feed == "http://127.0.0.1:5201/calendar/feed/tok.ics"
    assert page == "http://127.0.0.1:5201/events/7"
    assert host == "127.0.0.1"


def test_development_links_follow_the_host_too_and_a_set_base_url_wins(tmp_path):
    assert _development(tmp_path, HOST="liaison.lan", PORT="8080")[0] == "http://liaison.lan:8080"
    assert _development(tmp_path, PORT="5201", BASE_URL="https://dev.example.org/")[0] == "https://dev.example.org"


def test_a_wildcard_host_is_linked_as_loopback(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5300")
    assert development_base_url() == "http://127.0.0.1:5300"
    monkeypatch.delenv("HOST")
    monkeypatch.delenv("PORT")
    assert development_base_url() == "http://127.0.0.1:5000"


@pytest.mark.parametrize("value", [None, "", "   ", "liaison.example.org"])
def test_production_refuses_to_start_without_base_url(monkeypatch, value):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "BASE_URL", ProductionConfig.BASE_URL)
    monkeypatch.setenv("SECRET_KEY", "ab" * 32)
    if value is None:
        monkeypatch.delenv("BASE_URL", raising=False)
    else:
        monkeypatch.setenv("BASE_URL", value)
    with pytest.raises(RuntimeError, match="BASE_URL must be set in production"):
        ProductionConfig.validate()


def test_production_start_up_says_what_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "BASE_URL"}
    env.update({"LIAISON_ENV": "production", "SECRET_KEY": "cd" * 32, "LIAISON_INSTANCE_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}"})
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "BASE_URL must be set in production" in done.stderr
