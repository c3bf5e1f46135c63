"""Server-Timing (SERVER_TIMING, app/cache/timing.py): off by default; when on, each response tells
the server's and the database's time and whether the cache answered."""

from __future__ import annotations

from app import create_app
from bench.mixed_stats import parse_server_timing
from config import TestingConfig


def test_no_server_timing_header_unless_the_switch_is_on(client):
    assert "Server-Timing" not in client.get("/events").headers


def test_the_second_request_of_a_page_is_answered_from_the_cache(app, database_url):
    timed = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_TIMING": True})
    client = timed.test_client()
    first = parse_server_timing(client.get("/events").headers.get("Server-Timing"))
    second = parse_server_timing(client.get("/events").headers.get("Server-Timing"))
    assert first["cache"]["desc"] == "miss" and second["cache"]["desc"] == "hit"
    built = first["cache-entries"]["desc"].split()
    assert built and all(item.endswith(":m") for item in built)
    # Each found entry was built by the first (an entry built inside another's build, such as the
    # filter's choices inside the filter form, is not asked for when the outer one is found).
    found = second["cache-entries"]["desc"].split()
    assert found and all(item[:-1] + "m" in built for item in found) and all(item.endswith(":h") for item in found)
    assert float(first["db"]["dur"]) > 0 and first["db"]["desc"].endswith("statements")
    assert float(second["app"]["dur"]) > 0
    assert parse_server_timing(client.get("/healthz").headers.get("Server-Timing"))["cache"]["desc"] == "none"
