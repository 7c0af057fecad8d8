"""APScheduler 3 wiring, and nothing else: one job per channel, rebuilt from the specs at every start.

Jobs live in memory (no pickled job store): `feeds/` is the only definition, the ledger the only
memory of what was sent. Every job runs once at start (feeds are built, missed digests caught
up), then on its trigger. One worker thread runs jobs one at a time, so two jobs never write the
same cache at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timezone

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from syndicate.daemon.channels import Channel

log = logging.getLogger(__name__)


def start(channels: tuple[Channel, ...], run: Callable[[str], None], *, now: datetime,
          missed: Callable[[str, datetime], None], ran: Collection[str] = ()) -> BackgroundScheduler:
    """A running scheduler calling `run(channel_id)` from its one worker thread (at once, then on
    its trigger; the channels in `ran` have just run, so only on their trigger), and
    `missed(channel_id, scheduled)` for runs skipped as too late. Neither may call back into the
    scheduler: shutdown() holds its locks while it waits for the worker."""
    scheduler = BackgroundScheduler(timezone=timezone.utc, executors={"default": ThreadPoolExecutor(1)})
    for channel in channels:
        scheduler.add_job(
            run, channel.schedule.trigger(), args=(channel.id,), id=channel.id, name=channel.id,
            # A late run is merged into one (coalesce) and still runs within the grace time;
            # APScheduler's default grace of 1 s would silently drop it.
            coalesce=True, misfire_grace_time=max(1, round(channel.misfire_grace)), max_instances=1,
            **({} if channel.id in ran else {"next_run_time": now}),
        )

    def on_missed(event: JobExecutionEvent) -> None:
        missed(event.job_id, event.scheduled_run_time)

    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    scheduler.start()
    return scheduler


def next_runs(scheduler: BackgroundScheduler) -> dict[str, datetime | None]:
    return {job.id: job.next_run_time for job in scheduler.get_jobs()}
