"""A worker keeps no memory from password checks once they are done (issue 19: worker RSS)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Three argon2id checks with the production memory cost (19 MiB), the resident size before and after.
PROBE = """
import sys
from argon2 import PasswordHasher
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
if sys.argv[1] == 'app':
    from app import create_app
    create_app()
hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
digest = hasher.hash('correct horse battery staple')
before = rss()
for _ in range(3):
    hasher.verify(digest, 'correct horse battery staple')
print(rss() - before)
"""


def _growth(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator (Linux) only")
def test_a_worker_returns_the_memory_of_password_checks():
    assert _growth("bare") >= 15  # what glibc's moving threshold keeps of a 19 MiB allocation
    assert _growth("app") <= 3
