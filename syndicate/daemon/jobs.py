"""What one daemon job does when it runs: rebuild a feed channel, or produce and deliver a digest.

Each takes the clock as `now`, so a test can run a job at any moment without sleeping; the
daemon passes the wall clock. A job raises on failure; the daemon logs it and runs it again at
its next time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from syndicate.config import Settings
from syndicate.daemon.channels import DigestChannel, FeedChannel
from syndicate.daemon.decide import plan_digest
from syndicate.daemon.deliver import DeliveryError, deliver
from syndicate.digest.ledger import Ledger
from syndicate.pipeline.build import FeedFilter, build_site
from syndicate.pipeline.site import Site

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    """What every job needs; one per daemon."""

    settings: Settings
    out_dir: Path
    state_dir: Path
    stop: threading.Event  # set on SIGTERM/SIGINT: jobs end between two files
    environ: Mapping[str, str]  # where SMTP logins are read from
    ledger: Ledger | None = None  # open when any digest channel exists: digest jobs need it
    sites: dict[str, Site] = field(default_factory=dict)  # feed channel id -> its site, kept open between runs


@dataclass(frozen=True, slots=True)
class Result:
    items: int | None = None  # None: nothing needed rebuilding
    files_changed: int = 0
    digests_sent: int = 0
    problems: int = 0  # posts that could not be published


class Stopping(Exception):
    """The daemon is stopping; the job ended after a complete file."""


class JobFailed(Exception):
    """Part of a job failed; `result` says what the rest achieved."""

    def __init__(self, message: str, result: Result):
        super().__init__(message)
        self.result = result


def feed_filter(channel: FeedChannel) -> FeedFilter:
    """The feeds a channel writes."""
    return FeedFilter(channel.language, channel.formats)


def run_feed(channel: FeedChannel, ctx: Context, now: datetime, *, changed: Collection[str] | None = None,
             workers: int = 1) -> Result:
    """Rebuild the channel's feeds. Its site stays open between runs: `changed` (the paths the
    file watcher saw change) are looked at alone; None lists every post folder again."""
    settings = replace(ctx.settings, item_limit=channel.limit or ctx.settings.item_limit,
                       feed_categories=channel.categories or ctx.settings.feed_categories)

    def check_stop(stage: str, done: int, total: int) -> None:
        if ctx.stop.is_set():
            raise Stopping(f"stopped after {done} of {total} ({stage})")

    # Each channel keeps its own cache: its settings differ, and it must only prune its own files.
    # workers > 1 forks a process pool (workers.py): only before the daemon starts its threads.
    site = ctx.sites.pop(channel.id, None)
    try:
        if site is None:
            site = Site.open(settings, ctx.state_dir / "channels" / channel.id, workers)
        else:
            site.refresh(changed)
        site.workers = workers
        report = build_site(site, ctx.out_dir, now=now, progress=check_stop,
                            only=feed_filter(channel))
    except BaseException:  # a build cut short may leave the site half updated: read it afresh next time
        if site is not None:
            site.close()
        raise
    site.workers = 1
    ctx.sites[channel.id] = site
    ping_problems = []
    if settings.hubs:  # urllib's HTTP stack loads only where there are hubs to tell
        from syndicate.subscribers.websub import notify_hubs

        _, ping_problems = notify_hubs(settings, report)  # WebSub: only feeds this run rewrote
    for problem in (*report.errors, *ping_problems):
        log.warning("job=%s: %s", channel.id, problem)
    if report.extra.get("nothing_changed"):
        return Result()
    return Result(items=report.posts_published, files_changed=len(report.files_written),
                  problems=len(report.errors))


def run_digest(channel: DigestChannel, ctx: Context, now: datetime) -> Result:
    """Produce the digest due at `now` unless the ledger has it, then deliver every unsent one."""
    from syndicate.digest import produce  # the digest engine loads only where digests are defined

    plan = plan_digest(channel.list_id, channel.schedule.trigger(), now, ctx.ledger)
    items, written = None, 0
    if plan.produce:
        made = produce(ctx.settings, channel.spec, out_dir=ctx.out_dir, state_dir=ctx.state_dir, now=now,
                       window_end=plan.window_end)
        if made is not None:
            items, written = len(made.post_ids), len(made.written)
        else:
            log.info("job=%s: %s", channel.id, _nothing_new(channel, ctx, plan.window_end))
    elif plan.window_end is None:
        log.info("job=%s: not due yet: its schedule (%s) has not fired before %s", channel.id, channel.schedule,
                 now.isoformat(timespec="seconds"))
    sent, errors = _deliver_unsent(channel, ctx, now)
    result = Result(items=items, files_changed=written, digests_sent=sent)
    if errors:
        raise JobFailed("; ".join(errors), result)
    return result


def _nothing_new(channel: DigestChannel, ctx: Context, window_end: datetime) -> str:
    """Why a due digest was not made: its window, from the list's last digest (or one period
    back), held no post the list has not had."""
    from syndicate.digest.window import window_ending

    spec = channel.spec
    tz = spec.zone(ctx.settings)
    last = ctx.ledger.last(spec.list_id) if ctx.ledger is not None else None
    # A replay (`run --now`) may come before the ledger's last digest: then one period back.
    start = last.window_end if last is not None and last.window_end < window_end else \
        window_ending(window_end, spec.period, tz).start
    local = [when.astimezone(tz).isoformat(timespec="minutes") for when in (start, window_end)]
    return (f"no new {spec.language} posts since {local[0]} (window up to {local[1]}): no digest; "
            f"`syndicate run --now` replays an earlier clock")


def run_redeliver(channels: tuple[DigestChannel, ...], ctx: Context, now: datetime) -> Result:
    """Deliver what earlier runs could not, without waiting for each list's next scheduled time."""
    sent, errors = 0, []
    for channel in channels:
        more, failed = _deliver_unsent(channel, ctx, now)
        sent, errors = sent + more, errors + failed
    if errors:
        raise JobFailed("; ".join(errors), Result(digests_sent=sent))
    return Result(digests_sent=sent)


def _deliver_unsent(channel: DigestChannel, ctx: Context, now: datetime) -> tuple[int, list[str]]:
    """Hand on every digest of the list not yet sent, oldest first: (how many went, what failed)."""
    from syndicate.digest import produce

    sent, errors = 0, []
    for record in ctx.ledger.unsent(channel.list_id):
        if ctx.stop.is_set():
            raise Stopping(f"{channel.list_id}: undelivered digests are left for the next start")
        if not Path(record.paths.get("eml", "")).is_file():  # outputs deleted: the ledger can remake them
            produce(ctx.settings, channel.spec, out_dir=ctx.out_dir, state_dir=ctx.state_dir, now=now,
                    window_end=record.window_end)
        try:
            deliver(record, ctx.out_dir, channel.smtp, ctx.ledger, sender=channel.spec.from_address,
                    recipient=channel.spec.list_address, environ=ctx.environ, stop=ctx.stop)
            sent += 1
        except DeliveryError as exc:
            errors.append(str(exc))
    return sent, errors
