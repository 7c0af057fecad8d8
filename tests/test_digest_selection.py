"""Which posts a digest carries, through the code the product runs (`syndicate digest` and
`produce`), on the example site: the window's two ends, the category filter, late posts.

The example site's English posts are dated (Asia/Phnom_Penh) 11-02, 11-05 09:30, 11-09, 11-12,
11-16 and 11-19 of 2026; date-only posts are at local midnight, so a 00:00 cut-off puts a post
exactly on a window's edge.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from syndicate import cli
from syndicate.config import load_settings
from syndicate.digest import DigestSpec, produce
from syndicate.digest.window import cutoff_on
from syndicate.pipeline.site import Site

BASE = "https://example.org/mekong-ledger/english"
RICE = f"{BASE}/economy/agriculture/rice-prices-climb.html"
PROFILE = f"{BASE}/profile/profile-commune-chief.html"
SCHOOL = f"{BASE}/education/school-boats.html"
MARKET = f"{BASE}/economy/night-market.html"
NOW = "2026-11-25T00:00:00+00:00"


def digest(example_site: Path, tmp_path: Path, capsys, *options: str) -> list[str] | None:
    """The post ids of the digest `syndicate digest` writes for English, or None when it writes none."""
    code = cli.main(["digest", str(example_site), "--language", "english", "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "state"), "--now", NOW, "-q", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    paths = [Path(line) for line in out.splitlines()]
    if not paths:
        return None
    (meta,) = [p for p in paths if p.name.endswith(".json")]
    return json.loads(meta.read_text(encoding="utf-8"))["items"]


def test_a_window_holds_a_post_at_its_start_and_not_one_at_its_end(example_site, tmp_path, capsys):
    # [11-12 00:00, 11-19 00:00): the profile is dated exactly at the start, the market exactly at the end
    week = digest(example_site, tmp_path / "a", capsys, "--period", "weekly", "--cutoff", "00:00",
                  "--date", "2026-11-19")
    assert week == [SCHOOL, PROFILE]
    # the market belongs to the next window, and only to it
    assert digest(example_site, tmp_path / "a", capsys, "--period", "weekly", "--cutoff", "00:00",
                  "--date", "2026-11-26", "--now", "2026-11-27T00:00:00+00:00") == [MARKET]


def test_a_post_exactly_at_the_end_of_a_one_post_window_is_not_in_it(example_site, tmp_path, capsys):
    # [11-18 00:00, 11-19 00:00) holds nothing: the market at 11-19 00:00 is the next day's
    assert digest(example_site, tmp_path, capsys, "--cutoff", "00:00", "--date", "2026-11-19") is None
    assert digest(example_site, tmp_path, capsys, "--cutoff", "00:00", "--date", "2026-11-20") == [MARKET]


def test_a_window_with_nothing_to_send_still_keeps_what_it_read(example_site, tmp_path, capsys):
    # A daemon runs every digest job on schedule, most with nothing new: each must not read
    # every post again (at 10,000 posts, 8 s on the daemon's one core, saved posts waiting).
    assert digest(example_site, tmp_path, capsys, "--cutoff", "00:00", "--date", "2026-11-19") is None
    with Site.open(load_settings(example_site), tmp_path / "state") as site:
        site.load()
        assert site.files and site.fresh == {} and site.cached_headers == len(site.files)


def test_the_category_filter_drops_the_window_posts_outside_it(example_site, tmp_path, capsys):
    # [11-13 06:00, 11-20 06:00) holds the school boats (education) and the market (economy)
    week = ("--period", "weekly", "--date", "2026-11-20")
    assert digest(example_site, tmp_path / "all", capsys, *week) == [MARKET, SCHOOL]
    assert digest(example_site, tmp_path / "eco", capsys, *week, "--category", "ECONOMY") == [MARKET]
    assert digest(example_site, tmp_path / "two", capsys, *week, "--category", "economy",
                  "--category", "Education") == [MARKET, SCHOOL]
    assert digest(example_site, tmp_path / "none", capsys, *week, "--category", "transport") is None


@pytest.mark.parametrize(("grace", "late"), [
    (timedelta(days=7), [SCHOOL]),  # back to 11-12 06:00: the profile (11-12 00:00) is too old
    (timedelta(days=10), [SCHOOL, PROFILE]),  # back to 11-09 06:00: the dolphins (11-09 00:00) are not
    (timedelta(0), []),
])
def test_late_posts_reach_back_late_grace_and_no_further(example_site, tmp_path, grace, late):
    """Three posts appear only after the digest of their days went out. The list's next digest
    picks up those dated at most `late_grace` before its window, not all back to its first digest."""
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    held_back = {p: p.read_bytes() for p in (site / "english" / "_posts").glob("*")
                 if p.name[:10] in ("2026-11-09", "2026-11-12", "2026-11-16")}
    assert len(held_back) == 3
    for path in held_back:
        path.unlink()
    settings = load_settings(site)
    spec = DigestSpec.for_site(settings, "english", late_grace=grace, send_empty=True, max_periods=30)
    now = datetime.fromisoformat(NOW)

    def run(day: int):
        return produce(settings, spec, out_dir=tmp_path / "out", state_dir=tmp_path / "state", now=now,
                       window_end=cutoff_on(date(2026, 11, day), spec.cutoff_time, settings.timezone))

    assert run(3).post_ids == ()  # the list's first digest: [11-02 06:00, 11-03 06:00)
    assert run(19).post_ids == (MARKET, RICE)  # reaches back to 11-03 06:00, the end of the last one
    for path, data in held_back.items():
        path.write_bytes(data)
    assert list(run(20).post_ids) == late  # [11-19 06:00, 11-20 06:00) holds none of its own
