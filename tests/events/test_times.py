"""Wall-clock times in the event's zone: daylight-saving changes never move an event."""

from datetime import UTC, datetime

import pytest

from app.events.times import NonexistentLocalTime, local_instant, local_naive, shift_days


def test_local_times_on_both_sides_of_the_end_of_summer_time_in_kyiv():
    # Kyiv leaves summer time (UTC+3) for winter time (UTC+2) on Sunday 25 October 2026 at 04:00.
    friday = local_instant(datetime(2026, 10, 23, 9, 0), "Europe/Kyiv")
    monday = local_instant(datetime(2026, 10, 26, 9, 0), "Europe/Kyiv")
    assert friday == datetime(2026, 10, 23, 6, 0, tzinfo=UTC)
    assert monday == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert local_naive(monday, "Europe/Kyiv") == datetime(2026, 10, 26, 9, 0)


def test_a_time_skipped_by_the_clocks_is_refused():
    with pytest.raises(NonexistentLocalTime, match="does not exist in Europe/Kyiv"):
        local_instant(datetime(2026, 3, 29, 3, 30), "Europe/Kyiv")


def test_a_repeated_time_means_its_first_occurrence():
    # 03:30 happens twice in Kyiv on 25 October 2026: first at UTC+3 (fold=0, the documented rule).
    assert local_instant(datetime(2026, 10, 25, 3, 30), "Europe/Kyiv") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_shifting_by_days_keeps_the_wall_clock_across_a_change():
    before = local_instant(datetime(2026, 10, 20, 9, 0), "Europe/Kyiv")
    after = shift_days(before, 7, "Europe/Kyiv")
    assert local_naive(after, "Europe/Kyiv") == datetime(2026, 10, 27, 9, 0)
    assert after - before != (datetime(2026, 10, 27) - datetime(2026, 10, 20))  # 7 days and one hour
