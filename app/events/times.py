"""Wall-clock times in an event's zone <-> UTC instants, with daylight-saving rules made explicit.

Rule for local times that a daylight-saving change makes odd:
- a time that does not exist (skipped when clocks go forward, e.g. 03:30 in Kyiv on the last Sunday
  of March) is refused with a field error when typed into a form;
- a time that exists twice (repeated when clocks go back, e.g. 03:30 in Kyiv on the last Sunday of
  October) is read as its FIRST occurrence (fold=0, still summer time).
When times are shifted by whole days (clone, series) and land on a skipped time, the same fold=0
reading applies, which moves them forward by the size of the gap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app.i18n import format_pattern
from app.timeutil import to_local


class NonexistentLocalTime(ValueError):
    pass


def local_instant(naive_local: datetime, tz_name: str, strict: bool = True) -> datetime:
    """The UTC instant of a wall-clock time in `tz_name` (ambiguous: first occurrence)."""
    tz = ZoneInfo(tz_name)
    aware = naive_local.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if strict and instant.astimezone(tz).replace(tzinfo=None) != naive_local.replace(tzinfo=None):
        raise NonexistentLocalTime(_l(
            "%(time)s does not exist in %(zone)s: the clocks skip it (daylight-saving change). "
            "Choose a time outside the gap.", time=format_pattern(naive_local, "%d %b %Y %H:%M"), zone=tz_name,
        ))
    return instant


def local_naive(instant: datetime | None, tz_name: str) -> datetime | None:
    """The wall-clock time of `instant` in `tz_name`, without zone (for form fields)."""
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def local_date(instant: datetime, tz_name: str) -> date:
    return instant.astimezone(ZoneInfo(tz_name)).date()


def local_span(starts_at: datetime, ends_at: datetime, tz_name: str) -> tuple[date, date]:
    """The first and the last local calendar day of [starts_at, ends_at) in `tz_name` (an event
    that ends at midnight ends on the day before)."""
    return (to_local(starts_at, tz_name).date(),
            to_local(ends_at - timedelta(microseconds=1), tz_name).date())


def shift_days(instant: datetime | None, days: int, tz_name: str) -> datetime | None:
    """Move an instant by whole days keeping its wall-clock time in `tz_name` (DST-safe)."""
    if instant is None:
        return None
    moved = local_naive(instant, tz_name) + timedelta(days=days)
    return local_instant(moved, tz_name, strict=False)
