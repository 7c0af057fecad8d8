"""Time expressions in channel files: durations ("15m", "1h30m") and cron schedules.

Pure: a fire time is always asked for with the instant to start from as an argument.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)([smhd]))")


def cron_trigger(expr: str, tz: ZoneInfo) -> CronTrigger:
    """A crontab expression as an APScheduler 3 trigger; 6 fields put seconds first.

    Weekday numbers are refused: crontab counts 0 as Sunday, APScheduler 3 as Monday, and a
    digest sent on the wrong day is worse than an error at start-up.
    """
    fields = expr.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"expected 5 fields (minute hour day month weekday) or 6 (seconds first), got {len(fields)}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields
    if any(ch.isdigit() for ch in weekday):
        raise ValueError(f"write weekdays as names (mon, tue, ... sun), not numbers: {weekday!r}")
    # APScheduler (and asyncio with it) loads only for a cron schedule: a daemon of feeds alone
    # starts its first build without it.
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=weekday, timezone=tz)


def parse_duration(value: object) -> float:
    """Seconds from a number or a string such as "90s", "15m", "1h30m", "7d"."""
    if isinstance(value, bool):
        raise ValueError("expected a duration")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.replace(" ", "").lower()
        parts = _DURATION.findall(text)
        if parts and "".join(n + u for n, u in parts) == text:
            return sum(float(n) * _UNITS[u] for n, u in parts)
    raise ValueError(f"expected seconds or a duration such as \"90s\", \"15m\", \"1h30m\", got {value!r}")


def format_duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def shortest_gap(trigger: CronTrigger, fires: int = 10) -> timedelta:
    """The shortest time between consecutive fire times over the first few from a fixed instant."""
    when = trigger.get_next_fire_time(None, datetime(2026, 1, 1, tzinfo=timezone.utc))
    gaps = []
    for _ in range(fires):
        following = trigger.get_next_fire_time(None, when + timedelta(microseconds=1))
        gaps.append(following - when)
        when = following
    return min(gaps)
