"""The digest ledger: its API, and exactly-once delivery through produce() on real posts
(repeat runs, late posts, downtime)."""

from __future__ import annotations

import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from syndicate.config import load_settings
from syndicate.digest import DigestError, DigestSpec, produce
from syndicate.digest.ledger import Ledger, LedgerConflict
from syndicate.digest.window import cutoff_on
from syndicate.pipeline.site import Site

UTC = timezone.utc
T0 = datetime(2018, 7, 27, 6, tzinfo=UTC)
T1 = datetime(2018, 7, 28, 6, tzinfo=UTC)
T2 = datetime(2018, 7, 29, 6, tzinfo=UTC)
LATER = datetime(2018, 9, 1, tzinfo=UTC)


# --- the API, as the daemon uses it ------------------------------------------------------------

def test_record_and_find(tmp_path):
    with Ledger(tmp_path) as ledger:
        rec = ledger.record("en-daily", T0, T1, "<a@x>", ["p2", "p1"], {"eml": tmp_path / "a.eml"})
        assert (rec.list_id, rec.window_start, rec.window_end, rec.message_id) == ("en-daily", T0, T1, "<a@x>")
        assert rec.status == "produced"
        assert rec.post_ids == ("p2", "p1")  # the digest's order
        assert rec.paths == {"eml": tmp_path / "a.eml"}
        assert ledger.find("en-daily", T1) == rec
        assert ledger.find("en-daily", T0) is None
        assert ledger.find("km-daily", T1) is None
    assert (tmp_path / "ledger.sqlite").is_file()


def test_record_is_idempotent_for_the_same_window(tmp_path):
    with Ledger(tmp_path) as ledger:
        first = ledger.record("en-daily", T0, T1, "<a@x>", ["p1"], {})
        again = ledger.record("en-daily", T0, T1, "<other@x>", ["p9"], {"html": "x"})
        assert again == first
        assert ledger.contains("en-daily", "p1") and not ledger.contains("en-daily", "p9")


