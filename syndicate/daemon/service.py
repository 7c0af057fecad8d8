"""The long-lived process behind `syndicate run`: jobs on their schedules, feeds rebuilt soon after
a post changes, one log line per job run, and a clean stop between two files.

Jobs run one at a time (the scheduler's single worker and the file watcher share one lock), so
a rebuild triggered by a saved post never races a scheduled one over the same cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from syndicate.collect.jekyll import MARKDOWN_EXTENSIONS
from syndicate.config import Settings
from syndicate.daemon import jobstate
from syndicate.daemon.channels import Channel, DigestChannel, FeedChannel
from syndicate.daemon.jobs import Context, JobFailed, Result, Stopping, feed_filter, run_digest, run_feed, run_redeliver
from syndicate.digest.ledger import Ledger
from syndicate.pipeline.build import warm
from syndicate.system.failures import describe
from syndicate.system.workers import default_workers

log = logging.getLogger("syndicate.run")
UTC = timezone.utc


class Daemon:
    """One site's jobs, from `serve()` until `stop` is set or `signalled()` turns true (a signal
    handler's flag: serve() sets `stop` for it); the caller holds the state lock."""

    def __init__(self, settings: Settings, channels: tuple[Channel, ...], out_dir: Path, state_dir: Path, *,
                 stop: threading.Event, environ: Mapping[str, str], debounce: float = 1.0,
                 signalled: Callable[[], bool] = lambda: False, now: datetime | None = None):
        self.settings = settings
        self.channels = {ch.id: ch for ch in channels}
        self.out_dir, self.state_dir = Path(out_dir), Path(state_dir)
        self.stop = stop
        self.signalled = signalled
        self.environ = environ
        self.debounce = debounce
        # `run --now`: jobs see the clock moved to `now` at start, then running on from there
        # (the scheduler keeps real time: it fires every job at start, then on its trigger).
        self._offset = now - datetime.now(UTC) if now is not None else timedelta(0)
        self._serial = threading.Lock()
        self._ctx: Context | None = None
        self._board: jobstate.JobBoard | None = None

    def serve(self) -> None:
        """Run until `stop` is set; return once the job in hand has finished its current file."""
        now = datetime.now(UTC)
        needs_ledger = any(isinstance(ch, DigestChannel) for ch in self.channels.values())
        ledger = Ledger(self.state_dir) if needs_ledger else None
        self._ctx = Context(self.settings, self.out_dir, self.state_dir, self.stop, self.environ, ledger)
        self._board = jobstate.JobBoard(self.state_dir, jobstate.started(
            _load_quietly(self.state_dir), {cid: (ch.kind, str(ch.schedule)) for cid, ch in self.channels.items()},
            pid=os.getpid(), site=str(self.settings.site_dir), out=str(self.out_dir), now=now))
        _warn_orphans(ledger, self.channels)
        # Feeds are built first, on every core: workers are forked, which is safe only while this
        # process has a single thread, so before the scheduler's and the watcher's start.
        feeds = [cid for cid, ch in self.channels.items() if isinstance(ch, FeedChannel)]
        for cid in feeds:
            if self.signalled():
                self.stop.set()
            self.run_job(cid, workers=default_workers())
        watcher = threading.Thread(target=self._watch, name="watcher", daemon=True)
        watcher.start()
        self._warm(now)
        from syndicate.daemon import schedule  # APScheduler: loaded after the start-up build, not before it

        scheduler = schedule.start(tuple(self.channels.values()), self.run_job, now=now, missed=self._missed,
                                   ran=feeds)
        try:
            # Next run times are read here, never from a job's thread: a job asking the scheduler
            # while shutdown() holds its locks would deadlock.
            while not self.signalled() and not self.stop.wait(0.25):
                self._board.update(jobstate.with_next_runs, schedule.next_runs(scheduler))
        finally:
            self.stop.set()  # here, not in the signal handler (commands/run.py says why)
            log.info("stopping: finishing the file in hand")
            scheduler.shutdown(wait=True)
            watcher.join(timeout=30)  # it stops between two files, as the scheduled jobs do
            self._board.update(jobstate.stopped, datetime.now(UTC))
            if ledger is not None:
                ledger.close()
            for site in self._ctx.sites.values():
                site.close()

    def run_job(self, job_id: str, *, changed: Collection[str] | None = None, workers: int = 1) -> None:
        """Run one job now, log one line about it and record it for `status`. Never raises.
        `changed`: the post files the watcher saw change (None: look at every file)."""
        with self._serial:
            if self.stop.is_set():
                return
            channel = self.channels[job_id]
            started, clock = datetime.now(UTC) + self._offset, time.perf_counter()
            result, outcome, error, failure = Result(), "ok", None, None
            try:
                result = self._run(channel, started, changed, workers)
            except Stopping as exc:
                outcome, error = "stopped", str(exc)
            except JobFailed as exc:
                outcome, error, result, failure = "error", str(exc), exc.result, exc
            except Exception as exc:  # a failing job must not take the daemon down: log, retry next time
                described = describe(exc, self.state_dir)
                outcome, error, failure = "error", described[1] if described else f"{type(exc).__name__}: {exc}", exc
            duration = time.perf_counter() - clock
            line = (f"job={job_id} kind={channel.kind} outcome={outcome} duration={duration:.2f}s "
                    f"items={'-' if result.items is None else result.items} files_changed={result.files_changed} "
                    f"digests_sent={result.digests_sent}" + (f" problems={result.problems}" if result.problems else ""))
            if outcome == "error":  # one line; the traceback only for -v, where it helps a bug report
                log.error("%s error=%s", line, error, exc_info=failure if log.isEnabledFor(logging.DEBUG) else None)
            else:
                log.info("%s", line)
            run = jobstate.JobRun(job_id, started, round(duration, 3), outcome, result.items, result.files_changed,
                                  result.digests_sent, error if outcome == "error" else None,
                                  undelivered=isinstance(failure, JobFailed))
            self._board.update(jobstate.with_run, run)
            if result.digests_sent and self._ctx.ledger is not None:
                self._board.update(jobstate.with_delivered, self._delivered_lists(), datetime.now(UTC))

    def _delivered_lists(self) -> list[str]:
        """Digest jobs with nothing left unsent in the ledger."""
        waiting = {record.list_id for record in self._ctx.ledger.unsent()}
        return [cid for cid, ch in self.channels.items()
                if isinstance(ch, DigestChannel) and ch.spec.list_id not in waiting]

    def _run(self, channel: Channel, now: datetime, changed: Collection[str] | None, workers: int) -> Result:
        if isinstance(channel, FeedChannel):
            return run_feed(channel, self._ctx, now, changed=changed, workers=workers)
        if isinstance(channel, DigestChannel):
            return run_digest(channel, self._ctx, now)
        mailed = tuple(ch for ch in self.channels.values() if isinstance(ch, DigestChannel) and ch.smtp)
        return run_redeliver(mailed, self._ctx, now)

    def _missed(self, job_id: str, scheduled: datetime) -> None:
        late = datetime.now(UTC) - scheduled
        message = f"the run due at {scheduled.isoformat()} could not start within its misfire grace (late by {late})"
        log.warning("job=%s outcome=missed %s", job_id, message)
        self._board.update(jobstate.with_run, jobstate.JobRun(job_id, scheduled, 0.0, "missed", error=message))

    def _warm(self, now: datetime) -> None:
        """Ready every feed channel's site for the first saved post (its entries decoded, the
        renderer and serialisers imported), after the start-up build has been logged."""
        clock = time.perf_counter()
        with self._serial:
            for cid, site in list(self._ctx.sites.items()):
                if self.stop.is_set() or self.signalled():
                    return
                try:
                    warm(site, now, feed_filter(self.channels[cid]))
                except Exception:  # e.g. a damaged cache: the next run reads the site afresh
                    log.exception("job=%s: could not ready the site for saved posts", cid)
                    self._ctx.sites.pop(cid).close()
        log.info("ready for saved posts in %.2fs", time.perf_counter() - clock)

    def _watch(self) -> None:
        """Rebuild every feed channel once a burst of post changes has been quiet for `debounce` seconds."""
        feeds = [cid for cid, ch in self.channels.items() if isinstance(ch, FeedChannel)]
        if not feeds:
            return
        import watchfiles  # loaded on this thread, after the start-up build

        root = self.settings.site_dir.resolve()

        def is_post(change: watchfiles.Change, path: str) -> bool:
            rel = Path(path).relative_to(root) if Path(path).is_relative_to(root) else Path(path)
            return ("_posts" in rel.parts[:-1] and not rel.name.startswith(".")
                    and rel.suffix.lower() in MARKDOWN_EXTENSIONS)

        quiet = max(50, int(self.debounce * 1000))
        watching = False
        try:
            # yield_on_timeout: an empty set after a quiet second, the sign that it is watching.
            for changes in watchfiles.watch(root, watch_filter=is_post, step=quiet, debounce=quiet * 10,
                                            stop_event=self.stop, raise_interrupt=False,
                                            rust_timeout=1000, yield_on_timeout=True):
                if changes:
                    log.info("%d post file(s) changed; rebuilding %d feed channel(s)", len(changes), len(feeds))
                elif watching:
                    continue
                # The first time, every file is listed again: a post saved after the start-up
                # build's listing but before the watcher was ready is found so.
                changed = {path for _, path in changes} if watching else None
                watching = True
                for cid in feeds:
                    self.run_job(cid, changed=changed)
        except Exception:
            log.exception("watching %s for changed posts failed; feeds are still rebuilt on schedule", root)


def _load_quietly(state_dir: Path) -> dict:
    """The previous job state, or nothing when it is damaged: the daemon rewrites it anyway."""
    try:
        return jobstate.load(state_dir)
    except ValueError as exc:
        log.warning("%s; starting a new one", exc)
        return {}


def _warn_orphans(ledger: Ledger | None, channels: dict[str, Channel]) -> None:
    """Unsent digests of lists no channel defines any more: nothing will send them, so say so."""
    if ledger is None:
        return
    known = {getattr(ch, "list_id", None) for ch in channels.values()}
    for record in ledger.unsent():
        if record.list_id not in known:
            log.warning("ledger: the %s digest ending %s was never sent and no channel defines list %r",
                        record.list_id, record.window_end.isoformat(), record.list_id)
