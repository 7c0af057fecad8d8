"""Scheduling decisions with `now` as an argument (no sleeping), and the APScheduler wiring."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicate.config import load_settings
from syndicate.daemon import schedule
from syndicate.daemon.channels import DigestChannel, FeedChannel, Schedule, load_channels
from syndicate.daemon.decide import latest_fire, plan_digest
from syndicate.daemon.timespec import cron_trigger
from syndicate.digest.ledger import DigestRecord

UTC = timezone.utc
PP = ZoneInfo("Asia/Phnom_Penh")
NY = ZoneInfo("America/New_York")
REPO_FEEDS = Path(__file__).resolve().parent.parent / "feeds"


@pytest.mark.parametrize(("expr", "tz", "now", "expected"), [
    # daily at 06:00 in Phnom Penh (UTC+7)
    ("0 6 * * *", PP, datetime(2026, 11, 25, 8, 0, tzinfo=PP), datetime(2026, 11, 25, 6, 0, tzinfo=PP)),
    ("0 6 * * *", PP, datetime(2026, 11, 25, 6, 0, tzinfo=PP), datetime(2026, 11, 25, 6, 0, tzinfo=PP)),
    ("0 6 * * *", PP, datetime(2026, 11, 25, 5, 59, 59, tzinfo=PP), datetime(2026, 11, 24, 6, 0, tzinfo=PP)),
    # weekly on Monday: on a Wednesday the latest is two days back
    ("0 6 * * mon", PP, datetime(2026, 11, 25, 12, 0, tzinfo=PP), datetime(2026, 11, 23, 6, 0, tzinfo=PP)),
    # across the end of daylight saving time (1 November 2026 in New York): still 06:00 local
    ("0 6 * * *", NY, datetime(2026, 11, 1, 12, 0, tzinfo=NY), datetime(2026, 11, 1, 11, 0, tzinfo=UTC)),
    ("0 6 * * *", NY, datetime(2026, 10, 31, 12, 0, tzinfo=NY), datetime(2026, 10, 31, 10, 0, tzinfo=UTC)),
    # every 5 seconds
    ("*/5 * * * * *", UTC, datetime(2026, 11, 25, 10, 0, 7, 500, tzinfo=UTC), datetime(2026, 11, 25, 10, 0, 5, tzinfo=UTC)),
    # yearly: the search reaches back most of a year
    ("0 0 1 1 *", UTC, datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
])
def test_latest_fire_is_the_last_scheduled_time_at_or_before_now(expr, tz, now, expected):
    assert latest_fire(cron_trigger(expr, tz), now) == expected


def test_latest_fire_looks_back_at_most_400_days():
    leap_day = cron_trigger("0 0 29 2 *", UTC)  # 29 February only
    assert latest_fire(leap_day, datetime(2025, 1, 1, tzinfo=UTC)) == datetime(2024, 2, 29, tzinfo=UTC)
    assert latest_fire(leap_day, datetime(2027, 6, 1, tzinfo=UTC)) is None


def record(end: datetime, status: str = "sent") -> DigestRecord:
    return DigestRecord("news", end - timedelta(days=1), end, f"<news.{end:%Y%m%d}@example.org>", (), {}, status)


class FakeLedger:
    """The one read plan_digest makes, over a plain list of records."""

    def __init__(self, *records: DigestRecord):
        self.records = records

    def find(self, list_id, window_end):
        return next((r for r in self.records if r.list_id == list_id and r.window_end == window_end), None)


DAILY = cron_trigger("0 6 * * *", PP)
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=PP)
TODAY = datetime(2026, 11, 25, 6, 0, tzinfo=PP)


def test_a_daemon_down_for_two_periods_catches_up_once():
    plan = plan_digest("news", DAILY, NOW, FakeLedger(record(TODAY - timedelta(days=2))))
    assert (plan.window_end, plan.produce) == (TODAY, True)
    # The run that produced it leaves nothing more to do at the same moment, or later that day...
    done = FakeLedger(record(TODAY - timedelta(days=2)), record(TODAY))
    assert not plan_digest("news", DAILY, NOW, done).produce
    assert not plan_digest("news", DAILY, NOW + timedelta(hours=20), done).produce
    # ...and the next scheduled time is the next digest.
    tomorrow = plan_digest("news", DAILY, NOW + timedelta(days=1), done)
    assert (tomorrow.window_end, tomorrow.produce) == (TODAY + timedelta(days=1), True)


def test_a_digest_recorded_but_not_sent_is_not_produced_again():
    assert not plan_digest("news", DAILY, NOW, FakeLedger(record(TODAY, "pending"))).produce


def test_other_lists_do_not_count():
    other = DigestRecord("other", TODAY - timedelta(days=1), TODAY, "<o@x>", (), {}, "sent")
    assert plan_digest("news", DAILY, NOW, FakeLedger(other)).produce


def test_a_schedule_that_never_fired_plans_nothing():
    plan = plan_digest("news", cron_trigger("0 0 29 2 *", UTC), datetime(2027, 6, 1, tzinfo=UTC), FakeLedger())
    assert (plan.window_end, plan.produce) == (None, False)


def test_jobs_are_rebuilt_from_the_channels_with_stable_ids_and_explicit_policies(example_site):
    channels = load_channels(REPO_FEEDS, load_settings(example_site))
    now = datetime(2030, 1, 2, 1, 0, tzinfo=UTC)  # a Wednesday, far enough ahead that nothing runs here
    scheduler = schedule.start(channels, lambda job_id: None, now=now, missed=lambda job_id, when: None)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"site", "english-daily", "khmer-weekly"}
        for channel in channels:
            job = jobs[channel.id]
            assert job.args == (channel.id,)
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time == channel.misfire_grace  # never APScheduler's 1 s default
            assert job.next_run_time == now  # every job runs once at start
            # After that first run, the trigger takes over: the scheduler asks it with the clock as an argument.
            after = job.trigger.get_next_fire_time(now, now)
            expected = {"site": now + timedelta(minutes=15),
                        "english-daily": datetime(2030, 1, 3, 6, 0, tzinfo=PP),  # 01:00 UTC is 08:00 there
                        "khmer-weekly": datetime(2030, 1, 7, 6, 0, tzinfo=PP)}[channel.id]
            assert after == expected
        assert schedule.next_runs(scheduler) == {cid: now for cid in jobs}
    finally:
        scheduler.shutdown(wait=False)


def test_misfire_grace_defaults_are_explicit(tmp_path, example_site):
    settings = load_settings(example_site)
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "feed.toml").write_text('[feed]\nevery = "2m"\n')
    (tmp_path / "f" / "digest.toml").write_text('[digest]\nlanguage = "english"\nschedule = "0 6 * * *"\n'
                                              'list_address = "a@example.org"\nfrom_address = "b@example.org"\n')
    channels = {ch.id: ch for ch in load_channels(tmp_path / "f", settings)}
    assert isinstance(channels["feed"], FeedChannel) and channels["feed"].misfire_grace == 120
    assert isinstance(channels["digest"], DigestChannel) and channels["digest"].misfire_grace == 3600


def test_schedule_descriptions():
    assert str(Schedule(900.0, None, UTC)) == "every 15m"
    assert str(Schedule(None, "0 6 * * *", PP)) == "cron '0 6 * * *' Asia/Phnom_Penh"
