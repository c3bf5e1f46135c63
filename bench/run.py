"""`make bench`: generate (or reuse) the large dataset, serve the app with gunicorn (2 workers) on
loopback, measure every page at concurrency 1 and N against the ceiling, check the targets, and
write the results to bench/README.md and bench/results/<timestamp>.json.

    python -m bench.run                        # SQLite file bench/bench.db, scale 1.0
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.run --reuse

Pages are found in the application's URL map by endpoint name (with a fallback on the URL's shape),
so a page that does not exist yet is reported as "not available" instead of stopping the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import generate, loadgen
from bench.mixed_server import children_of

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
README = BENCH_DIR / "README.md"
RESULTS_DIR = BENCH_DIR / "results"
MARK_START = "<!-- bench-results:start -->"
MARK_END = "<!-- bench-results:end -->"

P95_TARGET_MS = 100.0
CEILING_FRACTION = 1 / 3
REGISTRATIONS_PER_SECOND = 100.0
RSS_LIMIT_MB = 150.0


# --- what we measure ----------------------------------------------------------------------------
@dataclass
class Context:
    """Ids and tokens from the dataset that URLs need."""

    member_id: int
    member_token: str
    organiser_id: int
    coordinator_id: int
    big_event_id: int
    typical_event_id: int
    target_event_id: int
    target_capacity: int | None


@dataclass
class PageSpec:
    key: str
    label: str
    who: str  # anonymous | member | organiser | coordinator
    endpoints: tuple[str, ...]
    fallback: Callable[[object], bool] | None = None  # a werkzeug Rule -> bool
    args: Callable[[Context], dict] = lambda ctx: {}
    refine: Callable[[str], dict] | None = None  # page HTML -> query parameters (filters, search)
    expect_calendar: bool = False
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (e.g. Accept-Encoding)


def _rule_has(rule, *, blueprint: str | None = None, args: set[str] | None = None, words=(), method="GET",
              avoid=("export", "csv", "xlsx", "pdf", "import", "message", "bulk")) -> bool:
    text = f"{rule.endpoint} {rule.rule}".lower()
    return (
        method in rule.methods
        and (blueprint is None or rule.endpoint.startswith(blueprint + "."))
        and (args is None or set(rule.arguments) == args)
        and all(word in text for word in words)
        and not any(word in text for word in avoid)
    )


def _events_filter(html: str) -> dict:
    """A realistic filter: the list's own form, with kind = workshop when it offers that."""
    for form in loadgen.parse_forms(html):
        if form.method == "get" and "workshop" in form.selects.get("kind", []):
            return {"kind": "workshop"}
    return {"kind": "workshop"}


def _lessons_search(html: str) -> dict:
    """A search through the library's own form: its text box gets a word many lessons contain."""
    for form in loadgen.parse_forms(html):
        if form.method == "get" and form.text_inputs:
            name = next((n for n in form.text_inputs if n in ("q", "search", "query")), form.text_inputs[0])
            return {name: "cybercrime"}
    return {"q": "cybercrime"}


