"""The effect of each `_config.yml` key and front-matter field docs/config.md lists that no other
test pins: which base URL wins, `exclude`, and `last_modified_at`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sitebuilder import make_site, post

from syndicate.config import load_settings
from syndicate.pipeline.build import build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
POSTS = {"english/_posts/2026-11-01-river.md": post("River", categories="news"),
         "archive/english/_posts/2026-11-02-old.md": post("Old"),
         "english/_posts/2026-11-03-edited.md": post("Edited", last_modified_at="2026-11-20T08:00:00+07:00")}


def feed(tmp_path: Path, config: str) -> dict:
    site = make_site(tmp_path / "site", POSTS, config)
    build(load_settings(site), tmp_path / "out", now=NOW, state_dir=tmp_path / "state", workers=1)
    return json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("config", "base"), [
    ("canonical_url_base: https://a.example/x\nurl: https://b.example\nbaseurl: /y\nurl_base: https://c.example\n",
     "https://a.example/x"),
    ("url: https://b.example\nbaseurl: /y\nurl_base: https://c.example\n", "https://b.example/y"),
    ("url_base: https://c.example/\n", "https://c.example"),
])
def test_the_base_url_comes_from_the_first_key_set(tmp_path, config, base):
    ids = [item["id"] for item in feed(tmp_path, config + "permalink: /:categories/:title:output_ext\n")["items"]]
    assert f"{base}/english/news/river.html" in ids


def test_exclude_keeps_a_folder_out_of_every_feed(tmp_path):
    config = "url: https://b.example\npermalink: /:title:output_ext\n"
    assert "Old" in [i["title"] for i in feed(tmp_path / "all", config)["items"]]
    assert "Old" not in [i["title"] for i in feed(tmp_path / "excluded", config + "exclude: [archive]\n")["items"]]


def test_last_modified_at_is_the_items_update_time(tmp_path):
    items = {i["title"]: i for i in feed(tmp_path, "url: https://b.example\ntimezone: Asia/Phnom_Penh\n")["items"]}
    assert items["Edited"]["date_modified"] == "2026-11-20T08:00:00+07:00"
    assert items["River"]["date_modified"] == items["River"]["date_published"]
