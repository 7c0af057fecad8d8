"""Catch-up with the real digest engine and ledger, the clock passed as `now`: no sleeping."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest

from syndicate.config import load_settings
from syndicate.daemon.channels import load_channels
from syndicate.daemon.jobs import Context, run_digest
from syndicate.digest.ledger import Ledger

PP = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=PP)  # two hours after today's 06:00 digest time
TODAY = datetime(2026, 11, 25, 6, 0, tzinfo=PP)
DAY = timedelta(days=1)
CHANNEL = """[digest]
language = "english"
schedule = "0 6 * * *"
timezone = "Asia/Phnom_Penh"
list_address = "digest@example.org"
from_address = "news@example.org"
[digest.delivery]
"""


def add_post(site, slug: str, when: datetime) -> str:
    (site / "english" / "_posts" / f"{when:%Y-%m-%d}-{slug}.md").write_text(
        f"---\ntitle: Story {slug}\ndate: {when.isoformat()}\ncategories: economy\nlanguage: english\n---\n\n"
        f"Body of {slug}.\n", encoding="utf-8")
    return slug


@pytest.fixture
def world(tmp_path, example_site):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    add_post(site, "missed-monday", datetime(2026, 11, 23, 12, 0, tzinfo=PP))  # in the first missed period
    add_post(site, "missed-tuesday", datetime(2026, 11, 24, 18, 0, tzinfo=PP))  # in the second
    add_post(site, "after-today", datetime(2026, 11, 25, 7, 0, tzinfo=PP))  # after today's digest time
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "news.toml").write_text(CHANNEL, encoding="utf-8")
    settings = load_settings(site)
    (channel,) = load_channels(tmp_path / "feeds", settings)
    ledger = Ledger(tmp_path / "state")
    # The last digest went out two periods ago: the daemon then was down for two 06:00 ticks.
    seeded = ledger.record("news", TODAY - 3 * DAY, TODAY - 2 * DAY, "<seed@example.org>", [], {})
    ledger.mark_sent(seeded.message_id)
    ctx = Context(settings, tmp_path / "out", tmp_path / "state", threading.Event(), {}, ledger)
    yield channel, ctx, ledger
    ledger.close()


def slugs(record) -> set[str]:
    return {post_id.rsplit("/", 1)[-1].removesuffix(".html") for post_id in record.post_ids}


def test_one_catch_up_digest_covers_everything_since_then_the_schedule_resumes(world):
    channel, ctx, ledger = world
    result = run_digest(channel, ctx, NOW)
    assert (result.items, result.digests_sent) == (2, 1)
    caught_up = ledger.find("news", TODAY)
    assert caught_up.status == "sent"
    assert slugs(caught_up) == {"missed-monday", "missed-tuesday"}  # both missed periods, in one digest
    assert ledger.find("news", TODAY - DAY) is None  # the missed tick in between is not replayed
    outbox = ctx.out_dir / "outbox" / "news-20261124T230000Z.eml"
    assert message_from_bytes(outbox.read_bytes())["Message-ID"] == caught_up.message_id

    # Started again at the same moment (or run again by the scheduler): nothing more to send.
    again = run_digest(channel, ctx, NOW + timedelta(minutes=5))
    assert (again.items, again.digests_sent) == (None, 0)
    assert sorted(p.name for p in (ctx.out_dir / "outbox").iterdir()) == [outbox.name]

    # The next scheduled time brings the next digest, covering just its own period.
    tomorrow = run_digest(channel, ctx, TODAY + DAY)
    assert (tomorrow.items, tomorrow.digests_sent) == (1, 1)
    assert slugs(ledger.find("news", TODAY + DAY)) == {"after-today"}
    assert ledger.unsent() == []


def test_a_digest_left_pending_by_a_crash_is_handed_on_at_the_next_run(world):
    channel, ctx, ledger = world
    from syndicate.digest import produce

    made = produce(ctx.settings, channel.spec, out_dir=ctx.out_dir, state_dir=ctx.state_dir, now=NOW,
                   window_end=TODAY)
    ledger.mark_pending(made.message_id)  # the process died during the hand-off
    result = run_digest(channel, ctx, NOW)
    assert (result.items, result.digests_sent) == (None, 1)  # delivered again, not produced again
    assert ledger.status(made.message_id) == "sent"
    eml = (ctx.out_dir / "outbox" / "news-20261124T230000Z.eml").read_bytes()
    assert eml == made.paths["eml"].read_bytes()


def test_a_digest_whose_files_were_deleted_is_remade_identically_before_delivery(world):
    channel, ctx, ledger = world
    from syndicate.digest import produce

    made = produce(ctx.settings, channel.spec, out_dir=ctx.out_dir, state_dir=ctx.state_dir, now=NOW,
                   window_end=TODAY)
    original = made.paths["eml"].read_bytes()
    shutil.rmtree(ctx.out_dir / "digests")
    assert run_digest(channel, ctx, NOW).digests_sent == 1
    assert (ctx.out_dir / "outbox" / "news-20261124T230000Z.eml").read_bytes() == original