PAGES = [
    PageSpec("ceiling", "Ceiling (base template, no database)", "anonymous", ("bench.ceiling",)),
    PageSpec("events_list", "Events list (filtered)", "member", ("events.index",),
             lambda r: _rule_has(r, blueprint="events", args=set(), words=("/events",)), refine=_events_filter),
    PageSpec("event_page", "Event page", "member", ("events.detail",),
             lambda r: _rule_has(r, blueprint="events", args={"event_id"}) and r.rule.endswith(">"),
             args=lambda ctx: {"event_id": ctx.typical_event_id}),
    PageSpec("my_events", "My events", "member", ("registrations.my_events",),
             lambda r: _rule_has(r, args=set(), words=("my", "event"))),
    PageSpec("participants", "Participant list (2,000-person event)", "organiser",
             ("registrations.participants",),
             lambda r: _rule_has(r, args={"event_id"}, words=("participant",)),
             args=lambda ctx: {"event_id": ctx.big_event_id}),
    PageSpec("personal_feed", "Personal calendar feed (200 entries)", "anonymous", ("calendar.personal_feed",),
             lambda r: _rule_has(r, blueprint="calendar", args={"token"}, words=("feed",), avoid=("organis",)),
             args=lambda ctx: {"token": ctx.member_token}, expect_calendar=True),
    PageSpec("public_feed", "Public calendar feed", "anonymous", ("calendar.public_feed",),
             lambda r: _rule_has(r, blueprint="calendar", args=set(), words=("public",)), expect_calendar=True),
    # Calendar clients (Google, Apple, Outlook, Thunderbird) ask for gzip: the same feed as they fetch it.
    PageSpec("public_feed_gzip", "Public calendar feed, gzip (as calendar clients fetch it)", "anonymous",
             ("calendar.public_feed",),
             lambda r: _rule_has(r, blueprint="calendar", args=set(), words=("public",)), expect_calendar=True,
             headers=(("Accept-Encoding", "gzip"),)),
    PageSpec("lessons_search", "Lessons library search", "member", ("lessons.library",),
             lambda r: _rule_has(r, blueprint="lessons", args=set(), words=("lesson",)), refine=_lessons_search),
    PageSpec("dashboard", "Coordinator dashboard", "coordinator", ("reports.dashboard",),
             lambda r: _rule_has(r, blueprint="reports", args=set())),
    # The ceiling as the signed-in member: what every signed-in request pays before and after its
    # view (user load, consent check, session cookie, CSRF token, navigation, hooks, base template).
    PageSpec("ceiling_member", "Ceiling, signed in (base template, the member's session)", "member",
             ("bench.ceiling",)),
]
REGISTER = PageSpec("registration", "Registration (POST, distinct users)", "pool", ("registrations.register",),
                    lambda r: _rule_has(r, args={"event_id"}, words=("register",), method="POST",
                                        avoid=("unregister", "cancel")),
                    args=lambda ctx: {"event_id": ctx.target_event_id})


@dataclass
class PageResult:
    key: str
    label: str
    who: str
    url: str | None = None
    state: str = "ok"  # ok | not available | error
    note: str = ""
    queries: int | None = None
    c1: loadgen.Result | None = None
    cn: loadgen.Result | None = None
    checks: dict = field(default_factory=dict)
    ceiling_brackets: list[float] = field(default_factory=list)  # the ceiling just before and after c=N

    @property
    def paired_ceiling(self) -> float | None:
        """The ceiling this page is compared with: the mean of the two measured around it."""
        found = [b for b in self.ceiling_brackets if b]
        return round(sum(found) / len(found), 1) if found else None

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k not in ("c1", "cn")}
        data["c1"] = self.c1.as_dict() if self.c1 else None
        data["cn"] = self.cn.as_dict() if self.cn else None
        return data


# --- the dataset ------------------------------------------------------------------------------------
def load_context(app) -> Context:
    from sqlalchemy import select

    from app.accounts.models import User
    from app.events.models import Event
    from app.extensions import db

    with app.app_context():
        def user(email):
            found = db.session.execute(select(User.id, User.calendar_token).where(User.email == email)).first()
            if found is None:
                raise SystemExit(f"{email} is not in the database: generate the dataset first (drop --reuse)")
            return found

        def event(uid):
            found = db.session.execute(select(Event.id, Event.capacity).where(Event.uid == uid)).first()
            if found is None:
                raise SystemExit(f"event {uid} is not in the database: generate the dataset first")
            return found

        member = user(generate.MEMBER_EMAIL)
        target = event(generate.TARGET_EVENT_UID)
        return Context(
            member_id=member.id, member_token=member.calendar_token,
            organiser_id=user(generate.ORGANISER_EMAIL).id, coordinator_id=user(generate.COORDINATOR_EMAIL).id,
            big_event_id=event(generate.BIG_EVENT_UID).id, typical_event_id=event(generate.TYPICAL_EVENT_UID).id,
            target_event_id=target.id, target_capacity=target.capacity,
        )


def reset_registration_target(app, ctx: Context) -> None:
    """Empty the target event again (a --reuse run registers people to it) and keep it open."""
    from sqlalchemy import delete

    from app.events.models import Event
    from app.extensions import db
    from app.registrations.models import Registration

    with app.app_context():
        db.session.execute(delete(Registration).where(Registration.event_id == ctx.target_event_id))
        db.session.commit()
        event = db.session.get(Event, ctx.target_event_id)
        now = datetime.now(UTC)
        if not (event.registration_opens_at or now) <= now < (event.registration_closes_at or now):
            print("  warning: the registration target is not open now; regenerate the dataset (no --reuse)")


