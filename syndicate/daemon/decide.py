"""What a digest job should do, decided from the ledger and `now` alone: no clock, no I/O.

A digest job is the same whether it runs at its scheduled time, late, or at start-up after the
daemon was down: make sure the digest for the latest scheduled time at or before `now` exists
(then hand on every digest of the list the ledger has as unsent). Missed ticks are not replayed
one by one: the digest for the latest tick also carries the posts of the ticks missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from syndicate.digest.ledger import DigestRecord

MAX_LOOKBACK = timedelta(days=400)  # longer than any cron schedule's gap (yearly at most)
_TICK = timedelta(microseconds=1)


class Trigger(Protocol):
    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None: ...


class LedgerView(Protocol):
    def find(self, list_id: str, window_end: datetime) -> DigestRecord | None: ...


@dataclass(frozen=True, slots=True)
class DigestPlan:
    window_end: datetime | None  # the scheduled time this run answers for; None: never fired yet
    produce: bool  # the ledger has no digest ending at window_end


def latest_fire(trigger: Trigger, now: datetime) -> datetime | None:
    """The latest time at or before `now` when `trigger` fires; None when it has not in MAX_LOOKBACK."""
    lookback = timedelta(seconds=1)
    while True:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is not None and fire <= now:
            break
        if lookback >= MAX_LOOKBACK:
            return None
        lookback = min(lookback * 2, MAX_LOOKBACK)  # widen until a fire time falls inside
    while True:
        following = trigger.get_next_fire_time(None, fire + _TICK)
        if following is None or following > now:
            return fire
        fire = following


def plan_digest(list_id: str, trigger: Trigger, now: datetime, ledger: LedgerView) -> DigestPlan:
    end = latest_fire(trigger, now)
    return DigestPlan(end, end is not None and ledger.find(list_id, end) is None)
