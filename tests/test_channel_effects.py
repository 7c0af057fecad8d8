"""The effect of each `[feed]` key of docs/daemon.md, through what the daemon runs: the channel
file loaded by `load_channels`, then `run_feed`, on the example site."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from syndicate.config import load_settings
from syndicate.daemon.channels import load_channels
from syndicate.daemon.jobs import Context, run_feed
from syndicate.pipeline.build import build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def run_channel(example_site: Path, root: Path, text: str, config: str = "") -> Path:
    """OUT after one run of the feed channel `text` (a `feeds/*.toml` file)."""
    feeds = root / "feeds"
    feeds.mkdir(parents=True)
    (feeds / "news.toml").write_text(text, encoding="utf-8")
    config_file = None
    if config:
        config_file = root / "syndicate.toml"
        config_file.write_text(config, encoding="utf-8")
    settings = load_settings(example_site, config_file)
    (channel,) = load_channels(feeds, settings)
    run_feed(channel, Context(settings, root / "out", root / "state", threading.Event(), {}), NOW)
    return root / "out"


def feed_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in ("feed.xml", "atom.xml", "feed.json")}


def ids(out: Path, folder: str) -> list[str]:
    return [i["id"] for i in json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))["items"]]


@pytest.fixture(scope="module")
def whole_site(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "out"
    build(load_settings(example_site), out, now=NOW, state_dir=out.parent / "state", workers=1)
    return out


def test_a_channel_with_no_keys_writes_what_build_writes(example_site, tmp_path, whole_site):
    out = run_channel(example_site, tmp_path, "[feed]\n")
    assert feed_files(out) == feed_files(whole_site)
    assert ids(out, "english") == ids(whole_site, "english")


def test_language_categories_formats_and_limit_shape_the_channel(example_site, tmp_path, whole_site):
    out = run_channel(example_site, tmp_path, '[feed]\nlanguage = "english"\ncategories = ["Economy", "transport"]\n'
                      'formats = ["json", "atom"]\nlimit = 2\n')
    assert feed_files(out) == {f"english/{sub}{name}" for sub in ("", "economy/", "transport/")
                               for name in ("feed.json", "atom.xml")}
    assert len(ids(whole_site, "english")) > 2
    assert ids(out, "english") == ids(whole_site, "english")[:2]
    assert ids(out, "english/economy") == ids(whole_site, "english/economy")[:2]


def test_channel_categories_and_limit_override_the_config_file(example_site, tmp_path, whole_site):
    out = run_channel(example_site, tmp_path, '[feed]\nlanguage = "khmer"\ncategories = ["profile"]\nlimit = 3\n',
                      config='[feeds]\nlimit = 1\ncategories = ["economy"]\n')
    assert {p.rsplit("/", 1)[0] for p in feed_files(out)} == {"khmer", "khmer/profile"}
    assert ids(out, "khmer") == ids(whole_site, "khmer")[:3]


def test_without_channel_categories_and_limit_the_config_file_holds(example_site, tmp_path, whole_site):
    out = run_channel(example_site, tmp_path, '[feed]\nlanguage = "khmer"\n',
                      config='[feeds]\nlimit = 1\ncategories = ["economy"]\n')
    assert {p.rsplit("/", 1)[0] for p in feed_files(out)} == {"khmer", "khmer/economy"}
    assert ids(out, "khmer") == ids(whole_site, "khmer")[:1]
