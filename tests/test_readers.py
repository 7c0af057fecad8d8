"""What readers and partners see of the real sample site: category labels and home links, entry
languages in the mixed-language feeds, bylines, enclosures, localised dates on the pages and
the Google News sitemaps (issue 15)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from conftest import PROJECT
from lxml import etree

from syndicate.collect.fields import split_authors
from syndicate.config import ConfigError, load_settings
from syndicate.front_matter import load_yaml, split_front_matter
from syndicate.i18n import localizer
from syndicate.pipeline.build import build
from syndicate.pipeline.site import Site
from syndicate.sources import templates_dir

BASE = "https://projects.voanews.com/cambodia-election-2018"
CONFIG = PROJECT / "examples" / "sample-site.toml"
# Two days after the election: the news sitemaps have the posts of July 29-30.
NOW = datetime(2018, 7, 31, 0, tzinfo=timezone.utc)
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(scope="module")
def built(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(load_settings(sample_site, CONFIG), out, now=NOW, state_dir=tmp_path_factory.mktemp("state"))
    return out


def _channel(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot().find("channel")


# 1. Category labels and home links


def test_category_feeds_are_titled_with_labels_in_their_language_and_link_to_the_category_page(built: Path):
    cases = {  # folder -> (title ends with, home link)
        "english/hun-sen": ("— Hun Sen", f"{BASE}/english/hun-sen/"),  # english/hun-sen/index.html
        "english/biography": ("— Biography", f"{BASE}/english/biography/"),  # index.md, no language key
        "english/politician": ("— Politician", f"{BASE}/english/profile/politician/"),
        "khmer/voter": ("— អ្នកបោះឆ្នោត", f"{BASE}/khmer/profile/voter/"),  # its permalink, not its folder
        "khmer/hun-sen": ("— ហ៊ុន សែន", f"{BASE}/khmer/hun-sen/"),
        "english/agriculture": ("— Agriculture", f"{BASE}/english/"),  # no page of its own
    }
    for folder, (title_end, home) in cases.items():
        channel = _channel(built / folder / "feed.xml")
        assert channel.findtext("title").endswith(title_end), folder
        assert channel.findtext("link") == home, folder
        atom = feedparser.parse(built / folder / "atom.xml").feed
        assert atom.title.endswith(title_end) and atom.link == home, folder


def test_opml_and_index_pages_show_the_labels_not_the_slugs(built: Path):
    opml = etree.parse(str(built / "feeds.opml"))
    outlines = {o.get("xmlUrl")[len(BASE) + 1:]: o for o in opml.iter("outline") if o.get("xmlUrl")}
    assert outlines["english/hun-sen/feed.xml"].get("text").endswith("— Hun Sen")
    assert outlines["khmer/voter/feed.xml"].get("text").endswith("— អ្នកបោះឆ្នោត")
    assert outlines["khmer/voter/feed.xml"].get("htmlUrl") == f"{BASE}/khmer/profile/voter/"
    index = etree.parse(str(built / "index.html"), etree.HTMLParser())
    cells = {a.get("href"): a.text for a in index.iterfind(".//table[@class='feeds']//td/a")}
    assert cells["english/hun-sen/index.html"] == "Hun Sen"
    assert cells["khmer/voter/index.html"] == "អ្នកបោះឆ្នោត"
    assert cells["english/agriculture/index.html"] == "Agriculture"


def test_snippet_names_category_feeds_by_label(sample_site: Path):
    shown = subprocess.run([sys.executable, "-m", "syndicate", "snippet", str(sample_site), "--config", str(CONFIG),
                            "--language", "khmer", "--categories"], capture_output=True, text=True, check=True).stdout
    assert re.search(r'title="[^"]+ — អ្នកបោះឆ្នោត \(RSS\)" href="[^"]+/khmer/voter/feed\.xml"', shown)
    assert "— voter" not in shown and "— hun-sen" not in shown


def test_category_labels_come_from_settings_with_a_readable_default(sample_site: Path, tmp_path: Path):
    settings = load_settings(sample_site, CONFIG)
    assert settings.category_label("english", "hun-sen") == "Hun Sen"
    assert settings.category_label("khmer", "Voter") == "អ្នកបោះឆ្នោត"  # names are matched case-insensitively
    assert settings.category_label("khmer", "son-chhay") == "Son Chhay"
    bad = tmp_path / "bad.toml"
    bad.write_text("[languages.khmer.categories]\nvoter = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: languages\.khmer\.categories: expected a table"):
        load_settings(sample_site, bad)


# 2. Entry languages in the site-wide feeds


def test_site_wide_feeds_mark_each_entry_language(built: Path):
    atom = feedparser.parse(built / "atom.xml")
    languages = {e.title_detail.language for e in atom.entries}
    assert languages == {"en", "km"}
    for entry in atom.entries:
        khmer_title = bool(re.search(r"[\u1780-\u17ff]", entry.title))
        assert entry.title_detail.language == ("km" if khmer_title else "en"), entry.title
    rss = feedparser.parse(built / "feed.xml")
    assert "language" not in rss.feed  # no false channel language for a mixed feed
    assert {e.language for e in rss.entries} == {"en", "km"}
    # A one-language feed says it once, on the channel.
    assert "<dc:language>" not in (built / "khmer" / "feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="km"' not in (built / "khmer" / "atom.xml").read_text(encoding="utf-8").split("<entry", 1)[1]


# 3. Bylines and zero-width characters


def test_khmer_bylines_split_on_the_khmer_conjunction(sample_site: Path):
    settings = load_settings(sample_site, CONFIG)
    with Site.open(settings, None) as site:
        posts = {e.source: site.post(e.source) for e in site.entries()}
    by_byline = {p.source: p.authors for p in posts.values()}
    two = [authors for authors in by_byline.values() if authors == ("ស៊ុន ណារិន", "ទុំ ម្លិះ")]
    assert two, "the byline 'ស៊ុន ណារិន និង ទុំ ម្លិះ' is two people"
    # "និង" written with zero-width spaces around it joins words of a phrase, not names.
    assert split_authors("ស្រាវជ្រាវ\u200bនិង\u200bចងក្រង\u200bដោយ ទែន សុខស្រីនិត និង\u200b ហុង ចិន្តា", "km") == (
        "ស្រាវជ្រាវ\u200bនិង\u200bចងក្រង\u200bដោយ ទែន សុខស្រីនិត", "ហុង ចិន្តា")
    assert split_authors("Aun Chhengpor, Sun Narin and Ten Soksreinith", "en") == (
        "Aun Chhengpor", "Sun Narin", "Ten Soksreinith")
    assert split_authors("Anderson Band", "en") == ("Anderson Band",)
    for authors in by_byline.values():
        assert all(name == name.strip(" " + ZERO_WIDTH) and name for name in authors)


def test_titles_and_summaries_lose_zero_width_characters_at_their_edges_only(sample_site: Path):
    settings = load_settings(sample_site, CONFIG)
    edged = []  # (source, field) whose front matter value starts or ends with one
    for path in sorted(sample_site.glob("*/_posts/*.md")):
        parts = split_front_matter(path.read_text(encoding="utf-8-sig"))
        meta = load_yaml(parts[0])[0] if parts else None
        for field in ("title", "summary"):
            value = " ".join(str(meta.get(field) or "").split()) if isinstance(meta, dict) else ""
            if value != value.strip(" " + ZERO_WIDTH):
                edged.append((path.relative_to(sample_site).as_posix(), field))
    assert ("khmer/_posts/2018-06-26-prem-buth-farmer-inflation.md", "title") in edged and len(edged) == 3
    with Site.open(settings, None) as site:
        for source, field in edged:
            value = getattr(site.post(source), field)
            assert value == value.strip(" " + ZERO_WIDTH), source
            assert "\u200b" in value  # the word breaks inside stay


# 4. Enclosures


def test_rss_items_carry_the_lead_image_as_an_enclosure(built: Path, sample_site: Path):
    seen_local = seen_remote = 0
    for path in built.rglob("feed.xml"):
        for item in _channel(path).iterfind("item"):
            enclosures = item.findall("enclosure")
            media = item.find("{http://search.yahoo.com/mrss/}content")
            assert len(enclosures) == (1 if media is not None else 0), path
            if not enclosures:
                continue
            enclosure = enclosures[0]
            assert enclosure.get("url") == media.get("url")
            assert re.fullmatch(r"image/[\w.+-]+", enclosure.get("type"))
            length = int(enclosure.get("length"))  # the W3C validator: a non-negative integer, 0 if unknown
            if enclosure.get("url").startswith(f"{BASE}/img/"):
                local = sample_site / enclosure.get("url")[len(BASE) + 1:]
                assert length == local.stat().st_size > 0
                seen_local += 1
            else:
                assert length == 0
                seen_remote += 1
    assert seen_local and seen_remote
    entries = feedparser.parse(built / "english" / "profile" / "feed.xml").entries
    assert any(e.enclosures and int(e.enclosures[0].length) > 0 for e in entries)


# 5. One localisation for pages and digests


def test_khmer_pages_write_dates_as_the_digests_do(built: Path):
    khmer = localizer("km", templates_dir() / "messages")
    for page in ("khmer/index.html", "khmer/voter/index.html"):
        html = etree.parse(str(built / page), etree.HTMLParser())
        times = html.findall(".//time")
        assert times, page
        for time_el in times:
            day = datetime.fromisoformat(time_el.get("datetime")).date()
            assert time_el.text == khmer.date(day)
            assert not re.search(r"[0-9]", time_el.text) and re.search(r"[០-៩]", time_el.text)
    english = etree.parse(str(built / "english" / "index.html"), etree.HTMLParser()).find(".//time")
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, 2018", english.text)


# 6. Google News sitemaps


def test_news_sitemaps_are_valid_and_hold_the_last_two_days(built: Path, sample_site: Path):
    schema = etree.XMLSchema(etree.parse(str(PROJECT / "tests" / "schemas" / "news-sitemap.xsd")))
    settings = load_settings(sample_site, CONFIG)
    with Site.open(settings, None) as site:
        entries = site.entries()
    for language, code, name in (("english", "en", settings.language("english").title),
                                 ("khmer", "km", settings.language("khmer").title)):
        doc = etree.parse(str(built / language / "news-sitemap.xml"))
        assert schema.validate(doc), schema.error_log
        root = doc.getroot()
        assert root.tag == f"{SITEMAP}urlset"
        urls = root.findall(f"{SITEMAP}url")
        expected = sorted(e.url for e in entries if e.language == language
                          and NOW.timestamp() - 48 * 3600 < e.timestamp <= NOW.timestamp())
        assert sorted(u.findtext(f"{SITEMAP}loc") for u in urls) == expected and 0 < len(urls) <= 1000
        for url in urls:
            news = url.find(f"{NEWS}news")
            assert news.findtext(f"{NEWS}publication/{NEWS}name") == name
            assert news.findtext(f"{NEWS}publication/{NEWS}language") == code
            published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
            assert published.tzinfo is not None and published <= NOW
            assert news.findtext(f"{NEWS}title")
    index = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="english/news-sitemap.xml"' in index and 'href="khmer/news-sitemap.xml"' in index


def test_news_sitemaps_leave_when_their_posts_are_two_days_old(sample_site: Path, tmp_path: Path):
    settings = load_settings(sample_site, CONFIG)
    out, state = tmp_path / "out", tmp_path / "state"
    build(settings, out, now=NOW, state_dir=state)
    assert (out / "khmer" / "news-sitemap.xml").is_file()
    # Nothing on disk changed, yet a build three days on must drop the sitemaps (no fast path).
    build(settings, out, now=datetime(2018, 8, 10, tzinfo=timezone.utc), state_dir=state)
    assert not (out / "khmer" / "news-sitemap.xml").exists()
    assert "news-sitemap.xml" not in (out / "index.html").read_text(encoding="utf-8")
