"""An HTTP load generator for loopback only: requests per second and p50/p95/p99 latency.

Two engines: `wrk` (Debian's package, written in C, so the client steals little CPU from the server
on a 2-core machine) for GET pages when it is installed, and a Python one (threads, one http.client
connection each) that is always available and is the only one used for POSTs, where every request
comes from a different signed-in user. Every run is bounded by a request count and a time limit.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"  # never anything but loopback


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    max_ms: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    engine: str = "python"
    server_ms: list[float] = field(default_factory=list, repr=False)  # Server-Timing app;dur, when sent

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("server_ms")
        if self.server_ms:
            data["server_p50_ms"] = round(percentile(sorted(self.server_ms), 0.50), 2)
        return data


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def server_app_ms(headers: dict[str, str]) -> float | None:
    """The server's own time (`app;dur=` of a Server-Timing header, app/cache/timing.py), if sent."""
    timing = headers.get("server-timing") or ""
    for part in timing.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            try:
                return float(rest[4:].split(";")[0])
            except ValueError:
                return None
    return None


def summarise(latencies: list[float], statuses: dict[str, int], errors: int, seconds: float,
              server_ms: list[float] | None = None) -> Result:
    ordered = sorted(latencies)
    count = len(ordered)
    to_ms = lambda value: round(value * 1000, 2) if value is not None else None  # noqa: E731
    return Result(
        requests=count,
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(count / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=to_ms(percentile(ordered, 0.50)),
        p95_ms=to_ms(percentile(ordered, 0.95)),
        p99_ms=to_ms(percentile(ordered, 0.99)),
        mean_ms=to_ms(sum(ordered) / count) if count else None,
        max_ms=to_ms(ordered[-1]) if ordered else None,
        statuses=statuses,
        server_ms=server_ms or [],
    )


# --- one HTTP client with a cookie jar -----------------------------------------------------------
class Client:
    """A small keep-alive client for 127.0.0.1 that keeps cookies (the signed session)."""

    def __init__(self, port: int, timeout: float = 30.0):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        all_headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "liaison-bench"}
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        for attempt in (1, 2):
            connection = self._conn()
            try:
                connection.request(method, path, body=body, headers=all_headers)
                response = connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.close()  # the server closed a kept-alive connection: retry once on a new one
                if attempt == 2:
                    raise
                continue
            for header in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise RuntimeError("unreachable")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        return self.request("POST", path, body=urlencode(fields).encode())


# --- forms in a page ----------------------------------------------------------------------------
@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    selects: dict[str, list[str]] = field(default_factory=dict)
    text_inputs: list[str] = field(default_factory=list)
    # Unchecked boxes a person would tick to submit: required ones and consents.
    required_boxes: list[tuple[str, str]] = field(default_factory=list)
    submit: tuple[str, str] | None = None


