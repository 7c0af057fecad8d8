"""The effect of every `--config` setting of docs/config.md on the example site's feeds.

Each case builds the example site once with one TOML file and compares what subscribers get
with the build without it, so a setting that is parsed but ignored fails its test.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedcheck import parse_xml_feed

from syndicate.config import load_settings
from syndicate.pipeline.build import FeedFilter, build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
BASE = "https://example.org/mekong-ledger"

CONFIGS = {
    "default": "",
    "limit": "[feeds]\nlimit = 2\n",
    "categories": '[feeds]\ncategories = ["Economy", "transport"]\n',
    "exclude": '[feeds]\nexclude_categories = ["ECONOMY"]\n',
    "summary": '[feeds]\ncontent = "summary"\n',
    "site": ('[site]\nbase_url = "https://news.example.net/river/"\nfeed_base_url = "https://feeds.example.net/r"\n'
             'timezone = "America/New_York"\ntitle = "River Wire"\ndescription = "All the river news."\n'
             'permalink = "/:categories/:year/:title:output_ext"\n'),
    "language": ('[languages.khmer]\ncode = "kh"\ntitle = "Khmer Ledger"\ndescription = "In Khmer."\n'
                 'direction = "rtl"\n'),
}


@pytest.fixture(scope="module")
def outputs(example_site: Path, tmp_path_factory: pytest.TempPathFactory):
    """`outputs(name)`: the OUT folder of the example site built with CONFIGS[name], built once."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            root = tmp_path_factory.mktemp(name)
            config = root / "syndicate.toml"
            config.write_text(CONFIGS[name], encoding="utf-8")
            build(load_settings(example_site, config), root / "out", now=NOW, state_dir=root / "state", workers=1)
            built[name] = root / "out"
        return built[name]

    return get


def items(out: Path, folder: str = "") -> list[dict]:
    return json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))["items"]


def ids(out: Path, folder: str = "") -> list[str]:
    return [item["id"] for item in items(out, folder)]


def feed_folders(out: Path) -> set[str]:
    return {p.parent.relative_to(out).as_posix().strip(".") for p in out.rglob("feed.json")}


def test_limit_keeps_the_newest_n_in_every_feed(outputs):
    default, limited = outputs("default"), outputs("limit")
    assert len(ids(default, "english")) > 2 and len(ids(default)) > 2  # else the limit proves nothing
    assert feed_folders(limited) == feed_folders(default)
    for folder in feed_folders(default):
        assert ids(limited, folder) == ids(default, folder)[:2], folder
    for path in limited.rglob("feed.xml"):
        assert len(parse_xml_feed(path).entries) <= 2, path


def test_categories_allow_list_keeps_only_those_category_feeds(outputs):
    default, chosen = outputs("default"), outputs("categories")
    assert {"english/education", "khmer/profile"} <= feed_folders(default)
    assert feed_folders(chosen) == {"", "english", "khmer", "english/economy", "english/transport",
                                    "khmer/economy", "khmer/transport"}
    for folder in ("", "english", "khmer", "english/economy"):  # language feeds still carry every post
        assert ids(chosen, folder) == ids(default, folder), folder
    assert not (chosen / "english" / "education").exists()


def test_excluded_categories_keep_their_posts_out_of_every_feed(outputs):
    default, excluded = outputs("default"), outputs("exclude")
    economy = {i["id"] for i in items(default, "english/economy") + items(default, "khmer/economy")}
    assert economy and economy <= set(ids(default))
    for folder in feed_folders(excluded):
        chosen = items(excluded, folder)
        assert not [i["id"] for i in chosen if "economy" in [t.casefold() for t in i.get("tags", [])]], folder
    for folder in ("", "english", "khmer"):
        assert ids(excluded, folder) == [i for i in ids(default, folder) if i not in economy], folder
    # the categories only those posts had are gone with them
    assert not {"english/economy", "english/agriculture", "khmer/economy"} & feed_folders(excluded)


