"""The daemon as an operator runs it: a real `python -m syndicate run` process on a copy of the
example site, with schedules of seconds. Waits are bounded polls, never fixed sleeps."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syndicate.daemon.decide import latest_fire
from syndicate.daemon.timespec import cron_trigger
from syndicate.digest.ledger import Ledger

pytestmark = pytest.mark.slow
UTC = timezone.utc
PROJECT = Path(__file__).resolve().parent.parent


def wait_for(predicate, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Daemon:
    """A `syndicate run` child process writing its log to a file."""

    def __init__(self, root: Path, *extra: str, python: tuple[str, ...] = ()):
        self.root = root
        self.log_path = root / "daemon.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, *python, "-m", "syndicate", "run", "site", "--out", "out", "--state", "state",
             "--feeds", "feeds", "--debounce", "0.3", *extra],
            cwd=root, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(PROJECT), "PYTHONFAULTHANDLER": "1"})

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10, sig: int = signal.SIGTERM) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack goes to the log
            self.proc.wait(timeout=10)
            raise AssertionError(f"no exit {timeout}s after SIGTERM:\n{self.log[-6000:]}") from None
        finally:
            self._log.close()
        return code, time.monotonic() - started


@pytest.fixture
def root(tmp_path, example_site):
    shutil.copytree(example_site, tmp_path / "site")
    (tmp_path / "feeds").mkdir()
    return tmp_path


@pytest.fixture
def daemons():
    started: list[Daemon] = []

    def start(root: Path, *extra: str, python: tuple[str, ...] = ()) -> Daemon:
        daemon = Daemon(root, *extra, python=python)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:  # a failed test must not leave a process behind
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait()


def post(site: Path, slug: str, title: str, when: datetime, language: str = "english") -> Path:
    path = site / language / "_posts" / f"{when:%Y-%m-%d}-{slug}.md"
    path.write_text(f"---\ntitle: {title}\ndate: {when.isoformat()}\ncategories: economy\nlanguage: {language}\n"
                    f"---\n\nText of {slug}.\n", encoding="utf-8")
    return path


def feed_text(root: Path, rel: str = "english/feed.xml") -> str:
    path = root / "out" / rel
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def temp_files(root: Path) -> list[Path]:
    return [p for folder in ("out", "state") for p in (root / folder).rglob(".*.tmp")]


def test_feeds_appear_follow_saved_posts_and_sigterm_exits_cleanly(root, daemons):
    # An hourly schedule: within this test only the file watcher can bring a change into the feeds.
    (root / "feeds" / "site.toml").write_text('[feed]\nevery = "1h"\n')
    daemon = daemons(root)
    wait_for(lambda: "job=site kind=feed outcome=ok" in daemon.log, 60, "the first build")
    assert "River Dolphins" in feed_text(root)
    assert (root / "out" / "feed.xml").is_file() and (root / "out" / "khmer" / "feed.json").is_file()

    now = datetime.now(UTC).replace(microsecond=0)
    post(root / "site", "ferry-strike", "Ferry Crews Strike", now - timedelta(minutes=5))
    wait_for(lambda: "Ferry Crews Strike" in feed_text(root), 15, "the new post in the English feed")

    # Saving 50 posts at once is one rebuild.
    rebuilds = daemon.log.count("post file(s) changed")
    for i in range(50):
        post(root / "site", f"bulk-{i}", f"Bulk Story {i}", now - timedelta(minutes=i % 30))
    wait_for(lambda: "Bulk Story 0<" in feed_text(root), 15, "the bulk posts in the feed")
    wait_for(lambda: daemon.log.count("job=site kind=feed outcome=ok") >= 3, 15, "the rebuild's log line")
    assert daemon.log.count("post file(s) changed") == rebuilds + 1
    assert "50 post file(s) changed" in daemon.log

    code, took = daemon.stop()
    assert code == 0 and took < 10
    assert temp_files(root) == []
    log = daemon.log
    assert re.search(r"job=site kind=feed outcome=ok duration=\d+\.\d\ds items=\d+ files_changed=\d+ "
                     r"digests_sent=0", log), log
    assert "Traceback" not in log


def test_sigterm_at_any_point_of_start_up_exits_0_promptly_leaving_whole_files(root, daemons):
    # The bug: the handler was set only after half a second of imports, so a SIGTERM in that window
    # killed the daemon (exit -15) or, as PID 1 of a container, was dropped and it never stopped.
    # The sleeps are the points, seeded, from the moment our package is imported (`-X importtime`
    # says so in the log; the interpreter's own start, slow on a busy machine, comes before any of
    # our code): while it loads (its handler is in place well within 0.25 s), takes its lock, starts the
    # scheduler, runs its first jobs, idles. Every start is a first one, with the repo's feed and
    # digest channels.
    for channel in (PROJECT / "feeds").glob("*.toml"):
        shutil.copy(channel, root / "feeds")
    rng = random.Random(20261125)
    points = sorted(rng.uniform(0.25, 0.5) for _ in range(3)) + sorted(rng.uniform(0.5, 2.0) for _ in range(5))
    for i, delay in enumerate(points):
        for folder in ("out", "state"):
            shutil.rmtree(root / folder, ignore_errors=True)
        daemon = daemons(root, python=("-X", "importtime"))
        wait_for(lambda daemon=daemon: "| syndicate\n" in daemon.log, 60, "the package's import", every=0.002)
        time.sleep(delay)
        sig = signal.SIGINT if i % 4 == 3 else signal.SIGTERM  # Ctrl-C too
        code, took = daemon.stop(timeout=5, sig=sig)
        what = f"{signal.Signals(sig).name} {delay:.2f}s after the package was imported"
        assert code == 0, f"{what}: exit {code}\n{daemon.log[-3000:]}"
        assert took < 5, what
        assert temp_files(root) == [], what
        assert "Traceback" not in daemon.log, f"{what}\n{daemon.log[-3000:]}"


def test_a_second_writer_waits_then_exits_naming_the_holder_and_status_lists_jobs(root, daemons):
    (root / "feeds" / "site.toml").write_text('[feed]\nevery = "1h"\n')
    (root / "feeds" / "km.toml").write_text('[digest]\nlanguage = "khmer"\nschedule = "0 6 * * mon"\n'
                                            'list_address = "km@example.org"\nfrom_address = "news@example.org"\n')
    daemon = daemons(root)
    wait_for(lambda: daemon.log.count("outcome=ok") >= 2, 60, "both jobs' first runs")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    others = [subprocess.Popen([sys.executable, "-m", "syndicate", *args, "--state", "state"], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for args in (["build", "site", "--out", "out"], ["run", "site", "--out", "out", "--feeds", "feeds"])]
    status = subprocess.run([sys.executable, "-m", "syndicate", "status", "--state", "state"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=60)
    for other in others:
        _, err = other.communicate(timeout=60)
        assert other.returncode == 1
        assert f"state/lock is held by process {daemon.proc.pid}" in err
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert f"daemon running (pid {daemon.proc.pid})" in lines[0]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"site", "km"}
    assert "every 1h" in rows["site"] and " ok " in rows["site"]
    assert "cron '0 6 * * mon'" in rows["km"]
    assert daemon.stop()[0] == 0


def test_a_failing_job_is_logged_in_one_line_and_retried_while_the_daemon_stays_up(root, daemons):
    (root / "feeds" / "site.toml").write_text('[feed]\nevery = "1s"\n')
    (root / "out").mkdir()
    (root / "out" / "english").write_text("a file where the English feeds' folder should be")
    daemon = daemons(root)
    wait_for(lambda: "outcome=error" in daemon.log, 60, "the failing run")
    [line] = [line for line in daemon.log.splitlines() if "outcome=error" in line][:1]
    assert line.endswith(f"error={root / 'out' / 'english'}: a file is where a folder should be"), line
    assert "Traceback (most recent call last)" not in daemon.log  # that is for -v
    status = subprocess.run([sys.executable, "-m", "syndicate", "status", "--state", "state"], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True, timeout=60)
    assert status.returncode == 1 and " error " in status.stdout and "english" in status.stdout
    (root / "out" / "english").unlink()  # the operator fixes it; the next run succeeds
    wait_for(lambda: "River Dolphins" in feed_text(root), 30, "a successful retry")
    assert daemon.proc.poll() is None
    assert daemon.stop(sig=signal.SIGINT)[0] == 0  # Ctrl-C stops it as cleanly as SIGTERM
    assert temp_files(root) == []


def test_a_daemon_down_for_two_periods_sends_one_catch_up_digest_then_keeps_schedule(root, daemons):
    # Once a minute, at a second about 15 s from now: the first scheduled run comes soon after start.
    now = datetime.now(UTC).replace(microsecond=0)
    second = (now.second + 15) % 60
    trigger = cron_trigger(f"{second} * * * * *", UTC)
    last = latest_fire(trigger, now)  # the tick before start: the catch-up digest's end
    following = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
    (root / "feeds" / "news.toml").write_text(
        f'[digest]\nlanguage = "english"\nperiod = 60\nschedule = "{second} * * * * *"\ntimezone = "UTC"\n'
        'list_address = "digest@example.org"\nfrom_address = "news@example.org"\n[digest.delivery]\n')
    with Ledger(root / "state") as ledger:  # the last digest sent ended two periods before `last`
        seed = ledger.record("news", last - timedelta(seconds=180), last - timedelta(seconds=120), "<seed@x>", [], {})
        ledger.mark_sent(seed.message_id)
    site = root / "site"
    post(site, "first-missed", "First Missed", last - timedelta(seconds=90))
    post(site, "second-missed", "Second Missed", last - timedelta(seconds=30))
    post(site, "on-time", "On Time", following - timedelta(seconds=5))

    daemon = daemons(root)
    with Ledger(root / "state") as ledger:
        catch_up = wait_for(lambda: ledger.find("news", last), 60, "the catch-up digest")
        scheduled = wait_for(lambda: ledger.find("news", following), 60, "the next scheduled digest")
        assert daemon.stop()[0] == 0
        slugs = lambda record: {p.rsplit("/", 1)[-1].removesuffix(".html") for p in record.post_ids}  # noqa: E731
        assert slugs(catch_up) == {"first-missed", "second-missed"}
        assert slugs(ledger.find("news", following)) == {"on-time"}
        assert ledger.find("news", last - timedelta(seconds=60)) is None  # the missed tick was not replayed
        assert ledger.status(catch_up.message_id) == ledger.status(scheduled.message_id) == "sent"
    outbox = sorted(p.name for p in (root / "out" / "outbox").iterdir())
    assert outbox == [f"news-{last:%Y%m%dT%H%M%S}Z.eml", f"news-{following:%Y%m%dT%H%M%S}Z.eml"]
    assert temp_files(root) == []
