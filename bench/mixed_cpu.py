"""CPU time each part of a mixed run used (from /proc/<pid>/stat): the gunicorn workers, the
PostgreSQL backends serving the benchmark's database (their process title names it), HAProxy, Redis
and the load generator itself. Divided by the requests, it says what each machine of a larger
deployment would have to supply per request: the figure behind "what limits the next step"."""

from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def snapshot(worker_pids: list[int], database: str, proxy_pid: int | None) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each process, by part."""
    parts: dict[str, dict[int, float]] = {"app workers": {}, "PostgreSQL": {}, "HAProxy": {}, "Redis": {},
                                          "load generator": {}}
    for pid in worker_pids:
        if (cpu := _cpu(pid)) is not None:
            parts["app workers"][pid] = cpu
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        command = _cmdline(int(entry))
        if command.startswith("postgres: ") and f" {database} " in command:
            part = "PostgreSQL"
        elif command.startswith("/usr/bin/redis-server") or command.startswith("redis-server"):
            part = "Redis"
        else:
            continue
        if (cpu := _cpu(int(entry))) is not None:
            parts[part][int(entry)] = cpu
    if proxy_pid and (cpu := _cpu(proxy_pid)) is not None:
        parts["HAProxy"][proxy_pid] = cpu
    parts["load generator"][os.getpid()] = sum(os.times()[:2])
    return parts


def used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each part used between two snapshots (processes present in both)."""
    return {part: sum(cpu - before[part][pid] for pid, cpu in after[part].items() if pid in before[part])
            for part in after}
