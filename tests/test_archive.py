"""RFC 5005 archived feeds: the pure paging rules, and walking the real site's archives as a reader does."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedcheck import all_outputs, load_json_feed, parse_xml_feed
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sitebuilder import post

from syndicate.config import load_settings
from syndicate.pipeline.build import build
from syndicate.select import Entry, published
from syndicate.subscribers.archive import archive_name, archive_pages, feed_file_of

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
PAGE_SIZE = 10
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"


def _entries(count: int) -> list[Entry]:
    """`count` posts, newest first, as selection hands them over."""
    return [Entry(f"p{n}.md", 1_500_000_000 + n * 3600, "english", (), f"https://e.org/{n}.html", f"/{n}.html", f"P{n}")
            for n in range(count, 0, -1)]


@given(st.integers(0, 250), st.integers(1, 30), st.integers(1, 40))
def test_feed_and_pages_hold_every_post_exactly_once(count: int, limit: int, size: int):
    entries = _entries(count)
    pages = archive_pages(entries, limit, size)
    walked = entries[:limit] + [e for page in reversed(pages) for e in page.entries]
    assert walked == entries
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(len(p.entries) == size for p in pages[:-1]), "only the newest page may be short"
    assert not pages or pages[-1].last and not any(p.last for p in pages[:-1])


@given(st.integers(0, 200), st.integers(1, 60), st.integers(1, 20), st.integers(1, 25))
def test_a_full_page_never_changes_when_posts_arrive(count: int, more: int, limit: int, size: int):
    before = archive_pages(_entries(count), limit, size)
    after = archive_pages(_entries(count + more), limit, size)
    for page in before:
        if len(page.entries) == size:  # full: the same posts, and it already links onwards
            assert after[page.number - 1].entries == page.entries
            assert not page.last and not after[page.number - 1].last


def test_archive_names_round_trip_and_never_look_like_feeds():
    assert archive_name("feed.xml", 3) == "feed-archive-3.xml"
    assert archive_name("feed.json", 12) == "feed-archive-12.json"
    assert feed_file_of("atom-archive-7.xml") == "atom.xml"
    for name in ("feed.xml", "atom.xml", "index.html", "feed-archive-0.xml", "feed-archive-x.xml"):
        assert feed_file_of(name) is None


# -- the real site ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def archived(sample_site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The sample site (copied, so a test can add a post) built with archives on."""
    site = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(sample_site, site)
    config = tmp_path_factory.mktemp("config") / "archives.toml"
    config.write_text(f"[feeds]\narchives = true\narchive_page_size = {PAGE_SIZE}\n", encoding="utf-8")
    settings = load_settings(site, config)
    out, state = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("state")
    report = build(settings, out, now=NOW, state_dir=state)
    # The sample's own editorial errors (mugshot URLs as written, translations to no post, docs/check.md)
    # are published anyway; nothing else may be wrong.
    assert {p.field for p in report.errors} <= {"mugshot", "translation"}, report.errors
    return settings, site, out, state


def _local(out: Path, base: str, url: str) -> Path:
    assert url.startswith(base + "/"), url
    return out / url[len(base) + 1:]


def _walk_xml(out: Path, base: str, rel: str) -> tuple[list[str], int]:
    """Entry ids from the subscription feed back through every prev-archive page; and the page count."""
    ids, pages, seen = [], 0, set()
    path = out / rel
    while path is not None:
        assert path not in seen, f"{path} links back into the chain"
        seen.add(path)
        parsed = parse_xml_feed(path)
        ids += [e.id for e in parsed.entries]
        links = {link.rel: link.href for link in parsed.feed.get("links", [])}
        root = etree.parse(str(path)).getroot()
        if pages:  # an archive page: marked as one, and pointing back at the subscription feed
            assert root.find(f".//{FH_ARCHIVE}") is not None, path
            assert links["current"] == f"{base}/{rel}"
        nxt = links.get("prev-archive")
        path = _local(out, base, nxt) if nxt else None
        pages += 1
    return ids, pages - 1


@pytest.mark.parametrize("folder", ["", "english", "khmer", "khmer/video"])
def test_walking_prev_archive_reaches_every_published_post_exactly_once(archived, folder: str):
    settings, site, out, _ = archived
    expected = _published_urls(settings, folder)
    assert len(expected) > 0
    for name in ("feed.xml", "atom.xml"):
        ids, pages = _walk_xml(out, settings.feed_base_url, f"{folder}/{name}".lstrip("/"))
        assert sorted(ids) == sorted(expected), f"{folder}/{name}"  # every post, none twice
        assert pages == max(0, len(expected) - settings.item_limit) // PAGE_SIZE + (len(expected) > settings.item_limit)
    ids, url = [], f"{settings.feed_base_url}/{folder + '/' if folder else ''}feed.json"
    while url:  # JSON Feed pages the same history through next_url
        feed = load_json_feed(_local(out, settings.feed_base_url, url))
        ids += [item["id"] for item in feed["items"]]
        url = feed.get("next_url")
    assert sorted(ids) == sorted(expected)


def test_next_archive_links_lead_forward_to_the_subscription_feed(archived):
    settings, _, out, _ = archived
    base = settings.feed_base_url
    path, visited = out / "english" / "atom-archive-1.xml", 0
    while True:
        links = {l.rel: l.href for l in parse_xml_feed(path).feed.links}
        assert "prev-archive" not in links if visited == 0 else "prev-archive" in links
        visited += 1
        if "next-archive" not in links:
            break
        path = _local(out, base, links["next-archive"])
    assert visited == len(list((out / "english").glob("atom-archive-*.xml")))


def test_without_archives_no_pages_and_no_links(sample_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(load_settings(sample_site), out, now=NOW, state_dir=tmp_path / "state")
    assert not list(out.rglob("*-archive-*"))
    assert "prev-archive" not in (out / "atom.xml").read_text(encoding="utf-8")
    assert "next_url" not in json.loads((out / "feed.json").read_text(encoding="utf-8"))


def test_a_new_post_rewrites_only_the_newest_archive_page(archived):
    settings, site, out, state = archived
    before = all_outputs(out)
    (site / "english" / "_posts" / "2026-11-20-archive-test.md").write_text(
        post("A story newer than all the others", "It pushes the oldest story of each feed into the archive."),
        encoding="utf-8")
    report = build(settings, out, now=NOW, state_dir=state)
    after = all_outputs(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert set(report.files_written) == changed
    for folder in ("", "english"):
        pages = sorted((out / folder).glob("atom-archive-*.xml"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        newest_page = pages[-1].relative_to(out).as_posix()
        for page in pages:
            rel = page.relative_to(out).as_posix()
            full = len(parse_xml_feed(page).entries) == PAGE_SIZE and rel != newest_page
            if full and rel in before:
                assert rel not in changed, f"{rel} is full yet was rewritten"
        assert newest_page in changed and f"{folder}/atom.xml".lstrip("/") in changed
    assert not any("khmer/" in rel and "archive" in rel for rel in changed), "an English post touched Khmer pages"


def _published_urls(settings, folder: str) -> list[str]:
    """Independently of the build: every published post of the feed, from the site's own posts."""
    from syndicate.pipeline.site import Site

    with Site.open(settings, None) as site:
        visible = published(site.entries(), settings, NOW)
    parts = folder.split("/") if folder else []
    return [e.url for e in visible
            if (not parts or e.language == parts[0])
            and (len(parts) < 2 or parts[1] in {c.casefold() for c in e.categories})]
