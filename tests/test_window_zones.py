"""digest/window.py away from UTC: the cut-off is the list's wall-clock time wherever the
machine is, and catch-up windows end at the configured cut-off. (test_digest_window.py holds
the UTC cases; both run for every mutant of window.py, docs/testing.md.)"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from syndicate.digest.window import Window, bounded, due_window, latest_end

UTC = timezone.utc
SIX = time(6, 0)
ZONES = [ZoneInfo("Asia/Phnom_Penh"), ZoneInfo("America/New_York")]


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_latest_end_is_the_local_cutoff(tz):
    assert latest_end(local(tz, 2018, 7, 28, 9, 0), "daily", SIX, tz) == local(tz, 2018, 7, 28, 6, 0)
    assert latest_end(local(tz, 2018, 7, 28, 5, 59), "daily", SIX, tz) == local(tz, 2018, 7, 27, 6, 0)
    # 06:30 in Phnom Penh is still the day before in UTC: the local day decides
    assert latest_end(local(tz, 2018, 7, 28, 6, 30), "weekly", SIX, tz) == local(tz, 2018, 7, 28, 6, 0)


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_latest_end_of_a_custom_period_counts_whole_periods_from_the_cutoff(tz):
    now = local(tz, 2018, 7, 28, 13, 30)
    assert latest_end(now, 2 * 3600, SIX, tz) == local(tz, 2018, 7, 28, 12, 0)  # three periods after 06:00
    assert latest_end(now, 3 * 3600, SIX, tz) == local(tz, 2018, 7, 28, 12, 0)


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_first_and_catch_up_windows_in_the_lists_zone(tz):
    now = local(tz, 2018, 7, 28, 9, 0)
    assert due_window(now, "daily", SIX, tz, None) == Window(local(tz, 2018, 7, 27, 6, 0), local(tz, 2018, 7, 28, 6, 0))
    last = local(tz, 2018, 7, 25, 6, 0)
    caught_up = due_window(now, "daily", SIX, tz, last)
    assert caught_up == Window(last, local(tz, 2018, 7, 28, 6, 0))
    assert caught_up.start.tzinfo is UTC and caught_up.end.tzinfo is UTC
    assert due_window(local(tz, 2018, 7, 25, 23, 59), "daily", SIX, tz, last) is None  # same local day
    assert due_window(local(tz, 2018, 8, 1, 7, 0), "weekly", SIX, tz, last) == Window(last, local(tz, 2018, 8, 1, 6, 0))


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_a_catch_up_window_ends_at_todays_cutoff_after_the_cutoff_moved(tz):
    """The last digest ended at 05:00; the list now sends at 06:00: the next one ends at 06:00."""
    last = local(tz, 2018, 7, 25, 5, 0)
    assert due_window(local(tz, 2018, 7, 28, 9, 0), "daily", SIX, tz, last) == \
        Window(last, local(tz, 2018, 7, 28, 6, 0))


def test_a_catch_up_counts_local_days_when_the_cutoff_was_on_another_utc_day():
    """08:00 in Phnom Penh is the same UTC day, 06:00 the day before: only local days count right."""
    tz = ZONES[0]
    last = local(tz, 2018, 7, 25, 8, 0)
    assert due_window(local(tz, 2018, 7, 28, 9, 0), "daily", SIX, tz, last) == Window(last, local(tz, 2018, 7, 28, 6, 0))


def test_a_first_window_across_a_daylight_saving_change_keeps_the_wall_clock():
    tz = ZONES[1]  # New York left daylight saving time on 2018-11-04
    first = due_window(local(tz, 2018, 11, 4, 9, 0), "daily", SIX, tz, None)
    assert first == Window(local(tz, 2018, 11, 3, 6, 0), local(tz, 2018, 11, 4, 6, 0))
    assert first.end - first.start == timedelta(hours=25)
    assert first.start.tzinfo is UTC and first.end.tzinfo is UTC


def test_a_custom_period_catch_up_in_a_zone():
    tz = ZONES[0]
    last = local(tz, 2018, 7, 28, 6, 0)
    caught_up = due_window(last + timedelta(hours=13), 4 * 3600, SIX, tz, last)
    assert caught_up == Window(last, last + timedelta(hours=12)) and caught_up.end.tzinfo is UTC


def test_a_bounded_window_steps_back_whole_local_days_across_a_daylight_saving_change():
    tz = ZONES[1]  # New York left daylight saving time on 2018-11-04: that day had 25 hours
    long = Window(local(tz, 2018, 10, 1, 6, 0), local(tz, 2018, 11, 6, 6, 0))
    cut = bounded(long, "daily", tz, 3)
    assert cut == Window(local(tz, 2018, 11, 3, 6, 0), long.end)  # 06:00 by the wall clock, 73 hours before
    assert cut.end - cut.start == timedelta(hours=73)
    assert bounded(cut, "daily", tz, 3) == cut and bounded(long, "daily", tz, 40) == long
