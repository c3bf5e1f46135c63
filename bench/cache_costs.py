"""What each entry of the one cache (app.cache.fragments) costs and saves, and whether the caches
change an answer: the helpers of bench/cache_replay.py (--costs, --same-output).

- `Costs`: while active, every `fragments.remember` is timed in CPU (time.process_time): the build
  (inclusive of the entries it asks itself, as a hit saves them too) and the rest of the call
  (the key, the change stamps, the lookup, sizing and storing). An entry pays when its hits times
  its mean build exceed what all its calls spent besides building.
- `normalised`: a response as compared between the caches on and off (the CSRF token, signed with
  the time, and a feed's DTSTAMP, the instant it was written, left out; gzip bodies decompressed).
"""

from __future__ import annotations

import gzip
import re
import time
from collections import defaultdict
from contextlib import contextmanager

_CSRF = re.compile(rb'(name="csrf_token"[^>]*? value=")[^"]*(")')
_DTSTAMP = re.compile(rb"DTSTAMP:[0-9TZ]+")


class Costs:
    def __init__(self):
        self.calls: dict[str, int] = defaultdict(int)
        self.builds: dict[str, int] = defaultdict(int)
        self.build_cpu: dict[str, float] = defaultdict(float)
        self.total_cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def watching(self):
        from app.cache import fragments

        remember, compute = fragments.remember, fragments._compute

        def timed_compute(name, tables, scope, build):
            started = time.process_time()
            try:
                return compute(name, tables, scope, build)
            finally:
                self.builds[name] += 1
                self.build_cpu[name] += time.process_time() - started

        def timed_remember(name, *args, **kwargs):
            started = time.process_time()
            try:
                return remember(name, *args, **kwargs)
            finally:
                self.calls[name] += 1
                self.total_cpu[name] += time.process_time() - started

        fragments.remember, fragments._compute = timed_remember, timed_compute
        try:
            yield self
        finally:
            fragments.remember, fragments._compute = remember, compute

    def report(self) -> list[str]:
        lines = [f"{'entry':40} {'calls':>6} {'built':>6} {'build µs':>9} {'other µs':>9} {'saved ms':>9}"]
        rows = []
        for name, calls in self.calls.items():
            builds = self.builds[name]
            build_mean = self.build_cpu[name] / builds if builds else 0.0
            other = self.total_cpu[name] - self.build_cpu[name]
            saved = (calls - builds) * build_mean - other  # net CPU the entry saved over the run
            rows.append((saved, name, calls, builds, build_mean, other / calls))
        for saved, name, calls, builds, build_mean, other in sorted(rows):
            lines.append(f"{name:40} {calls:6} {builds:6} {build_mean * 1e6:9.0f} {other * 1e6:9.0f} {saved * 1e3:9.1f}")
        return lines


def normalised(response) -> tuple:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    body = _DTSTAMP.sub(b"DTSTAMP:-", _CSRF.sub(rb"\1-\2", body))
    return response.status_code, response.headers.get("ETag"), response.headers.get("Content-Type"), body