def test_summary_content_leaves_the_full_html_out_of_every_format(outputs):
    default, summary = outputs("default"), outputs("summary")
    assert all("content_html" in i for i in items(default, "english"))
    assert not [i for i in items(summary, "english") if "content_html" in i]
    assert all(i["summary"] for i in items(summary, "english"))
    assert b"<content:encoded>" in (default / "english" / "feed.xml").read_bytes()
    assert b"<content:encoded>" not in (summary / "english" / "feed.xml").read_bytes()
    atom = parse_xml_feed(summary / "english" / "atom.xml")
    assert not [e for e in atom.entries if e.get("content")] and all(e.summary for e in atom.entries)
    assert [e for e in parse_xml_feed(default / "english" / "atom.xml").entries if e.get("content")]
    links = [re.findall(r"<link [^>]*>", (out / "english" / "atom.xml").read_text(encoding="utf-8"))
             for out in (default, summary)]
    assert links[0] == links[1]  # each entry keeps exactly its own links


def test_site_table_sets_links_feed_urls_time_zone_title_and_permalinks(outputs):
    default, site = outputs("default"), outputs("site")
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert (feed["title"], feed["description"]) == ("River Wire", "All the river news.")
    assert feed["feed_url"] == "https://feeds.example.net/r/feed.json"
    assert feed["home_page_url"] == "https://news.example.net/river/"
    # permalink "/:categories/:year/:title:output_ext" below the new base_url, and ids follow
    night_market = [i for i in feed["items"] if i["id"].endswith("/night-market.html")]
    assert sorted(i["id"] for i in night_market) == [f"https://news.example.net/river/{lang}/economy/2026/night-market.html"
                                                     for lang in ("english", "khmer")]
    assert f"{BASE}/english/economy/night-market.html" in ids(default)
    # a date-only post is midnight in the configured zone, not in the site's Asia/Phnom_Penh
    assert night_market[0]["date_published"] == "2026-11-19T00:00:00-05:00"
    assert [i for i in items(default) if i["id"].endswith("/night-market.html")][0]["date_published"] == \
        "2026-11-19T00:00:00+07:00"
    atom = (site / "english" / "atom.xml").read_text(encoding="utf-8")
    assert '<link href="https://feeds.example.net/r/english/atom.xml" rel="self"' in atom


def test_language_table_sets_code_title_description_and_direction(outputs):
    default, lang = outputs("default"), outputs("language")
    feed = json.loads((lang / "khmer" / "feed.json").read_text(encoding="utf-8"))
    assert (feed["language"], feed["title"], feed["description"]) == ("kh", "Khmer Ledger", "In Khmer.")
    assert json.loads((default / "khmer" / "feed.json").read_text(encoding="utf-8"))["language"] == "km"
    assert 'xml:lang="kh"' in (lang / "khmer" / "atom.xml").read_text(encoding="utf-8")
    page = (lang / "khmer" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]* dir="rtl"', page) and not re.search(
        r'<html[^>]* dir="rtl"', (default / "khmer" / "index.html").read_text(encoding="utf-8"))
    assert 'dir="rtl"' not in (lang / "english" / "index.html").read_text(encoding="utf-8")


def test_the_readmes_sample_site_settings_keep_page_furniture_out_of_every_feed(sample_site, tmp_path):
    """README: `--config examples/sample-site.toml` keeps quote, party, credits and timeline posts out."""
    config = Path(__file__).resolve().parent.parent / "examples" / "sample-site.toml"
    furniture = {"quote", "party", "credits", "timeline"}
    for name, settings in (("plain", load_settings(sample_site)), ("configured", load_settings(sample_site, config))):
        build(settings, tmp_path / name, now=NOW, state_dir=tmp_path / f"{name}-state",
              only=FeedFilter(formats=("json",)), workers=1)

    def tags(name: str) -> set[str]:
        return {t.casefold() for path in (tmp_path / name).rglob("feed.json")
                for item in json.loads(path.read_text(encoding="utf-8"))["items"] for t in item.get("tags", [])}
    assert furniture <= tags("plain")
    assert not furniture & tags("configured")
    assert not {p.parent.name for p in (tmp_path / "configured").rglob("feed.json")} & furniture
