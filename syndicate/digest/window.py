"""Digest windows: which span of time one digest covers. Pure: `now` is always a parameter.

A window is `[start, end)`. It ends at a cut-off, the spec's "HH:MM" wall-clock time in the
list's time zone; a daily window starts at the previous day's cut-off and a weekly one seven
days before, so both keep to the wall clock across daylight-saving changes (23 or 25 hours).
A custom period is a fixed number of seconds, its cut-offs counted from each day's cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from syndicate.digest.spec import Period

UTC = timezone.utc


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive

    def __contains__(self, timestamp: float) -> bool:
        return self.start.timestamp() <= timestamp < self.end.timestamp()


def cutoff_on(day: date, cutoff: time, tz: ZoneInfo) -> datetime:
    """The cut-off on a local calendar day, as a UTC instant."""
    return datetime.combine(day, cutoff, tzinfo=tz).astimezone(UTC)


def window_ending(end: datetime, period: Period, tz: ZoneInfo) -> Window:
    """The window of one period that ends at `end`."""
    return Window(_step(end, period, tz, -1), end.astimezone(UTC))


def window_for_day(day: date, period: Period, cutoff: time, tz: ZoneInfo) -> Window:
    """The window ending at the cut-off on `day`: `--date 2018-07-28` at 06:00 is the daily window
    [2018-07-27 06:00, 2018-07-28 06:00)."""
    return window_ending(cutoff_on(day, cutoff, tz), period, tz)


def latest_end(now: datetime, period: Period, cutoff: time, tz: ZoneInfo) -> datetime:
    """The latest cut-off at or before `now`; for a custom period, the latest multiple of it
    after the latest daily cut-off."""
    local_day = now.astimezone(tz).date()
    daily = cutoff_on(local_day, cutoff, tz)
    if daily > now:
        daily = cutoff_on(local_day - timedelta(days=1), cutoff, tz)
    if isinstance(period, str):
        return daily
    return daily + timedelta(seconds=period) * ((now - daily) // timedelta(seconds=period))


def due_window(now: datetime, period: Period, cutoff: time, tz: ZoneInfo, last_end: datetime | None) -> Window | None:
    """The window a run at `now` should produce, or None when no new period has closed.

    With no digest before, the one period ending at the latest cut-off. After one, everything
    from its end to the latest cut-off on the same cadence, in one window however long the
    downtime was.
    """
    latest = latest_end(now, period, cutoff, tz)
    if last_end is None:
        return window_ending(latest, period, tz)
    if isinstance(period, int):
        steps = (now - last_end) // timedelta(seconds=period)
    else:
        step_days = 1 if period == "daily" else 7
        steps = (_local_day(latest, tz) - _local_day(last_end, tz)).days // step_days
    if steps < 1:
        return None
    return Window(last_end.astimezone(UTC), _step(last_end, period, tz, steps, cutoff))


def bounded(window: Window, period: Period, tz: ZoneInfo, periods: int) -> Window:
    """`window` cut to its last `periods` periods (a window reaching back over days of downtime
    would otherwise carry all of them: a "daily" digest of nine months)."""
    earliest = _step(window.end, period, tz, -periods)
    return Window(earliest, window.end) if window.start < earliest else window


def stamp(end: datetime, period: Period, tz: ZoneInfo) -> str:
    """A digest's file name stem: the local date its window ends, with the time for periods
    that can end more than once a day."""
    local = end.astimezone(tz)
    if isinstance(period, int) and period % 86400:
        return local.strftime("%Y-%m-%dT%H%M")
    return local.strftime("%Y-%m-%d")


def _step(when: datetime, period: Period, tz: ZoneInfo, steps: int, cutoff: time | None = None) -> datetime:
    """`when` moved by whole periods: calendar days at the cut-off, or seconds for custom periods."""
    if isinstance(period, int):
        return (when + timedelta(seconds=period * steps)).astimezone(UTC)
    local = when.astimezone(tz)
    day = local.date() + timedelta(days=steps * (1 if period == "daily" else 7))
    return cutoff_on(day, cutoff or local.time(), tz)


def _local_day(when: datetime, tz: ZoneInfo) -> date:
    return when.astimezone(tz).date()
