"""The daemon's in-memory path: a site kept open between builds and told which files changed
builds exactly what a fresh build of the same files builds, after any series of changes."""

from __future__ import annotations

import os
import re
import shutil
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest.mock import patch

import pytest
from feedcheck import all_outputs

import syndicate.pipeline.site
from syndicate.collect.jekyll import source_file_at
from syndicate.config import load_settings
from syndicate.daemon.channels import load_channels
from syndicate.daemon.jobs import Context, run_feed
from syndicate.pipeline.build import build, build_site
from syndicate.pipeline.site import Site

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


@pytest.fixture
def site(sample_site: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(sample_site, copy)
    return copy


class LiveSite:
    """A site kept open as the daemon keeps it, each build compared with a fresh one."""

    def __init__(self, site: Path, tmp_path: Path):
        self.root, self.tmp = site, tmp_path
        self.settings = load_settings(site)
        self.out = tmp_path / "live-out"
        self.site = Site.open(self.settings, tmp_path / "live-state")
        self.steps = 0

    def rebuild(self, *changed: Path, now: datetime = NOW, step: str):
        """`changed`: the paths a watcher would report (absolute, as watchfiles gives them)."""
        if self.steps:
            with patch.object(syndicate.pipeline.site, "scan", _no_scan):  # the paths alone are looked at
                self.site.refresh([str(path) for path in changed])
        self.steps += 1
        live = build_site(self.site, self.out, now=now)
        cold_out = self.tmp / f"cold-{self.steps}"
        cold = build(self.settings, cold_out, now=now, state_dir=None)
        assert all_outputs(self.out) == all_outputs(cold_out), step
        assert sorted(map(repr, live.problems)) == sorted(map(repr, cold.problems)), step
        assert live.posts_published == cold.posts_published, step
        shutil.rmtree(cold_out)
        return live


def _no_scan(settings):
    raise AssertionError("a refresh with the changed paths in hand listed every folder")


def _post(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_any_series_of_saves_edits_renames_and_deletions_builds_what_a_fresh_build_builds(
        site: Path, tmp_path: Path):
    live = LiveSite(site, tmp_path)
    english, khmer = site / "english" / "_posts", site / "khmer" / "_posts"
    posts = sorted(english.glob("*.md"))
    assert live.rebuild(step="first").posts_read == 107

    new = _post(english, "2018-08-01-results-are-in.md",
                "---\ntitle: Results are in\ncategories: politics Turnout\n---\n\nThe count is over.\n")
    added = live.rebuild(new, step="added")
    assert added.posts_read == 1 and "english/feed.xml" in added.files_written

    # An edit that moves the post in time and renames its category's spelling; a deletion; a rename.
    _post(english, new.name, "---\ntitle: Results are in\ndate: 2018-07-29\ncategories: POLITICS turnout\n---\n\nOver.\n")
    posts[1].unlink()
    renamed = posts[2].rename(posts[2].with_name("2018-06-01-a-new-name.md"))
    live.rebuild(new, posts[1], posts[2], renamed, step="edited, deleted, renamed")

    # A post whose translation another post links to is retitled: the other post's link follows.
    target = next(p for p in sorted(khmer.glob("*.md")) if "translation:" in p.read_text(encoding="utf-8"))
    ref = next(line.split(":", 1)[1].strip() for line in target.read_text(encoding="utf-8").splitlines()
               if line.startswith("translation:"))
    linked = next(p for p in english.glob("*.md") if f"/{p.stem[11:]}" in ref)
    linked.write_text(linked.read_text(encoding="utf-8").replace("title:", "title: Retitled —", 1), encoding="utf-8")
    live.rebuild(linked, step="translation retitled")
    # Its translation goes, then comes back: the other post's entry (kept between builds) follows.
    text = linked.read_text(encoding="utf-8")
    linked.unlink()
    live.rebuild(linked, step="translation gone")
    linked.write_text(text, encoding="utf-8")
    live.rebuild(linked, step="translation back")

    # Broken, then fixed; a second post with the same URL, then gone again.
    new.write_text('---\ntitle: "never closed\n---\nbody\n', encoding="utf-8")
    broken = live.rebuild(new, step="broken")
    assert any(p.source.endswith("results-are-in.md") and p.severity == "error" for p in broken.problems)
    new.write_text("---\ntitle: Results, fixed\ncategories: politics\n---\n\nThe count is over.\n", encoding="utf-8")
    twin = _post(english, "2018-08-01-results-are-in.markdown", "---\ntitle: The twin\ncategories: politics\n---\n\nSame URL.\n")
    shared = live.rebuild(new, twin, step="fixed, and a twin sharing its URL")
    assert any("same URL" in p.message for p in shared.problems)
    twin.unlink()
    live.rebuild(twin, step="twin gone")

    # A post dated after the build's clock appears once the clock passes its date.
    later = _post(english, "2026-12-01-later.md", "---\ntitle: Later\ndate: 2026-12-01\ncategories: politics\n---\n\nSoon.\n")
    assert "Later" not in str(live.rebuild(later, step="future post").files_written)
    due = live.rebuild(now=NOW + timedelta(days=10), step="future post due")
    assert "english/feed.xml" in due.files_written

    # Paths that are no post: a hidden file, a file beside the posts, a folder outside any _posts.
    hidden = _post(english, ".draft.md", "---\ntitle: Hidden\n---\n")
    outside = _post(site, "notes.md", "---\ntitle: Not a post\n---\n")
    live.rebuild(hidden, outside, site / "_config.yml", now=NOW + timedelta(days=10), step="not posts")

    # Enough deletions to reorder everything afresh rather than update in place.
    for path in posts[3:30]:
        path.unlink()
    live.rebuild(*posts[3:30], now=NOW + timedelta(days=10), step="many deleted")
    live.site.close()


def test_the_daemon_feed_job_keeps_its_site_open_and_reads_only_what_the_watcher_reports(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = load_settings(site)
    ctx = Context(settings, tmp_path / "out", tmp_path / "state", threading.Event(), {})
    channel = load_channels(None, settings)[0]
    first = run_feed(channel, ctx, NOW, workers=2)
    opened = ctx.sites[channel.id]
    assert first.items and opened.workers == 1  # workers only for the start-up build

    monkeypatch.setattr(syndicate.pipeline.site, "scan", _no_scan)
    new = _post(site / "english" / "_posts", "2018-08-01-results-are-in.md",
                "---\ntitle: Results are in\ncategories: politics\n---\n\nThe count is over.\n")
    result = run_feed(channel, ctx, NOW, changed={str(new)})
    assert ctx.sites[channel.id] is opened and opened.fresh.keys() == {"english/_posts/2018-08-01-results-are-in.md"}
    assert result.files_changed and "Results are in" in (tmp_path / "out" / "english" / "feed.xml").read_text()
    opened.close()


def test_a_path_named_alone_is_read_as_the_scan_reads_it(example_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    post = "---\ntitle: A post\n---\nBody.\n"
    for rel in ("english/_posts/2018/2018-07-01-nested.md", "_drafts/_posts/2018-07-01-draft.md",
                "vendor/_posts/2018-07-01-vendored.md", ".hidden/_posts/2018-07-01-hidden.md",
                "english/_posts/2018-07-01-notes.txt", "english/_posts/.2018-07-01-dot.md",
                "english/_posts/_private/2018-07-01-under.md", "english/2018-07-01-not-in-posts.md"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(post, encoding="utf-8")
    (site / "english" / "_posts" / "2018-07-02-a-folder.md").mkdir()
    (site / "linked").symlink_to(site / "english", target_is_directory=True)  # scan never enters it
    (site / "english" / "_posts" / "2018-07-03-link-out.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text(post, encoding="utf-8")
    settings = load_settings(site)
    scanned = {f.source: f for f in syndicate.pipeline.site.scan(settings)}
    named = {}
    for folder, _, files in os.walk(site, followlinks=True):
        for name in files:
            rel = Path(folder, name).relative_to(site).as_posix()
            if (found := source_file_at(settings, rel)) is not None:
                named[rel] = found
    assert "english/_posts/2018/2018-07-01-nested.md" in scanned and "english/_posts/2018-07-03-link-out.md" in scanned
    assert named == scanned


def test_an_image_replaced_in_place_is_sized_again_when_its_feed_is_rewritten(site: Path, tmp_path: Path):
    # A rendering kept between builds carries its image's size (the enclosure length): a new
    # file of another size under the same name must not leave the old length in a feed that is
    # rewritten. (Feeds that nothing else changes keep theirs: a file's size is not among a
    # feed's inputs, for the daemon as for the command line.)
    live = LiveSite(site, tmp_path)
    live.rebuild(step="first")
    voters = live.out / "english" / "voter" / "feed.xml"
    url = re.findall(r'<enclosure url="([^"]+/img/[^"]+)" length="[1-9]', voters.read_text(encoding="utf-8"))[0]
    image = site / "img" / url.rsplit("/img/", 1)[1]
    image.write_bytes(image.read_bytes() + b"\0" * 1000)
    new = _post(site / "english" / "_posts", "2018-08-05-another-voter.md",
                "---\ntitle: Another voter\ncategories: profile voter\n---\n\nText.\n")
    live.site.refresh([str(new)])
    assert "english/voter/feed.xml" in build_site(live.site, live.out, now=NOW).files_written
    assert f'<enclosure url="{url}" length="{image.stat().st_size}"' in voters.read_text(encoding="utf-8")
    live.site.close()