def registration_pool(app, ctx: Context, size: int) -> list[str]:
    from sqlalchemy import select

    from app.accounts.models import Role, User
    from app.extensions import db

    with app.app_context():
        return list(db.session.scalars(
            select(User.email).where(User.role == Role.MEMBER, User.id > 4, User.is_active_account.is_(True))
            .order_by(User.id).limit(size)
        ))


def count_seats(app, ctx: Context) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.registrations.models import ParticipantRole, Registration, RegistrationStatus

    with app.app_context():
        rows = db.session.execute(
            select(Registration.status, Registration.role, func.count())
            .where(Registration.event_id == ctx.target_event_id)
            .group_by(Registration.status, Registration.role)
        ).all()
    by_status: dict[str, int] = {}
    seats = 0
    for status, role, count in rows:
        by_status[str(status.value)] = by_status.get(str(status.value), 0) + count
        if status == RegistrationStatus.CONFIRMED and role in (ParticipantRole.PARTICIPANT, ParticipantRole.OBSERVER):
            seats += count
    return {"confirmed_seats": seats, "by_status": by_status, "total": sum(by_status.values())}


# --- URL discovery ------------------------------------------------------------------------------------
def discover(app, spec: PageSpec, ctx: Context) -> str | None:
    from flask import url_for

    rules = list(app.url_map.iter_rules())
    rule = next((r for name in spec.endpoints for r in rules if r.endpoint == name), None)
    if rule is None and spec.fallback is not None:
        candidates = sorted((r for r in rules if spec.fallback(r)), key=lambda r: len(r.rule))
        rule = candidates[0] if candidates else None
    if rule is None:
        return None
    values = spec.args(ctx)
    values = {k: v for k, v in values.items() if k in rule.arguments} | {
        k: v for k, v in values.items() if k not in rule.arguments and k == "token"}
    with app.test_request_context():
        try:
            return url_for(rule.endpoint, **values)
        except Exception:  # noqa: BLE001 - a rule we cannot build is "not available"
            return None


