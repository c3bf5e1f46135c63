"""The load generator and the runner's page discovery, without gunicorn."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import loadgen, run

FORM_PAGE = """
<form method="get" action="/events"><input name="q" value=""><select name="kind">
  <option value="">Any</option><option value="workshop">Workshop</option></select></form>
<form method="post" action="/events/3/register">
  <input type="hidden" name="csrf_token" value="tok-123">
  <select name="role"><option value="participant" selected>Participant</option><option value="observer">Observer</option></select>
  <textarea name="dietary_needs"></textarea>
  <input type="checkbox" name="needs_visa_letter" value="y">
  <input type="checkbox" name="consent" value="y" required>
  <button type="submit" name="submit" value="Register">Register</button>
</form>
"""


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert loadgen.percentile(values, 0.50) == 50
    assert loadgen.percentile(values, 0.95) == 95
    assert loadgen.percentile(values, 0.99) == 99
    assert loadgen.percentile([], 0.5) is None


def test_forms_are_read_with_the_values_a_browser_sends():
    search, register = loadgen.parse_forms(FORM_PAGE)
    assert search.method == "get" and search.text_inputs == ["q"]
    assert search.selects["kind"] == ["", "workshop"]
    assert register.action == "/events/3/register"
    assert ("csrf_token", "tok-123") in register.fields
    assert ("role", "participant") in register.fields
    assert ("dietary_needs", "") in register.fields
    assert all(name != "needs_visa_letter" for name, _ in register.fields)  # unticked box: not sent
    assert register.required_boxes == [("consent", "y")]
    assert register.submit == ("submit", "Register")
    assert loadgen.csrf_token(FORM_PAGE) == "tok-123"
    assert run._events_filter(FORM_PAGE) == {"kind": "workshop"}
    assert run._lessons_search(FORM_PAGE) == {"q": "cybercrime"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802
        with _Handler.lock:
            _Handler.hits += 1
        status = 200 if self.path in ("/ok", "/timed") else 404
        body = b"hello"
        self.send_response(status)
        if self.path == "/timed":
            self.send_header("Server-Timing", 'app;dur=7.25, db;dur=1.50;desc="2 statements", cache;desc=none')
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "session=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.hits = 0
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_python_engine_is_bounded_by_count_and_measures_every_request(http_port):
    request = loadgen.PreparedRequest("GET", "/ok")
    result = loadgen.run_python(http_port, request, concurrency=4, max_requests=60, max_seconds=20)
    assert result.requests == 60 == _Handler.hits
    assert result.errors == 0 and result.statuses == {"200": 60}
    assert result.rps > 0 and 0 < result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms


def test_python_engine_consumes_a_list_once_and_counts_bad_statuses(http_port):
    requests = [loadgen.PreparedRequest("GET", "/ok"), loadgen.PreparedRequest("GET", "/missing")] * 5
    result = loadgen.run_python(http_port, requests, concurrency=3, max_requests=1000, max_seconds=20)
    assert result.requests == 10 and result.errors == 5
    assert result.statuses == {"200": 5, "404": 5}


def test_python_engine_reads_the_servers_own_time_when_it_is_sent(http_port):
    timed = loadgen.run_python(http_port, loadgen.PreparedRequest("GET", "/timed"), concurrency=2,
                               max_requests=6, max_seconds=20)
    assert timed.server_ms == [7.25] * 6 and timed.as_dict()["server_p50_ms"] == 7.25
    plain = loadgen.run_python(http_port, loadgen.PreparedRequest("GET", "/ok"), concurrency=1,
                               max_requests=2, max_seconds=20)
    assert plain.server_ms == [] and "server_p50_ms" not in plain.as_dict()
    assert loadgen.server_app_ms({"server-timing": "db;dur=3, app;dur=x"}) is None


def test_python_engine_stops_at_the_time_bound(http_port):
    request = loadgen.PreparedRequest("GET", "/ok")
    result = loadgen.run_python(http_port, request, concurrency=2, max_requests=10**9, max_seconds=0.5)
    assert result.seconds < 5 and result.requests == _Handler.hits


def test_client_keeps_cookies(http_port):
    client = loadgen.Client(http_port)
    client.get("/ok")
    assert client.cookies == {"session": "abc"}


def test_pages_are_found_by_endpoint_and_missing_ones_are_not_available(app):
    ctx = run.Context(member_id=4, member_token="tok", organiser_id=3, coordinator_id=2, big_event_id=1,
                      typical_event_id=2, target_event_id=3, target_capacity=100)
    if "events.detail" in app.view_functions:
        assert run.discover(app, run.PAGES[2], ctx) == "/events/2"
    missing = run.PageSpec("nothing", "Nothing", "anonymous", ("nowhere.page",), lambda rule: False)
    assert run.discover(app, missing, ctx) is None


def test_targets_compare_pages_with_the_ceiling():
    def result(rps, p95):
        return loadgen.Result(requests=100, rps=rps, p95_ms=p95)

    pages = [
        run.PageResult("ceiling", "Ceiling", "anonymous", c1=result(300, 5), cn=result(600, 20)),
        run.PageResult("fast", "Fast", "member", c1=result(100, 40), cn=result(250, 60)),
        run.PageResult("slow", "Slow", "member", c1=result(5, 250), cn=result(20, 900)),
        run.PageResult("gone", "Gone", "member", state="not available"),
    ]
    verdicts = {target: verdict for target, verdict, _ in run.evaluate(pages, {1: 120.0, 2: 160.0})}
    assert verdicts["Fast: p95 < 100 ms at c=1"] == "PASS"
    assert verdicts["Fast: >= 1/3 of the ceiling's throughput"] == "PASS"
    assert verdicts["Slow: p95 < 100 ms at c=1"] == "FAIL"
    assert verdicts["Slow: >= 1/3 of the ceiling's throughput"] == "FAIL"
    assert verdicts["Gone"] == "N/A"
    assert verdicts["Worker RSS < 150 MB"] == "FAIL"


def test_a_page_is_compared_with_the_ceiling_measured_around_it():
    """The machine's speed drifts within a run: a page measured while it was slow is compared with
    the ceiling measured just before and after it, not with the one from the start."""
    def result(rps):
        return loadgen.Result(requests=100, rps=rps, p95_ms=5)

    pages = [
        run.PageResult("ceiling", "Ceiling", "anonymous", c1=result(300), cn=result(2400)),
        run.PageResult("slowed", "Slowed", "member", c1=result(100), cn=result(500), ceiling_brackets=[1300, 1100]),
        run.PageResult("steady", "Steady", "member", c1=result(100), cn=result(500), ceiling_brackets=[1500, 1700]),
        run.PageResult("alone", "Alone", "member", c1=result(100), cn=result(500)),
    ]
    verdicts = {target: (verdict, detail) for target, verdict, detail in run.evaluate(pages, {})}
    assert verdicts["Slowed: >= 1/3 of the ceiling's throughput"] == (
        "PASS", "500 req/s vs ceiling 1200.0 measured around it (42%)")
    assert verdicts["Steady: >= 1/3 of the ceiling's throughput"][0] == "FAIL"  # 500 < 1600 / 3
    assert verdicts["Alone: >= 1/3 of the ceiling's throughput"] == (
        "FAIL", "500 req/s vs ceiling 2400 measured at the start (21%)")
    report = run.markdown_report(
        {"date": "today", "scale": 1.0, "dataset": {"events": 2000}, "workers": 2, "concurrency": 8, "engine": "wrk",
         "machine": {"nproc": 2, "cpu": "x", "ram_gb": 1, "python": "3.11", "database": "PostgreSQL"},
         "load_average": {"before": 0.1, "after": 0.2}}, pages, list(run.evaluate(pages, {})), {})
    assert "| 42% of 1,200 |" in report and "| 21% |" in report


def test_sign_in_leaves_the_cookie_a_browser_would_hold(live_server, make):
    """The bench replays the signed-in cookie: it must not carry the sign-in message, or every
    measured page would show it again and re-send the cookie."""
    from app.extensions import db

    user = make.user()
    db.session.commit()
    port = int(live_server.rsplit(":", 1)[1])
    cookie = loadgen.sign_in(port, user.email, "correct horse battery staple").cookie_header()
    replay = loadgen.Client(port)
    for _ in range(2):
        status, headers, body = replay.request("GET", "/events", headers={"Cookie": cookie})
        assert status == 200 and user.name in body.decode()
        assert 'class="alert' not in body.decode() and "set-cookie" not in headers