def test_a_post_goes_to_each_list_once(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.record("en-daily", T0, T1, "<a@x>", ["p1"], {})
        with pytest.raises(LedgerConflict, match="p1"):
            ledger.record("en-daily", T1, T2, "<b@x>", ["p2", "p1"], {})
        assert ledger.find("en-daily", T2) is None  # the failed record left nothing behind
        ledger.record("en-weekly", T0, T2, "<c@x>", ["p1"], {})  # another list may carry it
        assert ledger.contains("en-weekly", "p1")


def test_last_first_and_unsent(tmp_path):
    with Ledger(tmp_path) as ledger:
        assert ledger.last("en-daily") is None
        ledger.record("en-daily", T1, T2, "<b@x>", [], {})
        ledger.record("en-daily", T0, T1, "<a@x>", [], {})
        ledger.record("km-daily", T0, T1, "<k@x>", [], {})
        assert ledger.last("en-daily").message_id == "<b@x>"
        assert ledger.first("en-daily").message_id == "<a@x>"
        ledger.mark_sent("<a@x>")
        assert [r.message_id for r in ledger.unsent("en-daily")] == ["<b@x>"]
        assert [r.message_id for r in ledger.unsent()] == ["<k@x>", "<b@x>"]  # oldest window first


def test_status_moves_forward_only(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.record("en-daily", T0, T1, "<a@x>", [], {})
        assert ledger.status("<a@x>") == "produced"
        ledger.mark_pending("<a@x>")
        assert ledger.status("<a@x>") == "pending" == ledger.find("en-daily", T1).status
        ledger.mark_sent("<a@x>")
        ledger.mark_pending("<a@x>")
        assert ledger.status("<a@x>") == "sent" == ledger.find("en-daily", T1).status
        with pytest.raises(KeyError, match="<nobody@x>"):  # naming the unknown id
            ledger.status("<nobody@x>")
        with pytest.raises(KeyError, match="<nobody@x>"):
            ledger.mark_sent("<nobody@x>")


def test_state_survives_reopening_and_uses_wal(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.record("en-daily", T0, T1, "<a@x>", ["p1"], {})
        ledger.mark_pending("<a@x>")
    with Ledger(tmp_path) as ledger:
        assert ledger.status("<a@x>") == "pending"
        assert ledger.contains("en-daily", "p1")
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_missing_state_folder_is_made_with_its_parents(tmp_path):
    with Ledger(tmp_path / "state" / "syndicate") as ledger:
        ledger.record("en-daily", T0, T1, "<a@x>", [], {})
    assert (tmp_path / "state" / "syndicate" / "ledger.sqlite").is_file()


def test_one_ledger_serves_every_thread(tmp_path):
    """The daemon opens one Ledger and uses it from the threads its jobs run in."""
    with Ledger(tmp_path) as ledger, ThreadPoolExecutor(2) as pool:
        pool.submit(ledger.record, "en-daily", T0, T1, "<a@x>", ["p1"], {}).result()
        pool.submit(ledger.mark_sent, "<a@x>").result()
        assert ledger.status("<a@x>") == "sent"


def test_naive_times_are_refused(tmp_path):
    with Ledger(tmp_path) as ledger, pytest.raises(ValueError, match="aware"):
        ledger.find("en-daily", datetime(2018, 7, 28, 6))


# --- exactly once, through produce() on the sample site's English posts -------------------------

@pytest.fixture
def site(tmp_path, sample_site) -> Path:
    """A copy of the sample site's English posts of July 2018, so posts can arrive late."""
    posts = tmp_path / "site" / "english" / "_posts"
    posts.mkdir(parents=True)
    shutil.copy(sample_site / "_config.yml", tmp_path / "site" / "_config.yml")
    for post in (sample_site / "english" / "_posts").glob("2018-07-*.md"):
        shutil.copy(post, posts / post.name)
    return tmp_path / "site"


def arrive_late(site: Path, dated: date, slug: str = "late-arrival") -> str:
    """A real post published after its window closed: a copy of one, dated `dated`."""
    original = site / "english" / "_posts" / "2018-07-20-government-leans-on-civil-servants.md"
    text = original.read_text(encoding="utf-8").replace("date: 2018-07-20", f"date: {dated.isoformat()}")
    (site / "english" / "_posts" / f"{dated.isoformat()}-{slug}.md").write_text(text, encoding="utf-8")
    return f"https://projects.voanews.com/cambodia-election-2018/english/feature/{slug}.html"


def digest(site: Path, tmp_path: Path, *, day: date | None = None, now: datetime = LATER, **spec):
    settings = load_settings(site)
    s = DigestSpec.for_site(settings, "english", spec.pop("period", "daily"), **spec)
    end = cutoff_on(day, s.cutoff_time, s.zone(settings)) if day else None
    return produce(settings, s, out_dir=tmp_path / "out", state_dir=tmp_path / "state", now=now, window_end=end)


def published_dates(site: Path) -> dict[str, float]:
    with Site.open(load_settings(site), None) as s:
        return {e.url: e.timestamp for e in s.entries()}


def files(result) -> dict[str, bytes]:
    return {fmt: path.read_bytes() for fmt, path in result.paths.items()}


def test_rerunning_a_window_gives_the_same_bytes_and_records_it_once(site, tmp_path):
    first = digest(site, tmp_path, day=date(2018, 7, 28))
    before = files(first)
    again = digest(site, tmp_path, day=date(2018, 7, 28))
    assert again.repeated and not first.repeated
    assert again.written == ()  # nothing rewritten
    assert files(again) == before
    assert (again.message_id, again.post_ids) == (first.message_id, first.post_ids)
    with Ledger(tmp_path / "state") as ledger:
        assert [r.message_id for r in ledger.unsent()] == [first.message_id]


def test_a_late_post_goes_into_the_next_digest(site, tmp_path):
    july28 = digest(site, tmp_path, day=date(2018, 7, 28))
    late_url = arrive_late(site, date(2018, 7, 28))  # its window [07-27 06:00, 07-28 06:00) has closed
    assert files(digest(site, tmp_path, day=date(2018, 7, 28))) == files(july28)  # the past does not change
    july29 = digest(site, tmp_path, day=date(2018, 7, 29))
    assert late_url in july29.post_ids
    assert july29.post_ids[-1] == late_url  # newest first: the late post is the oldest
    july30 = digest(site, tmp_path, day=date(2018, 7, 30))
    assert late_url not in july30.post_ids


def test_late_posts_reach_back_no_further_than_the_grace_nor_the_lists_first_digest(site, tmp_path):
    first = digest(site, tmp_path, day=date(2018, 7, 28))
    when = published_dates(site)
    assert all(first.window_start.timestamp() <= when[p] < first.window_end.timestamp() for p in first.post_ids)
    assert any(when[p] < first.window_start.timestamp() for p in when)  # older posts were there, not due
    stale_url = arrive_late(site, date(2018, 7, 10), "stale-arrival")  # 18 days back: beyond the 7-day grace
    july29 = digest(site, tmp_path, day=date(2018, 7, 29))
    assert july29.post_ids and stale_url not in july29.post_ids
    assert all(published_dates(site)[p] >= first.window_start.timestamp() for p in july29.post_ids)


def test_after_downtime_the_next_run_covers_everything_since_the_last_digest(site, tmp_path):
    first = digest(site, tmp_path, now=datetime(2018, 7, 27, 12, tzinfo=UTC))
    assert (first.window_start, first.window_end) == (T0 - timedelta(days=1), T0)
    resumed = digest(site, tmp_path, now=datetime(2018, 7, 30, 12, tzinfo=UTC))  # three cut-offs missed
    assert (resumed.window_start, resumed.window_end) == (T0, datetime(2018, 7, 30, 6, tzinfo=UTC))
    expected = {url for url, when in published_dates(site).items()
                if T0.timestamp() <= when < resumed.window_end.timestamp()}
    assert set(resumed.post_ids) == expected and len(expected) >= 4
    assert digest(site, tmp_path, now=datetime(2018, 7, 30, 13, tzinfo=UTC)) is None  # nothing new is due


def test_a_window_after_a_gap_reaches_back_to_the_last_digest(site, tmp_path):
    digest(site, tmp_path, day=date(2018, 7, 26))
    after_gap = digest(site, tmp_path, day=date(2018, 7, 29))  # as the daemon asks after downtime
    assert after_gap.window_start == datetime(2018, 7, 26, 6, tzinfo=UTC)
    expected = {url for url, when in published_dates(site).items()
                if after_gap.window_start.timestamp() <= when < after_gap.window_end.timestamp()}
    assert set(after_gap.post_ids) == expected and len(expected) >= 4


def test_a_window_that_has_not_closed_is_refused(site, tmp_path):
    with pytest.raises(DigestError, match="has not closed"):
        digest(site, tmp_path, day=date(2018, 7, 28), now=datetime(2018, 7, 28, 5, tzinfo=UTC))


def test_an_empty_window_writes_nothing_unless_asked(site, tmp_path):
    assert digest(site, tmp_path, day=date(2018, 6, 1)) is None
    assert not (tmp_path / "out").exists()
    empty = digest(site, tmp_path, day=date(2018, 6, 1), send_empty=True)
    assert empty.post_ids == ()
    with Ledger(tmp_path / "state") as ledger:
        assert ledger.find("english-daily", empty.window_end) is not None


def test_a_window_after_a_long_pause_is_bounded_and_says_what_it_leaves_out(site, tmp_path):
    first = digest(site, tmp_path, day=date(2018, 7, 5), max_periods=3, late_grace=timedelta(0), send_empty=True)
    after = digest(site, tmp_path, day=date(2018, 7, 29), max_periods=3, late_grace=timedelta(0))
    assert (after.window_start, after.window_end) == (datetime(2018, 7, 26, 6, tzinfo=UTC),
                                                      datetime(2018, 7, 29, 6, tzinfo=UTC))
    when = published_dates(site)
    gap = {url for url, t in when.items() if first.window_end.timestamp() <= t < after.window_start.timestamp()}
    assert len(gap) >= 5 and not gap & set(after.post_ids)
    [warning] = [p for p in after.problems if "max_periods" in p.message]
    assert warning.severity == "warning" and f"{len(gap)} posts published in between are in no digest" in warning.message
    # Nothing doubled, now or later: the next window starts where this one ended.
    following = digest(site, tmp_path, day=date(2018, 7, 30), max_periods=3, late_grace=timedelta(0))
    assert following.window_start == after.window_end
    assert not (set(first.post_ids) | set(after.post_ids)) & set(following.post_ids)


def test_the_default_bound_is_seven_periods(site, tmp_path):
    digest(site, tmp_path, day=date(2018, 6, 1), send_empty=True)
    after = digest(site, tmp_path, day=date(2018, 7, 29))
    assert after.window_end - after.window_start == timedelta(days=7)
    assert any("max_periods" in p.message for p in after.problems)
