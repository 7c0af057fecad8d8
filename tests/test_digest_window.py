"""Digest windows: pure maths of cut-offs, periods, catch-up after downtime and file stamps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from syndicate.digest.window import Window, cutoff_on, due_window, latest_end, stamp, window_for_day

UTC = timezone.utc
SIX = time(6, 0)
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
NEW_YORK = ZoneInfo("America/New_York")


def test_date_names_the_day_whose_cutoff_ends_the_window():
    w = window_for_day(date(2018, 7, 28), "daily", SIX, ZoneInfo("UTC"))
    assert (w.start, w.end) == (datetime(2018, 7, 27, 6, tzinfo=UTC), datetime(2018, 7, 28, 6, tzinfo=UTC))
    assert datetime(2018, 7, 28, tzinfo=UTC).timestamp() in w
    assert w.end.timestamp() not in w  # [start, end)
    assert w.start.timestamp() in w


def test_cutoff_is_local_time_of_the_lists_zone():
    w = window_for_day(date(2018, 7, 28), "daily", SIX, PHNOM_PENH)  # UTC+7
    assert w.end == datetime(2018, 7, 27, 23, tzinfo=UTC)
    assert w.end.astimezone(PHNOM_PENH).time() == SIX


def test_weekly_window_is_seven_days():
    w = window_for_day(date(2018, 7, 30), "weekly", SIX, ZoneInfo("UTC"))
    assert w.start == datetime(2018, 7, 23, 6, tzinfo=UTC)
    assert w.end - w.start == timedelta(days=7)


def test_daily_window_keeps_the_wall_clock_across_daylight_saving():
    fall_back = window_for_day(date(2018, 11, 4), "daily", SIX, NEW_YORK)
    spring = window_for_day(date(2018, 3, 11), "daily", SIX, NEW_YORK)
    assert fall_back.end - fall_back.start == timedelta(hours=25)
    assert spring.end - spring.start == timedelta(hours=23)
    assert {fall_back.start.astimezone(NEW_YORK).time(), fall_back.end.astimezone(NEW_YORK).time()} == {SIX}


def test_custom_period_is_counted_in_seconds():
    w = window_for_day(date(2018, 7, 28), 6 * 3600, SIX, ZoneInfo("UTC"))
    assert w.end - w.start == timedelta(hours=6)


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2018, 7, 28, 5, 59, tzinfo=UTC), datetime(2018, 7, 27, 6, tzinfo=UTC)),
    (datetime(2018, 7, 28, 6, 0, tzinfo=UTC), datetime(2018, 7, 28, 6, tzinfo=UTC)),
    (datetime(2018, 7, 28, 23, 0, tzinfo=UTC), datetime(2018, 7, 28, 6, tzinfo=UTC)),
])
def test_latest_end_is_the_last_cutoff_not_after_now(now, expected):
    assert latest_end(now, "daily", SIX, ZoneInfo("UTC")) == expected


def test_latest_end_of_a_custom_period_steps_from_the_daily_cutoff():
    now = datetime(2018, 7, 28, 13, 30, tzinfo=UTC)
    assert latest_end(now, 6 * 3600, SIX, ZoneInfo("UTC")) == datetime(2018, 7, 28, 12, tzinfo=UTC)


def test_first_run_covers_one_period():
    w = due_window(datetime(2018, 7, 28, 9, tzinfo=UTC), "daily", SIX, ZoneInfo("UTC"), None)
    assert w == Window(datetime(2018, 7, 27, 6, tzinfo=UTC), datetime(2018, 7, 28, 6, tzinfo=UTC))


def test_after_downtime_one_window_covers_everything_since_the_last_digest():
    last_end = datetime(2018, 7, 25, 6, tzinfo=UTC)
    w = due_window(datetime(2018, 7, 28, 9, tzinfo=UTC), "daily", SIX, ZoneInfo("UTC"), last_end)
    assert w == Window(last_end, datetime(2018, 7, 28, 6, tzinfo=UTC))


def test_nothing_is_due_before_the_next_cutoff():
    last_end = datetime(2018, 7, 28, 6, tzinfo=UTC)
    assert due_window(datetime(2018, 7, 29, 5, 59, tzinfo=UTC), "daily", SIX, ZoneInfo("UTC"), last_end) is None
    assert due_window(datetime(2018, 7, 29, 6, 0, tzinfo=UTC), "daily", SIX, ZoneInfo("UTC"), last_end) is not None


def test_weekly_catch_up_keeps_the_weekday():
    monday = datetime(2018, 7, 30, 6, tzinfo=UTC)
    tz = ZoneInfo("UTC")
    assert due_window(datetime(2018, 8, 2, 12, tzinfo=UTC), "weekly", SIX, tz, monday) is None  # a Thursday
    late = due_window(datetime(2018, 8, 22, 12, tzinfo=UTC), "weekly", SIX, tz, monday)  # three weeks later, a Wednesday
    assert late == Window(monday, datetime(2018, 8, 20, 6, tzinfo=UTC))
    assert late.end.weekday() == monday.weekday()


def test_custom_catch_up_ends_on_a_whole_number_of_periods():
    last_end = datetime(2018, 7, 28, 6, tzinfo=UTC)
    w = due_window(datetime(2018, 7, 28, 19, tzinfo=UTC), 4 * 3600, SIX, ZoneInfo("UTC"), last_end)
    assert w == Window(last_end, datetime(2018, 7, 28, 18, tzinfo=UTC))


def test_stamp_is_the_local_end_date_with_the_time_only_for_sub_daily_periods():
    end = cutoff_on(date(2018, 7, 28), SIX, PHNOM_PENH)
    assert stamp(end, "daily", PHNOM_PENH) == "2018-07-28"
    assert stamp(end, "weekly", PHNOM_PENH) == "2018-07-28"
    assert stamp(end, 2 * 86400, PHNOM_PENH) == "2018-07-28"
    assert stamp(end, 3600, PHNOM_PENH) == "2018-07-28T0600"
