"""The application's clock and time-zone helpers. Tests move the clock with `freeze()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant in UTC (or the frozen one in tests)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


@contextmanager
def freeze(instant: datetime) -> Iterator[None]:
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous, _frozen = _frozen, instant.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def set_now(instant: datetime | None) -> None:
    global _frozen
    _frozen = instant.astimezone(UTC) if instant is not None else None


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))) + ["UTC"])


def is_valid_timezone(name: str | None) -> bool:
    if not name or len(name) > 64:
        return False
    return _zone_or_none(name) is not None


@lru_cache(maxsize=1024)
def _zone_or_none(name: str) -> ZoneInfo | None:
    # ZoneInfo keeps only 8 zones strongly; a page listing events in 20 zones re-read tzdata files.
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        return None


def zone(name: str | None) -> ZoneInfo:
    found = _zone_or_none(name) if name and len(name) <= 64 else None
    return found if found is not None else ZoneInfo("UTC")


def to_local(instant: datetime, tz_name: str | None) -> datetime:
    return instant.astimezone(zone(tz_name))


def local_to_utc(naive_local: datetime, tz_name: str) -> datetime:
    """Interpret a wall-clock time in `tz_name` and return the UTC instant."""
    return naive_local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC)
