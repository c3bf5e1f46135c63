"""`make bench-mixed`: the mixed-traffic benchmark (issue 19) on the large dataset.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.mixed
    python -m bench.mixed --modes on,off --baseline-dir /tmp/liaison-39982d4   # before / after in one run
    python -m bench.mixed --modes redis,two,two-local --readme                  # beyond one machine

2,000 distinct signed-in people (members, organisers, coordinators in the dataset's proportions),
anonymous visitors and calendar clients send the mix of bench/mixed_traffic.py for --seconds after an
unrecorded --warmup, at --concurrency, to gunicorn (--workers) on PostgreSQL. Modes:

- `on`: one instance, each worker's own in-memory cache (the default configuration);
- `off`: one instance, CACHE_TYPE=NullCache (every page built on every request);
- `redis`: one instance, the cache and the rate limits in Redis (--redis-url);
- `two`: two instances (two ports, as two machines) behind HAProxy, cache and rate limits in Redis;
- `two-local`: two instances behind HAProxy, each worker with its own in-memory cache.

With --pin-cores each instance's gunicorn runs on a core of its own (taskset; PostgreSQL, HAProxy and
the load generator are not pinned), as if each instance were a one-core machine: `--modes redis,two
--pin-cores` compares one such machine with two on a 2-core box. The two-instance modes end with the
cross-instance check (bench/mixed_checks.py). The bare-template
ceiling is measured with the same client just before and just after each mode, and with
--ceiling-between also after each slice of --interleave (the machine as the mix leaves it: the
database's background work, the workers' grown heaps); the share of the ceiling is taken of the mean
of all its readings. Results go to
bench/results/mixed-<timestamp>.json and, with --readme, to the "Mixed traffic" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from bench import loadgen, mixed_checks, mixed_cpu, mixed_report
from bench.generate import BENCH_PASSWORD
from bench.mixed_db import DatabaseSampler, verify_writes
from bench.mixed_people import forge_cookie, load_population, serializer, session_template
from bench.mixed_server import HAProxy, Instance, free_port
from bench.mixed_traffic import MIX, Traffic
from bench.run import RssSampler, machine_info

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/liaison_bench"
MODES = ("on", "off", "redis", "two", "two-local")
REAL_SIGN_INS = 8  # people who sign in through the form; the others get the cookie it gives (see mixed_people)


class LoadSampler:
    """The 1-minute load average once a second while a slice is recorded (begin/finish, repeatable)."""

    def __init__(self):
        self.samples: list[float] = []
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self):
        while not self._halt.is_set():
            self.samples.append(os.getloadavg()[0])
            self._halt.wait(1.0)

    def begin(self) -> None:
        self._halt.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def finish(self) -> None:
        self._halt.set()
        if self._thread:
            self._thread.join(5)

    def figures(self) -> dict:
        found = self.samples or [os.getloadavg()[0]]
        return {"min": round(min(found), 2), "mean": round(sum(found) / len(found), 2), "max": round(max(found), 2)}


class Servers:
    """One instance, or two behind HAProxy; `port` is where the clients go."""

    def __init__(self, mode: str, root: Path, args, secret_key: str, scratch: Path, label: str):
        env = {"DATABASE_URL": args.database_url, "SECRET_KEY": secret_key, "RATELIMIT_ENABLED": "1",
               "LOGIN_RATE_LIMIT": "600 per minute", "MAIL_BACKEND": "file",
               "MAIL_FILE_DIR": str(scratch / "mail")}
        if mode == "off":
            env["CACHE_TYPE"] = "NullCache"
        if mode in ("redis", "two"):
            env["CACHE_REDIS_URL"] = args.redis_url
            env["RATELIMIT_STORAGE_URI"] = args.redis_url
            flush_redis(args.redis_url)
        count = 2 if mode.startswith("two") else 1
        self.proxy = None
        front = free_port()
        env["BASE_URL"] = f"http://127.0.0.1:{front}"
        ports = [front] if count == 1 else [free_port() for _ in range(count)]
        self.instances: list[Instance] = []
        self.port = front
        try:
            for n, port in enumerate(ports, 1):
                self.instances.append(Instance(root, port, args.workers, env, scratch / "wsgi",
                                               RESULTS_DIR / f"mixed-{args.stamp}-{label}-{mode}-gunicorn{n}.log",
                                               python=args.python, cpu=n - 1 if args.pin_cores else None,
                                               threads=args.threads))
            for instance in self.instances:
                instance.wait_ready()
            if count > 1:
                self.proxy = HAProxy(front, ports, scratch / f"haproxy-{mode}",
                                     RESULTS_DIR / f"mixed-{args.stamp}-{label}-{mode}-haproxy.log")
                self.proxy.wait_ready()
        except BaseException:
            self.stop()
            raise

    def worker_pids(self) -> list[int]:
        return [pid for instance in self.instances for pid in instance.worker_pids()]

    def worker_cores(self) -> list[list[int]]:
        """The cores each instance's workers may run on, read back from the kernel (--pin-cores shows here)."""
        return [sorted(set().union(*(os.sched_getaffinity(pid) for pid in instance.worker_pids())))
                for instance in self.instances]

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        for instance in self.instances:
            instance.stop()


