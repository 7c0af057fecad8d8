"""Feeds built from the real sample site, read back as subscribers read them."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedcheck import all_outputs, load_json_feed, parse_xml_feed

from syndicate.config import load_settings
from syndicate.pipeline.build import build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
BASE = "https://projects.voanews.com/cambodia-election-2018"
SEED_URL = f"{BASE}/english/profile/politician/hun-sen-circles-opponents-abroad-and-at-home.html"
SEED_KM_URL = f"{BASE}/khmer/profile/politician/hun-sen-circles-opponents-abroad-and-at-home.html"
SEED_TITLE = "Hun Sen Circles Opponents Abroad and At Home"


@pytest.fixture(scope="module")
def built(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    report = build(load_settings(sample_site), out, now=NOW, state_dir=tmp_path_factory.mktemp("state"))
    # The sample's own editorial errors (mugshot URLs as written, translations to no post, docs/check.md)
    # are published anyway; nothing else may be wrong.
    assert {p.field for p in report.errors} <= {"mugshot", "translation"}, report.errors
    return out


def _entry(entries, url: str):
    matches = [e for e in entries if e.get("link") == url or e.get("id") == url]
    assert matches, f"{url} not among {[e.get('link') for e in entries]}"
    return matches[0]


def test_layout_has_site_language_and_category_feeds(built: Path):
    for folder in ("", "english", "khmer", "english/profile", "english/politician", "khmer/politician"):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert (built / folder / name).is_file(), f"{folder}/{name} missing"
    # the language folder is the post's folder category, not a category feed of its own
    assert not (built / "english" / "english").exists()


def test_every_xml_feed_parses_without_bozo(built: Path):
    feeds = sorted(built.rglob("*.xml"))
    assert len(feeds) > 20
    for path in feeds:
        parsed = parse_xml_feed(path)
        assert parsed.entries, path


def test_every_json_feed_validates_against_the_schema(built: Path):
    feeds = sorted(built.rglob("feed.json"))
    assert len(feeds) > 10
    for path in feeds:
        assert load_json_feed(path)["items"], path


@pytest.mark.parametrize("rel", ["english/feed.xml", "english/politician/atom.xml", "english/profile/feed.xml"])
def test_seed_post_facts_in_xml_feeds(built: Path, rel: str):
    parsed = parse_xml_feed(built / rel)
    entry = _entry(parsed.entries, SEED_URL)
    assert entry.title == SEED_TITLE
    assert entry.id == SEED_URL
    assert entry.author == "David Boyle"
    assert entry.published_parsed[:3] == (2018, 7, 26)
    assert {"profile", "politician"} <= {t.term for t in entry.tags}
    assert entry.link == SEED_URL  # readers that take one link get the post's own page
    translations = [l for l in entry.links if l.get("hreflang") == "km"]
    assert [l.href for l in translations] == [SEED_KM_URL]
    assert translations[0].rel in ("alternate", "http://www.iana.org/assignments/relation/alternate")
    # a category feed's home is the site's page for that category (english/profile/politician/index.html)
    home = {"english": "english/", "english/politician": "english/profile/politician/", "english/profile": "english/profile/"}
    assert parsed.feed.link == f"{BASE}/{home[rel.rsplit('/', 1)[0]]}"
    assert "content" in entry and "Tharo" in entry.content[0].value


def test_seed_post_facts_in_json_feed(built: Path):
    feed = load_json_feed(built / "english" / "feed.json")
    item = next(i for i in feed["items"] if i["id"] == SEED_URL)
    assert item["url"] == SEED_URL and item["title"] == SEED_TITLE
    assert item["authors"] == [{"name": "David Boyle"}]
    assert item["date_published"].startswith("2018-07-26")
    assert {"profile", "politician"} <= set(item["tags"])
    assert item["_syndicate"]["translation"] == {"url": SEED_KM_URL, "language": "km"}
    assert item["image"].startswith("https://")


def test_rss_has_self_link_creator_media_and_english_dates(built: Path):
    xml = (built / "english" / "feed.xml").read_text(encoding="utf-8")
    assert f'<atom:link href="{BASE}/english/feed.xml" rel="self"' in xml
    assert "<dc:creator>David Boyle</dc:creator>" in xml
    assert "<media:content" in xml and "<media:thumbnail" in xml
    assert "<author>" not in xml  # RSS <author> must be an e-mail address; bylines go to dc:creator
    parsed = parse_xml_feed(built / "english" / "feed.xml")
    newest = max(e.published_parsed for e in parsed.entries)
    assert parsed.feed.updated_parsed == newest  # lastBuildDate: the newest item, not the clock
    assert re.search(r"<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}</pubDate>", xml)


def test_khmer_feeds_declare_km(built: Path):
    assert parse_xml_feed(built / "khmer" / "feed.xml").feed.language == "km"
    assert 'xml:lang="km"' in (built / "khmer" / "atom.xml").read_text(encoding="utf-8")
    assert load_json_feed(built / "khmer" / "feed.json")["language"] == "km"
    titles = [e.title for e in parse_xml_feed(built / "khmer" / "feed.xml").entries]
    assert any("\u200b" in t for t in titles), "Khmer titles keep their zero-width spaces"


def test_feeds_are_newest_first_and_capped(built: Path):
    entries = parse_xml_feed(built / "feed.xml").entries
    assert len(entries) == 20
    dates = [e.published_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)


def test_feed_updated_is_the_newest_item_not_the_clock(built: Path):
    parsed = parse_xml_feed(built / "english" / "atom.xml")
    newest = max(e.updated_parsed for e in parsed.entries)
    assert parsed.feed.updated_parsed == newest


def test_second_build_is_byte_identical_and_writes_nothing(sample_site: Path, built: Path, tmp_path: Path):
    out = tmp_path / "out"
    state = tmp_path / "state"
    settings = load_settings(sample_site)
    build(settings, out, now=NOW, state_dir=state)
    first = all_outputs(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    report = build(settings, out, now=NOW, state_dir=state)
    assert report.files_written == ()
    assert all_outputs(out) == first
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes
    # and a build without any cache writes exactly the same bytes
    assert all_outputs(built) == first


def test_cached_and_uncached_builds_are_byte_identical(sample_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    settings = load_settings(site)
    build(settings, tmp_path / "warm", now=NOW, state_dir=tmp_path / "state")
    seed = site / "english/_posts/2018-07-26-hun-sen-circles-opponents-abroad-and-at-home.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace("For the second time", "For a second time"),
                    encoding="utf-8")
    report = build(settings, tmp_path / "warm", now=NOW, state_dir=tmp_path / "state")
    assert report.posts_read == 1 and report.posts_cached == 106
    assert "english/feed.xml" in report.files_written
    assert "khmer/feed.xml" not in report.files_written  # only the feeds that post belongs to
    build(settings, tmp_path / "cold", now=NOW, state_dir=None)
    assert all_outputs(tmp_path / "warm") == all_outputs(tmp_path / "cold")


def test_broken_post_is_reported_and_skipped(sample_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    bad = site / "english/_posts/2018-07-31-half-saved.md"
    bad.write_text('---\ntitle: "never closed\ndate: 2018-07-31\n---\nbody\n', encoding="utf-8")
    report = build(load_settings(site), tmp_path / "out", now=NOW)
    errors = [p for p in report.errors if p.source == "english/_posts/2018-07-31-half-saved.md"]
    assert len(errors) == 1 and "YAML" in errors[0].message and errors[0].line is not None
    assert report.posts_published == 107
    assert len(parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries) == 20


def test_builds_on_workers_write_what_one_process_writes(sample_site: Path, built: Path, tmp_path: Path):
    import syndicate.pipeline.site

    # Small enough thresholds that parsing, rendering and feed writing all go to the workers.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(syndicate.pipeline.site, "PARALLEL_HEADERS", 2)
        patch.setattr(syndicate.pipeline.site, "PARALLEL_RENDERS", 2)
        patch.setattr("syndicate.pipeline.build.PARALLEL_FEEDS", 2)
        report = build(load_settings(sample_site), tmp_path / "out", now=NOW, state_dir=tmp_path / "state", workers=2)
    assert report.posts_read == 107 and report.files_written
    assert all_outputs(tmp_path / "out") == all_outputs(built)
