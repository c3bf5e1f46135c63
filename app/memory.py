"""A web worker's memory after large, short-lived allocations (issue 19: worker RSS under 150 MB).

glibc serves a large allocation with its own mapping and unmaps it when freed, but it then raises
its threshold to that size, so the next allocation of the same size comes from the heap and stays
in the worker after it is freed. A password check with argon2id's 19 MiB (ARGON2_MEMORY_COST) left
19 MB in every worker from the second sign-in on, and feeds of a megabyte did the same on a smaller
scale. A fixed threshold keeps every allocation from 256 KiB up in mappings of its own, returned to
the system when freed. glibc's own MALLOC_MMAP_THRESHOLD_ variable, when set, is left to decide.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
THRESHOLD_BYTES = 256 * 1024


def return_large_allocations() -> bool:
    """Fix glibc's mmap threshold (True when done; False on other C libraries or when set by env)."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES) == 1