def flush_redis(url: str) -> None:
    """Empty the benchmark's own Redis database (the index in --redis-url), so a mode starts cold."""
    import redis

    redis.Redis.from_url(url).flushdb()


def sign_in_people(port: int, population, secret_key: str) -> None:
    """A few people through the login form, the others with the cookie it gives (mixed_people)."""
    signer = serializer(secret_key)
    template = None
    for person in population.people[:: max(1, len(population.people) // REAL_SIGN_INS)][:REAL_SIGN_INS]:
        client = loadgen.sign_in(port, person.email, BENCH_PASSWORD)
        person.cookies = dict(client.cookies)
        client.close()
        template = template or session_template(signer, person.cookies["session"])
    for person in population.people:
        if not person.cookies:
            person.cookies = {"session": forge_cookie(signer, template, person)}
    # Both kinds must be signed in: my events answers 200 (an anonymous visitor is sent to /login).
    for person in (population.people[0], population.people[1], population.people[-1]):
        status, _, _ = loadgen.Client(port).request("GET", "/my/events",
                                                    headers={"Cookie": f"session={person.cookies['session']}"})
        if status != 200:
            raise SystemExit(f"a session cookie of {person.email} is not signed in (GET /my/events -> {status})")


def list_filters(port: int, person) -> dict[str, list[str]]:
    """The events list's own filter form: each select and its options (what people pick from)."""
    client = loadgen.Client(port)
    client.cookies = dict(person.cookies)
    status, _, html = client.get("/events")
    client.close()
    if status != 200:
        raise SystemExit(f"GET /events -> {status}")
    for form in loadgen.parse_forms(html.decode("utf-8", "replace")):
        if form.method == "get" and form.selects:
            return {name: [v for v in values if v] for name, values in form.selects.items() if len(values) > 1}
    return {}


def ceiling(port: int, concurrency: int, seconds: float) -> dict:
    result = loadgen.run_python(port, loadgen.PreparedRequest("GET", "/bench/ceiling"), concurrency=concurrency,
                                max_requests=10**7, max_seconds=seconds)
    return {"rps": result.rps, "p50_ms": result.p50_ms, "p95_ms": result.p95_ms, "errors": result.errors}


class Side:
    """One checkout served in one mode, the mix sent to it, and what was sampled while it was recorded."""

    def __init__(self, mode: str, root: Path, label: str, args, secret_key: str, scratch: Path):
        self.mode, self.root, self.label, self.args = mode, root, label, args
        print(f"[{label}] mode {mode}: starting ({root})", flush=True)
        self.population = load_population(args.database_url, total=args.people, seed=args.seed)
        self.load_before = os.getloadavg()[0]
        self.servers = Servers(mode, root, args, secret_key, scratch, label)
        try:
            sign_in_people(self.servers.port, self.population, secret_key)
            filters = list_filters(self.servers.port, self.population.people[0])
            self.ceilings = [ceiling(self.servers.port, args.concurrency, args.ceiling_seconds)]
            self.worker_cores = self.servers.worker_cores()
        except BaseException:
            self.servers.stop()
            raise
        self.traffic = Traffic(self.servers.port, self.population, seed=args.seed, zipf_s=args.zipf,
                               list_filters=filters, mix=args.mix)
        self.load, self.database = LoadSampler(), DatabaseSampler(args.database_url)
        self.between: list[dict] = []  # --ceiling-between: the ceiling after each slice
        self.rss_mb: dict[int, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.writes: dict[str, list[int]] = {}  # kind -> [found in the database, answered with a redirect]
        self.missed: list[str] = []  # the first writes not found (bench.mixed_db.verify_writes)
        self.seconds = 0.0
        self.checks = None

    def _cpu_snapshot(self):
        proxy = self.servers.proxy.process.pid if self.servers.proxy else None
        found = mixed_cpu.snapshot(self.servers.worker_pids(), self.args.database_url.rsplit("/", 1)[-1], proxy)
        if self.mode not in ("redis", "two"):
            found.pop("Redis")  # not ours in this mode (other users of the same Redis)
        return found

    def slice(self, seconds: float, warmup: float) -> None:
        rss = RssSampler(self.servers)
        cpu_before = {}

        def on_start():
            self.load.begin()
            self.database.begin()
            rss.start()
            cpu_before.update(self._cpu_snapshot())

        elapsed = self.traffic.run(self.args.concurrency, seconds, warmup, on_start=on_start)
        if self.database.enabled:  # before the other side (interleaved) writes to the same people
            verified = verify_writes(self.args.database_url, self.traffic.intents)
            self.missed += verified.pop("missed")[: 20 - len(self.missed)]
            for kind, (found, expected) in verified.items():
                mine = self.writes.setdefault(kind, [0, 0])
                mine[0] += found
                mine[1] += expected
            self.traffic.intents.clear()
        for part, cpu in mixed_cpu.used(cpu_before, self._cpu_snapshot()).items():
            self.cpu_seconds[part] = self.cpu_seconds.get(part, 0.0) + cpu
        rss.stop()
        self.load.finish()
        self.database.finish(elapsed)
        self.seconds += elapsed
        for pid, mb in rss.max_mb().items():
            self.rss_mb[pid] = max(mb, self.rss_mb.get(pid, 0))

    def finish(self, interrupted: bool = False) -> dict:
        """The ceiling again, the cross-instance check (two instances), then stop the servers."""
        args = self.args
        if interrupted:
            self.traffic.stopping.set()
            self.servers.stop()
            raise KeyboardInterrupt
        try:
            self.ceilings.append(ceiling(self.servers.port, args.concurrency, args.ceiling_seconds))
            if self.mode.startswith("two") and not args.no_checks:
                instances = self.servers.instances
                self.checks = mixed_checks.cross_instance(instances[0].port, instances[1].port, self.population)
        finally:
            self.servers.stop()
        population, traffic = self.population, self.traffic
        result = {
            "label": self.label, "mode": self.mode, "root": str(self.root), "seconds": round(self.seconds, 2),
            "slices": traffic.runs, "instances": len(self.servers.instances), "workers_per_instance": args.workers, "threads_per_worker": args.threads,
            "concurrency": args.concurrency, "people": len(population.people), "people_active": len(traffic.seen),
            "roles": {role: len(population.by_role(role)) for role in ("member", "organiser", "coordinator")},
            "upcoming_events": len(population.upcoming), "open_events": len(population.open_events),
            "ceiling": {"before": self.ceilings[0], "after": self.ceilings[-1]}, "ceiling_between": self.between,
            "load": {"before": round(self.load_before, 2), "during": self.load.figures(),
                     "after": round(os.getloadavg()[0], 2)},
            "rss_mb": self.rss_mb, "database": self.database.figures(), "errors_sample": traffic.errors[:20],
            "only": args.only, "pinned": args.pin_cores, "worker_cores": self.worker_cores, "checks": self.checks, "writes_found": self.writes, "writes_missed": self.missed, **traffic.recorder.report(self.seconds),
        }
        requests = result["overall"]["requests"] or 1
        result["cpu"] = {part: {"seconds": round(cpu, 2), "ms_per_request": round(cpu * 1000 / requests, 2),
                                "cores": round(cpu / self.seconds, 2) if self.seconds else None}
                         for part, cpu in self.cpu_seconds.items()}
        overall = result["overall"]
        print(f"[{self.label}] mode {self.mode}: {overall['rps']} req/s, p50 {overall['p50_ms']} p95 "
              f"{overall['p95_ms']} p99 {overall['p99_ms']} ms, bad {overall['bad']}, cache hit "
              f"{overall['cache_hit_rate']}, db share {overall['db_share']}, load {result['load']['during']}, "
              f"ceiling {self.ceilings[0]['rps']}/{self.ceilings[-1]['rps']}", flush=True)
        return result


def run_mode(mode: str, checkouts: list[tuple[str, Path]], args, secret_key: str, scratch: Path) -> list[dict]:
    """One mode for each checkout: one after the other, or (--interleave) served at the same time and
    measured in alternating slices, so that the machine's drifting load falls on both alike."""
    if not args.interleave:
        results = []
        for label, root in checkouts:
            side = Side(mode, root, label, args, secret_key, scratch)
            try:
                side.slice(args.seconds, args.warmup)
            except BaseException:
                side.finish(interrupted=True)
            results.append(side.finish())
        return results
    sides = []
    try:
        for label, root in checkouts:
            sides.append(Side(mode, root, label, args, secret_key, scratch))
        slices = max(1, round(args.seconds / args.interleave))
        for number in range(slices):
            for side in sides if number % 2 == 0 else reversed(sides):
                side.slice(args.seconds / slices, args.warmup if number == 0 else min(2.0, args.warmup))
                if args.ceiling_between and number < slices - 1:  # the last one is finish()'s "after"
                    side.between.append(ceiling(side.servers.port, args.concurrency, args.ceiling_seconds))
    except BaseException:
        for side in sides:
            side.traffic.stopping.set()
            side.servers.stop()
        raise
    return [side.finish() for side in sides]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--modes", default="on,off", help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (> 1: the gthread worker; the default is sync workers)")
    parser.add_argument("--seconds", type=float, default=60.0, help="recorded seconds per mode")
    parser.add_argument("--warmup", type=float, default=10.0, help="unrecorded seconds before")
    parser.add_argument("--ceiling-seconds", type=float, default=5.0)
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent of the events' popularity")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
                        help="the bench's own Redis database (flushed before each Redis mode)")
    parser.add_argument("--baseline-dir", type=Path, help="also serve and measure this checkout (before)")
    parser.add_argument("--interleave", type=float, default=0.0, metavar="SECONDS",
                        help="slices of this length (with --baseline-dir: both served at once, slices alternated)")
    parser.add_argument("--ceiling-between", action="store_true",
                        help="with --interleave: the ceiling measured again after each slice")
    parser.add_argument("--python", help="Python that runs gunicorn (default: this one)")
    parser.add_argument("--no-checks", action="store_true", help="skip the cross-instance check")
    parser.add_argument("--pin-cores", action="store_true",
                        help="each instance's gunicorn on a core of its own (instance n on core n-1, taskset), as if "
                        "each were a one-core machine: 1 instance against 2 shows growth on a 2-core machine")
    parser.add_argument("--readme", action="store_true", help="write the Mixed traffic section of bench/README.md")
    parser.add_argument("--label", default="this", help="what the report calls this checkout's runs")
    parser.add_argument("--only", help="comma-separated actions of the mix to keep (their weights unchanged), "
                        f"of {', '.join(name for name, _ in MIX)}")
    args = parser.parse_args(argv)
    args.mix = MIX
    if args.only:
        wanted = set(args.only.split(","))
        if unknown := wanted - {name for name, _ in MIX}:
            parser.error(f"unknown actions {sorted(unknown)}")
        args.mix = [(name, weight) for name, weight in MIX if name in wanted]
    name = args.database_url.rsplit("/", 1)[-1]
    if "bench" not in name and "test" not in name:
        parser.error("the mix writes to the database: use one whose name contains 'bench' or 'test'")
    for mode in args.modes.split(","):
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}")
    return args


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt  # the servers are stopped on the way out (finally blocks)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    stamp = args.stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    scratch = Path(f"/tmp/liaison-mixed-{stamp}")
    secret_key = secrets.token_hex(32)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    runs = []
    checkouts = ([("before", args.baseline_dir.resolve())] if args.baseline_dir else []) + [("after", ROOT)]
    if not args.baseline_dir:
        checkouts = [(args.label, ROOT)]
    for mode in args.modes.split(","):
        runs += run_mode(mode, checkouts, args, secret_key, scratch)  # before and after back to back
    meta = {"started": stamp, "machine": machine_info(args.database_url), "argv": sys.argv[1:],
            "database": args.database_url.rsplit("/", 1)[-1]}
    path = RESULTS_DIR / f"mixed-{stamp}.json"
    path.write_text(json.dumps({"meta": meta, "runs": runs}, indent=2))
    text = mixed_report.markdown(meta, runs)
    print(text)
    print(f"raw results: {path}")
    if args.readme:
        mixed_report.write_readme(text)
    failed = sum(run["overall"]["bad"] for run in runs) + sum(
        1 for run in runs if run["checks"] and not run["checks"]["passed"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
