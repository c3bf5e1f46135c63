"""The mixed-traffic benchmark's arithmetic: a Zipf chooser, the Server-Timing header, and the
per-kind statistics (throughput, p50/p95/p99, statuses, cache hits, database share).

Kept free of I/O so that tests/bench/test_mixed_stats.py can check it quickly."""

from __future__ import annotations

import bisect
import itertools
import random
import re
import threading
from dataclasses import dataclass, field

from bench.loadgen import percentile

OK_STATUSES = frozenset({200, 201, 204, 302, 303, 304})


class Zipf:
    """Choose among `items` with P(rank k) proportional to 1 / k**s (rank 1 = items[0])."""

    def __init__(self, items, s: float = 1.0):
        self.items = list(items)
        if not self.items:
            raise ValueError("Zipf needs at least one item")
        weights = [1.0 / (rank ** s) for rank in range(1, len(self.items) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def probability(self, index: int) -> float:
        previous = self.cumulative[index - 1] if index else 0.0
        return (self.cumulative[index] - previous) / self.cumulative[-1]

    def choose(self, rng: random.Random):
        point = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, point), len(self.items) - 1)]


_METRIC = re.compile(r'\s*([\w-]+)((?:\s*;\s*[\w-]+=(?:"[^"]*"|[^,;]*))*)')
_PARAM = re.compile(r'([\w-]+)=("[^"]*"|[^,;]*)')


def parse_server_timing(value: str | None) -> dict[str, dict[str, str]]:
    """`app;dur=1.2, cache;desc=hit` -> {"app": {"dur": "1.2"}, "cache": {"desc": "hit"}}."""
    found: dict[str, dict[str, str]] = {}
    for part in (value or "").split(","):
        match = _METRIC.match(part)
        if match:
            found[match.group(1)] = {k: v.strip('"') for k, v in _PARAM.findall(match.group(2))}
    return found


@dataclass
class KindStats:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    app_ms: float = 0.0
    db_ms: float = 0.0
    server_ms: list[float] = field(default_factory=list)  # each response's own server time
    statements: int = 0
    timed: int = 0  # responses that carried Server-Timing
    cache: dict[str, int] = field(default_factory=dict)  # hit | miss | none
    lookups_hit: int = 0
    lookups_miss: int = 0

    def add(self, seconds: float, status: int | str, timing: dict[str, dict[str, str]] | None) -> None:
        self.latencies.append(seconds)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if timing and "app" in timing:
            self.timed += 1
            server = float(timing["app"].get("dur", 0) or 0)
            self.app_ms += server
            self.server_ms.append(server)
            self.db_ms += float(timing.get("db", {}).get("dur", 0) or 0)
            found = re.match(r"(\d+)", timing.get("db", {}).get("desc", ""))
            self.statements += int(found.group(1)) if found else 0
            state = timing.get("cache", {}).get("desc", "none")
            self.cache[state] = self.cache.get(state, 0) + 1
            counts = re.findall(r"(\d+) (hit|miss)", timing.get("cache-lookups", {}).get("desc", ""))
            for number, what in counts:
                if what == "hit":
                    self.lookups_hit += int(number)
                else:
                    self.lookups_miss += int(number)

    def merge(self, other: KindStats) -> None:
        self.latencies.extend(other.latencies)
        self.server_ms.extend(other.server_ms)
        for key, count in other.statuses.items():
            self.statuses[key] = self.statuses.get(key, 0) + count
        for key, count in other.cache.items():
            self.cache[key] = self.cache.get(key, 0) + count
        self.app_ms += other.app_ms
        self.db_ms += other.db_ms
        self.statements += other.statements
        self.timed += other.timed
        self.lookups_hit += other.lookups_hit
        self.lookups_miss += other.lookups_miss

    @property
    def bad(self) -> int:
        return sum(n for status, n in self.statuses.items() if not (status.isdigit() and int(status) in OK_STATUSES))

    def summary(self, seconds: float) -> dict:
        ordered = sorted(self.latencies)
        server = sorted(self.server_ms)
        ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
        asked = self.cache.get("hit", 0) + self.cache.get("miss", 0)
        return {
            "requests": len(ordered),
            "rps": round(len(ordered) / seconds, 1) if seconds else 0.0,
            "p50_ms": ms(percentile(ordered, 0.50)), "p95_ms": ms(percentile(ordered, 0.95)),
            "p99_ms": ms(percentile(ordered, 0.99)),
            "mean_ms": ms(sum(ordered) / len(ordered)) if ordered else None,
            "statuses": dict(sorted(self.statuses.items())), "bad": self.bad,
            "server_ms_mean": round(self.app_ms / self.timed, 2) if self.timed else None,
            "server_p50_ms": percentile(server, 0.50), "server_p95_ms": percentile(server, 0.95),
            "db_ms_mean": round(self.db_ms / self.timed, 2) if self.timed else None,
            "statements_mean": round(self.statements / self.timed, 1) if self.timed else None,
            "db_share": round(self.db_ms / self.app_ms, 3) if self.app_ms else None,
            "cache": dict(sorted(self.cache.items())),
            # Of the requests that asked the cache anything, those answered without building.
            "cache_hit_rate": round(self.cache.get("hit", 0) / asked, 3) if asked else None,
            "lookup_hit_rate": (round(self.lookups_hit / (self.lookups_hit + self.lookups_miss), 3)
                                if self.lookups_hit + self.lookups_miss else None),
        }


class Recorder:
    """Thread-safe collection of KindStats by kind (each thread records into its own, merged at the end)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.kinds: dict[str, KindStats] = {}

    def merge(self, local: dict[str, KindStats]) -> None:
        with self._lock:
            for kind, stats in local.items():
                self.kinds.setdefault(kind, KindStats()).merge(stats)

    def overall(self) -> KindStats:
        total = KindStats()
        for stats in self.kinds.values():
            total.merge(stats)
        return total

    def report(self, seconds: float) -> dict:
        kinds = {kind: stats.summary(seconds) for kind, stats in sorted(self.kinds.items())}
        return {"kinds": kinds, "overall": self.overall().summary(seconds)}