def count_queries(app, path: str, who_client) -> int | None:
    """SQL statements one request issues, measured in-process with the test client."""
    from sqlalchemy import event

    from app.extensions import db

    counter = [0]

    def _count(*_args, **_kwargs):
        counter[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        who_client.get(path)  # warm (first-request caches)
        counter[0] = 0
        response = who_client.get(path)
        return counter[0] if response.status_code == 200 else None
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def test_client_for(app, email: str | None):
    client = app.test_client()
    if email is None:
        return client
    html = client.get("/login").get_data(as_text=True)
    token = loadgen.csrf_token(html) or ""
    client.post("/login", data={"email": email, "password": generate.BENCH_PASSWORD, "csrf_token": token})
    return client


# --- the server ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving bench.wsgi_bench:app on 127.0.0.1 in production mode."""

    def __init__(self, database_url: str, port: int, workers: int, log_path: Path,
                 extra_env: dict[str, str] | None = None):
        self.port = port
        self.workers = workers
        self.log_path = log_path
        env = dict(os.environ)
        env.update({
            "LIAISON_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": "0",
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "LIAISON_BENCH_CEILING": "1",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            **(extra_env or {}),
        })
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "60", "bench.wsgi_bench:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            try:
                status, _, _ = loadgen.Client(self.port, timeout=5).get("/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def drain(self, timeout: float = 300) -> None:
        """Wait until requests left in flight by the last measurement are served (a load generator
        that stops does not stop the server's queue), so they do not slow the next page down."""
        client = loadgen.Client(self.port, timeout=timeout)
        try:
            for _ in range(self.workers * 2):
                client.get("/healthz")
        except OSError:
            pass
        finally:
            client.close()

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


class RssSampler(threading.Thread):
    """Samples VmRSS of every gunicorn worker twice a second; keeps the maximum per worker."""

    def __init__(self, server: Server, interval: float = 0.5):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.max_kb: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            for pid in self.server.worker_pids():
                try:
                    with open(f"/proc/{pid}/status") as handle:
                        for line in handle:
                            if line.startswith("VmRSS:"):
                                kb = int(line.split()[1])
                                self.max_kb[pid] = max(self.max_kb.get(pid, 0), kb)
                except OSError:
                    continue
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        if self.is_alive():
            self.join(5)

    def max_mb(self) -> dict[int, float]:
        return {pid: round(kb / 1024, 1) for pid, kb in self.max_kb.items()}


# --- measuring ----------------------------------------------------------------------------------------
@dataclass
class Settings:
    concurrency: int = 8
    c1_requests: int = 200
    cn_requests: int = 3000
    seconds: float = 10.0
    engine: str = "auto"
    warmup: int = 12


def measure_load(port: int, request: loadgen.PreparedRequest, settings: Settings, concurrency: int,
                 count: int, seconds: float | None = None) -> loadgen.Result:
    """One load measurement of a GET: wrk (time-bound) or Python threads (bound by `count`)."""
    seconds = settings.seconds if seconds is None else seconds
    if settings.engine == "wrk" or (settings.engine == "auto" and loadgen.wrk_available()):
        return loadgen.run_wrk(port, request, concurrency=concurrency, max_seconds=seconds)
    return loadgen.run_python(port, request, concurrency=concurrency, max_requests=count, max_seconds=seconds)


def measure_get(port: int, path: str, cookie: str, settings: Settings,
                headers: tuple[tuple[str, str], ...] = (), ceiling_path: str | None = None
                ) -> tuple[loadgen.Result, loadgen.Result, list[float]]:
    """(c=1, c=N, the ceiling's c=N req/s just before and just after this page's c=N).

    The ceiling is measured again on either side of the page (for half the time), so that the
    page's share compares two figures taken within seconds of each other: on a shared machine
    whose speed drifts by tens of percent within minutes, a ceiling measured once at the start
    would make the share depend on when in the run the page came."""
    request = loadgen.PreparedRequest("GET", path, cookie=cookie, headers=headers)
    c1 = measure_load(port, request, settings, 1, settings.c1_requests)
    ceiling = loadgen.PreparedRequest("GET", ceiling_path) if ceiling_path else None
    brackets = []
    if ceiling is not None:
        brackets.append(measure_load(port, ceiling, settings, settings.concurrency, settings.cn_requests // 2,
                                     settings.seconds / 2).rps)
    cn = measure_load(port, request, settings, settings.concurrency, settings.cn_requests)
    if ceiling is not None:
        brackets.append(measure_load(port, ceiling, settings, settings.concurrency, settings.cn_requests // 2,
                                     settings.seconds / 2).rps)
    return c1, cn, brackets


def check_page(client: loadgen.Client, path: str, spec: PageSpec) -> tuple[bool, str, dict]:
    status, headers, body = client.get(path, dict(spec.headers))
    if status != 200:
        location = headers.get("location", "")
        return False, f"HTTP {status}" + (f" -> {location}" if location else ""), {}
    checks = {"bytes": len(body)}
    if headers.get("content-encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
        checks["content_encoding"] = "gzip"
        checks["decoded_bytes"] = len(body)
    if spec.expect_calendar:
        checks["vevents"] = body.count(b"BEGIN:VEVENT")
        if b"BEGIN:VCALENDAR" not in body:
            return False, "not a calendar", checks
    return True, "", checks


REGISTRATION_WARMUP = 6  # untimed registrations before the measured ones (then removed)


def measure_registration(port: int, app, ctx: Context, url: str, settings: Settings, pool_size: int,
                         c1_count: int) -> PageResult:
    result = PageResult(REGISTER.key, REGISTER.label, REGISTER.who, url=url)
    if ctx.target_capacity is None:
        result.state, result.note = "error", "the target event has no capacity"
        return result
    reset_registration_target(app, ctx)
    # A few more users register first, untimed, as the GET pages are warmed up: each worker's first
    # registration compiles the email templates and prepares the statements. Their registrations
    # are then removed, so the measured users find the event empty.
    emails = registration_pool(app, ctx, pool_size + REGISTRATION_WARMUP)
    print(f"  signing in {len(emails)} distinct users (not timed) ...", flush=True)

    event_path = discover(app, PAGES[2], ctx)  # the event page holds the registration form
    sign_in_failures: list[str] = []

    def prepare(email: str) -> loadgen.PreparedRequest | str:
        try:
            for attempt in range(4):  # SQLite may refuse a concurrent sign-in ("database is locked")
                try:
                    client = loadgen.sign_in(port, email, generate.BENCH_PASSWORD)
                    break
                except RuntimeError as exc:
                    sign_in_failures.append(str(exc))
                    if attempt == 3:
                        raise
                    time.sleep(0.2 * (attempt + 1))
            form = None
            for page in filter(None, [event_path, url.rsplit("/", 1)[0] + "/registration"]):
                status, _, body = client.get(page)
                if status != 200:
                    continue
                form = next((f for f in loadgen.parse_forms(body.decode("utf-8", "replace"))
                             if f.method == "post" and urlsplit(f.action).path == url), None)
                if form:
                    break
            if form is None:
                return "no registration form found on the event page"
            fields = list(form.fields) + list(form.required_boxes)
            if form.submit:
                fields.append(form.submit)
            cookie = client.cookie_header()
            client.close()
            return loadgen.PreparedRequest("POST", url, cookie=cookie, body=urlencode(fields).encode())
        except (OSError, RuntimeError) as exc:
            return f"{email}: {exc}"

    with ThreadPoolExecutor(settings.concurrency) as pool:
        prepared = list(pool.map(prepare, emails))
    ok = (200, 302, 303)
    problems = [p for p in prepared if isinstance(p, str)]
    requests = [p for p in prepared if not isinstance(p, str)]
    warmup, requests = requests[:REGISTRATION_WARMUP], requests[REGISTRATION_WARMUP:]
    if not requests:
        result.state, result.note = "error", problems[0] if problems else "no users"
        return result
    loadgen.run_python(port, warmup, concurrency=2, max_requests=len(warmup), max_seconds=60.0, ok_statuses=ok)
    reset_registration_target(app, ctx)
    c1_count = min(c1_count, max(1, len(requests) // 10))
    first, rest = requests[:c1_count], requests[c1_count:]
    # Bounded by the number of prepared users; the time bound only guards against a hung server.
    result.c1 = loadgen.run_python(port, first, concurrency=1, max_requests=len(first),
                                   max_seconds=max(60.0, settings.seconds * 6), ok_statuses=ok)
    result.cn = loadgen.run_python(port, rest, concurrency=settings.concurrency, max_requests=len(rest),
                                   max_seconds=max(120.0, settings.seconds * 12), ok_statuses=ok)
    seats = count_seats(app, ctx)
    posted = result.c1.requests + result.cn.requests - result.c1.errors - result.cn.errors
    expected = min(ctx.target_capacity, posted)
    result.checks = {"capacity": ctx.target_capacity, "posted": posted, **seats,
                     "capacity_respected": seats["confirmed_seats"] == expected,
                     "one_registration_per_user": seats["total"] == posted,
                     "sign_in_failures_retried": len(sign_in_failures)}
    if sign_in_failures:
        print(f"  {len(sign_in_failures)} sign-ins failed and were retried, e.g. {sign_in_failures[0]}")
    if problems:
        result.note = f"{len(problems)} users could not be prepared: {problems[0]}"
    return result


def measure_page(app, port: int, spec: PageSpec, ctx: Context, result: PageResult, cookie: str, test_client,
                 settings: Settings) -> None:
    path = discover(app, spec, ctx)
    if path is None:
        result.state, result.note = "not available", "no such page in this build"
        print(f"- {spec.label}: not available", flush=True)
        return
    client = loadgen.Client(port)
    if cookie:
        client.cookies.update(dict(part.split("=", 1) for part in cookie.split("; ")))
    if spec.refine is not None:
        status, _, body = client.get(path)
        if status == 200:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(spec.refine(body.decode('utf-8', 'replace')))}"
    result.url = path
    ok, why, checks = check_page(client, path, spec)
    result.checks = checks
    if not ok:
        result.state, result.note = "error", why
        print(f"- {spec.label}: {path} answered {why}", flush=True)
        return
    for _ in range(settings.warmup):
        client.get(path, dict(spec.headers))
    client.close()
    try:
        result.queries = count_queries(app, path, test_client)
    except Exception as exc:  # noqa: BLE001 - query counting is a diagnostic, never fatal
        result.note = f"query count failed: {exc}"
    print(f"- {spec.label}: {path} ({result.queries} queries) ...", flush=True)
    ceiling_path = None if spec.key == "ceiling" else discover(app, PAGES[0], ctx)
    result.c1, result.cn, result.ceiling_brackets = measure_get(port, path, cookie, settings, spec.headers,
                                                                ceiling_path)
    paired = f" (ceiling around it {', '.join(f'{b:g}' for b in result.ceiling_brackets)})" \
        if result.ceiling_brackets else ""
    print(f"    c=1 {result.c1.rps} req/s p95 {result.c1.p95_ms} ms | c={settings.concurrency} "
          f"{result.cn.rps} req/s p95 {result.cn.p95_ms} ms{paired}  errors {result.c1.errors + result.cn.errors}",
          flush=True)


# --- targets, report ----------------------------------------------------------------------------------
def evaluate(results: list[PageResult], rss_mb: dict[int, float]) -> list[tuple[str, str, str]]:
    """(target, PASS/FAIL/N/A, detail) rows."""
    verdicts = []
    ceiling = next((r for r in results if r.key == "ceiling" and r.state == "ok"), None)
    ceiling_rps = ceiling.cn.rps if ceiling and ceiling.cn else None
    for r in results:
        if r.key == "ceiling":
            continue
        if r.state != "ok" or r.c1 is None:
            verdicts.append((f"{r.label}", "N/A", r.note or r.state))
            continue
        p95 = r.c1.p95_ms
        verdicts.append((f"{r.label}: p95 < {P95_TARGET_MS:.0f} ms at c=1",
                         "PASS" if p95 is not None and p95 < P95_TARGET_MS and not r.c1.errors else "FAIL",
                         f"p95 {p95} ms, errors {r.c1.errors}"))
        if r.key == "registration":
            rps = r.cn.rps if r.cn else 0
            verdicts.append((f"{r.label}: >= {REGISTRATIONS_PER_SECOND:.0f}/s under concurrent load",
                             "PASS" if rps >= REGISTRATIONS_PER_SECOND and not r.cn.errors else "FAIL",
                             f"{rps}/s, errors {r.cn.errors if r.cn else '-'}"))
            verdicts.append((f"{r.label}: capacity exactly respected",
                             "PASS" if r.checks.get("capacity_respected") and r.checks.get("one_registration_per_user")
                             else "FAIL",
                             f"{r.checks.get('confirmed_seats')} confirmed seats for capacity "
                             f"{r.checks.get('capacity')} ({r.checks.get('by_status')})"))
        elif (r.paired_ceiling or ceiling_rps) and r.cn:
            against = r.paired_ceiling or ceiling_rps
            where = "measured around it" if r.paired_ceiling else "measured at the start"
            verdicts.append((f"{r.label}: >= 1/3 of the ceiling's throughput",
                             "PASS" if r.cn.rps >= against * CEILING_FRACTION and not r.cn.errors else "FAIL",
                             f"{r.cn.rps} req/s vs ceiling {against} {where} ({r.cn.rps / against:.0%})"))
    if rss_mb:
        worst = max(rss_mb.values())
        verdicts.append((f"Worker RSS < {RSS_LIMIT_MB:.0f} MB", "PASS" if worst < RSS_LIMIT_MB else "FAIL",
                         f"max {worst} MB over {len(rss_mb)} worker(s)"))
    return verdicts


def machine_info(database_url: str) -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    ram_gb = None
    try:
        with open("/proc/meminfo") as handle:
            kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
            ram_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    scheme = database_url.split(":", 1)[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": ram_gb, "python": platform.python_version(),
            "database": "PostgreSQL" if scheme.startswith("postgres") else "SQLite" if scheme.startswith("sqlite")
            else scheme}


def load_average() -> float | None:
    """The 1-minute load average: on a shared 2-core machine, anything else running skews the figures."""
    try:
        with open("/proc/loadavg") as handle:
            return float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _fmt(value, unit="") -> str:
    return "–" if value is None else f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"


def markdown_report(meta: dict, results: list[PageResult], verdicts, rss_mb: dict[int, float]) -> str:
    machine, data = meta["machine"], meta["dataset"]
    lines = [
        f"Run **{meta['date']}** — dataset: scale {meta['scale']} ("
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in data.items()) + ")",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram_gb']} GB RAM, Python "
        f"{machine['python']}, {machine['database']}; gunicorn {meta['workers']} sync workers; load generator "
        f"{meta['engine']} on the same machine; concurrency N = {meta['concurrency']}; 1-min load average "
        f"{meta['load_average']['before']} before, {meta['load_average']['after']} after.",
        "",
        "Each page's share compares its c=N throughput with the ceiling measured just before and just after it "
        "(the mean of the two; the ceiling's own row is the run's first measurement).",
        "",
        "| page | queries | c=1 req/s | c=1 p50 / p95 / p99 ms | c=N req/s | c=N p50 / p95 / p99 ms | vs ceiling | notes |",
        "|---|---:|---:|---|---:|---|---:|---|",
    ]
    ceiling = next((r for r in results if r.key == "ceiling" and r.cn), None)
    for r in results:
        if r.state != "ok":
            lines.append(f"| {r.label} | | | | | | | {r.state}: {r.note} |")
            continue
        c1, cn = r.c1, r.cn

        def lat(x):
            return f"{_fmt(x.p50_ms)} / {_fmt(x.p95_ms)} / {_fmt(x.p99_ms)}" if x else "–"

        against = r.paired_ceiling or (ceiling.cn.rps if ceiling else None)
        share = f"{cn.rps / against:.0%}" if against and cn and r.key != "registration" else ""
        if r.paired_ceiling:
            share += f" of {r.paired_ceiling:,.0f}"
        notes = []
        if r.checks.get("vevents") is not None:
            notes.append(f"{r.checks['vevents']} VEVENTs")
        if r.checks.get("content_encoding"):
            notes.append(f"{r.checks['content_encoding']}: {r.checks['bytes']:,} bytes for {r.checks['decoded_bytes']:,}")
        elif r.checks.get("bytes") and r.key != "registration":
            notes.append(f"{r.checks['bytes']:,} bytes")
        if r.key == "registration":
            notes.append(f"{r.checks.get('confirmed_seats')} confirmed / capacity {r.checks.get('capacity')}, "
                         f"{r.checks.get('by_status')}")
        errors = (c1.errors if c1 else 0) + (cn.errors if cn else 0)
        if errors:
            notes.append(f"{errors} errors {dict(**(c1.statuses if c1 else {}), **(cn.statuses if cn else {}))}")
        if r.note:
            notes.append(r.note)
        lines.append(
            f"| {r.label} | {_fmt(r.queries)} | {_fmt(c1.rps if c1 else None)} | {lat(c1)} | "
            f"{_fmt(cn.rps if cn else None)} | {lat(cn)} | {share} | {'; '.join(notes)} |"
        )
    lines += ["", "| target | result | detail |", "|---|---|---|"]
    lines += [f"| {t} | **{v}** | {d} |" for t, v, d in verdicts]
    if rss_mb:
        lines += ["", "Worker RSS (max while serving): " + ", ".join(f"pid {p}: {mb} MB" for p, mb in rss_mb.items())]
    return "\n".join(lines) + "\n"


def write_readme(report: str) -> None:
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    before, rest = text.split(MARK_START, 1)
    after = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
    README.write_text(f"{before}{MARK_START}\n{report}{MARK_END}{after}")


# --- main -----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve Liaison with gunicorn and measure its pages.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or generate.DEFAULT_SQLITE_URL)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--reuse", action="store_true", help="measure the existing dataset (no generation)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound of each measurement")
    parser.add_argument("--c1-requests", type=int, default=200, help="request bound at concurrency 1")
    parser.add_argument("--cn-requests", type=int, default=3000, help="request bound at concurrency N")
    parser.add_argument("--registrations", type=int, default=330, help="distinct users who register")
    parser.add_argument("--engine", choices=["auto", "python", "wrk"], default="auto",
                        help="load generator for GET pages (auto: wrk when installed)")
    parser.add_argument("--pages", default="", help="comma-separated page keys to measure (default: all)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args(argv)

    if args.engine == "wrk" and not loadgen.wrk_available():
        print("wrk is not installed (apt-get install wrk); use --engine python", file=sys.stderr)
        return 2
    if not args.reuse:
        if generate.main(["--scale", str(args.scale), "--seed", str(args.seed),
                          "--database-url", args.database_url]) != 0:
            return 2
    app = generate.make_app(args.database_url)
    from bench.ceiling import bp as ceiling_bp

    app.register_blueprint(ceiling_bp)  # as bench/wsgi_bench.py does in the served app
    load_before = load_average()
    with app.app_context():
        from app.extensions import db

        dataset = generate.dataset_summary(db.engine)
    scale = args.scale if not args.reuse else round(dataset["events"] / 2000, 3)
    ctx = load_context(app)
    wanted = {k.strip() for k in args.pages.split(",") if k.strip()}
    settings = Settings(concurrency=args.concurrency, c1_requests=args.c1_requests, cn_requests=args.cn_requests,
                        seconds=args.seconds, engine=args.engine)
    engine_name = "wrk" if args.engine == "wrk" or (args.engine == "auto" and loadgen.wrk_available()) else "python"

    # Queries per request, in-process (same database, the test client).
    emails = {"member": generate.MEMBER_EMAIL, "organiser": generate.ORGANISER_EMAIL,
              "coordinator": generate.COORDINATOR_EMAIL, "anonymous": None}
    test_clients = {who: test_client_for(app, email) for who, email in emails.items()}

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    port = args.port or free_port()
    server = Server(args.database_url, port, args.workers, RESULTS_DIR / f"gunicorn-{stamp}.log")
    results: list[PageResult] = []
    sampler = RssSampler(server)
    try:
        server.wait_ready()
        sampler.start()
        print(f"gunicorn ({args.workers} workers) on 127.0.0.1:{port}; load generator: {engine_name}", flush=True)
        cookies = {"anonymous": ""}
        for who in ("member", "organiser", "coordinator"):
            cookies[who] = loadgen.sign_in(port, emails[who], generate.BENCH_PASSWORD).cookie_header()
        for spec in PAGES:
            if wanted and spec.key not in wanted and spec.key != "ceiling":
                continue
            result = PageResult(spec.key, spec.label, spec.who)
            results.append(result)
            try:
                measure_page(app, port, spec, ctx, result, cookies[spec.who], test_clients[spec.who], settings)
            except Exception as exc:  # noqa: BLE001 - one broken or too slow page must not stop the run
                result.state, result.note = "error", f"{type(exc).__name__}: {exc}"[:300]
                print(f"    error: {result.note}", flush=True)
            server.drain()
        if not wanted or REGISTER.key in wanted:
            url = discover(app, REGISTER, ctx)
            if url is None:
                results.append(PageResult(REGISTER.key, REGISTER.label, REGISTER.who, state="not available",
                                          note="no registration endpoint in this build"))
                print(f"- {REGISTER.label}: not available", flush=True)
            else:
                print(f"- {REGISTER.label}: POST {url} ...", flush=True)
                try:
                    result = measure_registration(port, app, ctx, url, settings, args.registrations, c1_count=30)
                except Exception as exc:  # noqa: BLE001 - report, do not stop the run
                    result = PageResult(REGISTER.key, REGISTER.label, REGISTER.who, url=url, state="error",
                                        note=f"{type(exc).__name__}: {exc}"[:300])
                results.append(result)
                if result.c1 and result.cn:
                    print(f"    c=1 {result.c1.rps}/s p95 {result.c1.p95_ms} ms | c={settings.concurrency} "
                          f"{result.cn.rps}/s p95 {result.cn.p95_ms} ms  {result.checks}", flush=True)
                else:
                    print(f"    {result.state}: {result.note}", flush=True)
    finally:
        try:
            sampler.stop()
        finally:
            server.stop()

    rss = sampler.max_mb()
    verdicts = evaluate(results, rss)
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "scale": scale, "dataset": dataset,
            "machine": machine_info(args.database_url), "workers": args.workers,
            "concurrency": args.concurrency, "engine": engine_name,
            "load_average": {"before": load_before, "after": load_average()}}
    report = markdown_report(meta, results, verdicts, rss)
    print()
    print(report)
    for target, verdict, detail in verdicts:
        print(f"{verdict:<4}  {target}  ({detail})")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{stamp}.json"
    out.write_text(json.dumps({**meta, "results": [r.as_dict() for r in results], "rss_mb": rss,
                               "verdicts": verdicts}, indent=2, default=str))
    print(f"\nresults: {out}")
    if not args.no_readme:
        write_readme(report)
        print(f"table written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

