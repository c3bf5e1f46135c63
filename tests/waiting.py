"""Wait for a condition instead of sleeping for a fixed time: `wait_until` returns as soon as the
condition holds, or False once the deadline passed."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.02


def wait_until(predicate: Callable[[], object], timeout: float, check: Callable[[], None] | None = None) -> bool:
    """Poll `predicate` until it is true (then True) or `timeout` seconds passed (then False).
    `check`, when given, runs before each poll (e.g. to record an invariant while waiting)."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)  # the pause between two polls, not a wait for the condition