class _FormParser(HTMLParser):
    """Collects the forms of a page with the values a browser would send by default."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_chosen: list[str] = []
        self._first_option: str | None = None
        self._select_multiple = False
        self._textarea: int | None = None  # index in the form's fields of the open <textarea>

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
                elif kind == "checkbox" and ("required" in a or "consent" in name.lower()):
                    form.required_boxes.append((name, a.get("value", "y")))
            elif kind == "submit":
                if form.submit is None:
                    form.submit = (name, a.get("value", ""))
            elif kind not in ("button", "file", "image", "reset"):
                form.fields.append((name, a.get("value", "")))
                if kind in ("text", "search"):
                    form.text_inputs.append(name)
        elif tag == "button" and name and a.get("type", "submit") == "submit" and form.submit is None:
            form.submit = (name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_chosen, self._first_option = name, [], None
            self._select_multiple = "multiple" in a
            form.selects[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.selects[self._select].append(value)
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_chosen.append(value)
        elif tag == "textarea" and name:
            form.fields.append((name, ""))
            self._textarea = len(form.fields) - 1

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            name, value = self._form.fields[self._textarea]
            self._form.fields[self._textarea] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea is not None and self._form is not None:
                name, value = self._form.fields[self._textarea]  # a browser drops the first newline
                self._form.fields[self._textarea] = (name, value[2:] if value.startswith("\r\n")
                                                     else value[1:] if value.startswith("\n") else value)
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            if self._select_multiple:  # a browser sends every selected option, and nothing when none is
                self._form.fields.extend((self._select, value) for value in self._select_chosen)
            else:
                chosen = self._select_chosen[-1] if self._select_chosen else self._first_option
                self._form.fields.append((self._select, chosen or ""))
            self._select = None
        elif tag == "form":
            self._form = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def csrf_token(html: str) -> str | None:
    for form in parse_forms(html):
        for name, value in form.fields:
            if name == "csrf_token" and value:
                return value
    return None


def sign_in(port: int, email: str, password: str) -> Client:
    """Sign in through the real login form (CSRF token from the page); the client keeps the cookie."""
    client = Client(port)
    status, _, body = client.get("/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    token = csrf_token(body.decode("utf-8", "replace"))
    fields = {"email": email, "password": password}
    if token:
        fields["csrf_token"] = token
    status, headers, body = client.post("/login", fields)
    if status not in (302, 303):
        raise RuntimeError(f"sign-in of {email} failed with {status}")
    # Follow the redirect as a browser does: the page shows the sign-in message and the cookie
    # comes back without it. (Replaying the first cookie would flash it on every measured request.)
    location = urlsplit(headers.get("location", "/"))
    client.get(location.path + (f"?{location.query}" if location.query else ""))
    return client


# --- load -------------------------------------------------------------------------------------
@dataclass
class PreparedRequest:
    method: str
    path: str
    cookie: str = ""
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()  # more request headers (e.g. Accept-Encoding)


def run_python(port: int, requests: list[PreparedRequest] | PreparedRequest, *, concurrency: int,
               max_requests: int, max_seconds: float, ok_statuses: tuple[int, ...] = (200,)) -> Result:
    """Send requests from `concurrency` threads until max_requests or max_seconds.

    One PreparedRequest is repeated; a list is consumed once, item by item (distinct users)."""
    repeat = isinstance(requests, PreparedRequest)
    total = max_requests if repeat else min(max_requests, len(requests))
    lock = threading.Lock()
    next_index = [0]
    latencies: list[float] = []
    server_ms: list[float] = []
    statuses: dict[str, int] = {}
    errors = [0]
    deadline = time.perf_counter() + max_seconds

    def take() -> PreparedRequest | None:
        with lock:
            if next_index[0] >= total or time.perf_counter() >= deadline:
                return None
            index = next_index[0]
            next_index[0] += 1
        return requests if repeat else requests[index]

    def worker():
        client = Client(port)
        local_latencies, local_server, local_statuses, local_errors = [], [], {}, 0
        while (item := take()) is not None:
            headers = {"Cookie": item.cookie} if item.cookie else {}
            headers.update(item.headers)
            started = time.perf_counter()
            try:
                status, response_headers, _ = client.request(item.method, item.path, body=item.body,
                                                             headers=headers)
            except OSError as exc:
                local_errors += 1
                local_statuses[type(exc).__name__] = local_statuses.get(type(exc).__name__, 0) + 1
                client.close()
                continue
            local_latencies.append(time.perf_counter() - started)
            if (app_ms := server_app_ms(response_headers)) is not None:
                local_server.append(app_ms)
            local_statuses[str(status)] = local_statuses.get(str(status), 0) + 1
            if status not in ok_statuses:
                local_errors += 1
        client.close()
        with lock:
            latencies.extend(local_latencies)
            server_ms.extend(local_server)
            errors[0] += local_errors
            for key, count in local_statuses.items():
                statuses[key] = statuses.get(key, 0) + count

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 60)
    return summarise(latencies, statuses, errors[0], time.perf_counter() - started, server_ms)


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d,'
    .. ' "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "mean": %f, "max": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(port: int, request: PreparedRequest, *, concurrency: int, max_seconds: float) -> Result:
    """GET load with wrk for max_seconds (wrk is bounded by time; its connections by `concurrency`)."""
    if urlsplit(f"http://{HOST}:{port}{request.path}").hostname != HOST:
        raise ValueError("loopback only")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", "-t", str(min(concurrency, os.cpu_count() or 1)), "-c", str(concurrency),
                   "-d", f"{max(1, int(max_seconds))}s", "--timeout", "30s", "-s", script.name]
        if request.cookie:
            command += ["-H", f"Cookie: {request.cookie}"]
        for name, value in request.headers:
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://{HOST}:{port}{request.path}")
        output = subprocess.run(command, capture_output=True, text=True, timeout=max_seconds + 60).stdout
    finally:
        os.unlink(script.name)
    line = next((line for line in output.splitlines() if line.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {output[-500:]}")
    data = json.loads(line[len("WRKJSON "):])
    seconds = data["duration_us"] / 1e6
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    ms = lambda us: round(us / 1000, 2)  # noqa: E731
    return Result(
        requests=data["requests"], errors=errors, seconds=round(seconds, 3),
        rps=round(data["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=ms(data["p50"]), p95_ms=ms(data["p95"]), p99_ms=ms(data["p99"]),
        mean_ms=ms(data["mean"]), max_ms=ms(data["max"]),
        statuses={"non_2xx_3xx": data["status"]} if data["status"] else {}, engine="wrk",
    )
