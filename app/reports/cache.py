"""A short-lived, per-process cache of built reports.

A report aggregates every registration in its scope, so it is built at most once per
REPORTS_CACHE_SECONDS (default 60; 0 disables; tests run without it) for the same scope and filter.
The page and its exports then show the same figures, and the report states when it was produced.
Each web worker keeps its own small cache (least recently used entries are dropped first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app

from app.accounts.models import Role

DEFAULT_SECONDS = 60
MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()


def scope_key(user) -> Hashable:
    """Coordinators and admins share the network-wide figures; an organiser's are their own."""
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return "network"
    return ("organiser", user.id)


def ttl_seconds() -> float:
    default = 0 if current_app.testing else DEFAULT_SECONDS
    return float(current_app.config.get("REPORTS_CACHE_SECONDS", default))


def get_or_build(key: Hashable, build: Callable[[], object]):
    ttl = ttl_seconds()
    if ttl <= 0:
        return build()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] > now:
            _entries.move_to_end(key)
            return entry[1]
    value = build()
    with _lock:
        _entries[key] = (now + ttl, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
