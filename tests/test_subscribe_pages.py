"""What a new subscriber meets: the site index, each feed's readable page, the OPML list and the
autodiscovery tags, built from the real sample site in both of its languages."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from feedcheck import all_outputs, load_json_feed, parse_xml_feed
from lxml import etree
from sitebuilder import make_site, post

from syndicate.cli import main
from syndicate.config import load_settings
from syndicate.pipeline.build import build
from syndicate.sources import templates_dir

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
KHMER = re.compile(r"[\u1780-\u17FF]")
FORMAT_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
                "feed.json": "application/feed+json"}

# OPML 2.0 (http://opml.org/spec2.opml) as RELAX NG: every outline has text; a subscription
# (type="rss") has an xmlUrl and no children; a folder has children.
OPML_SCHEMA = """\
<grammar xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element name="opml">
      <attribute name="version"><value>2.0</value></attribute>
      <element name="head">
        <interleave>
          <optional><element name="title"><text/></element></optional>
          <optional><element name="dateCreated"><text/></element></optional>
          <optional><element name="dateModified"><text/></element></optional>
          <optional><element name="ownerName"><text/></element></optional>
          <optional><element name="ownerEmail"><text/></element></optional>
          <optional><element name="ownerId"><data type="anyURI"/></element></optional>
          <optional><element name="docs"><data type="anyURI"/></element></optional>
          <optional><element name="expansionState"><text/></element></optional>
        </interleave>
      </element>
      <element name="body"><oneOrMore><ref name="outline"/></oneOrMore></element>
    </element>
  </start>
  <define name="text"><attribute name="text"><data type="string"><param name="minLength">1</param></data></attribute></define>
  <define name="outline">
    <element name="outline">
      <choice>
        <group>
          <attribute name="type"><value>rss</value></attribute>
          <ref name="text"/>
          <attribute name="xmlUrl"><data type="anyURI"/></attribute>
          <optional><attribute name="title"><text/></attribute></optional>
          <optional><attribute name="htmlUrl"><data type="anyURI"/></attribute></optional>
          <optional><attribute name="description"><text/></attribute></optional>
          <optional><attribute name="language"><data type="language"/></attribute></optional>
          <optional><attribute name="version"><text/></attribute></optional>
        </group>
        <group>
          <ref name="text"/>
          <optional><attribute name="title"><text/></attribute></optional>
          <oneOrMore><ref name="outline"/></oneOrMore>
        </group>
      </choice>
    </element>
  </define>
</grammar>
"""


@pytest.fixture(scope="module")
def built(sample_site: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = load_settings(sample_site)
    out, state = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("state")
    report = build(settings, out, now=NOW, state_dir=state)
    # The sample's own editorial errors (mugshot URLs as written, translations to no post, docs/check.md)
    # are published anyway; nothing else may be wrong.
    assert {p.field for p in report.errors} <= {"mugshot", "translation"}, report.errors
    return settings, out, state


def _feed_folders(out: Path) -> list[str]:
    return sorted(p.parent.relative_to(out).as_posix() if p.parent != out else "" for p in out.rglob("feed.xml"))


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_opml_validates_and_lists_every_feed_written(built):
    settings, out, _ = built
    doc = etree.parse(str(out / "feeds.opml"))
    schema = etree.RelaxNG(etree.fromstring(OPML_SCHEMA.encode()))
    assert schema.validate(doc), schema.error_log
    subscriptions = doc.getroot().findall(".//outline[@type='rss']")
    written = {f"{settings.feed_base_url}/{folder + '/' if folder else ''}feed.xml" for folder in _feed_folders(out)}
    assert len(written) > 30
    assert sorted(o.get("xmlUrl") for o in subscriptions) == sorted(written)  # each feed once
    for outline in subscriptions:
        feed = parse_xml_feed(out / outline.get("xmlUrl")[len(settings.feed_base_url) + 1:])
        assert feed.feed.title == outline.get("text")
    groups = {g.get("text"): g for g in doc.getroot().find("body") if g.get("type") is None}
    assert set(groups) == {"English", "ខ្មែរ"}  # each language named in its own script
    assert {o.get("language") for o in groups["ខ្មែរ"]} == {"km"}
    assert {o.get("language") for o in groups["English"]} == {"en"}


def test_every_feed_folder_has_a_readable_page_in_its_language(built):
    settings, out, _ = built
    for folder in _feed_folders(out):
        if not folder:
            continue  # the site feed's page is the site index
        feed = parse_xml_feed(out / folder / "atom.xml")
        page = _page(out / folder / "index.html")
        code = feed.feed.language
        assert page.get("lang") == code and page.get("dir") == "ltr", folder
        assert page.findtext(".//h1") == feed.feed.title
        assert [a.get("href") for a in page.xpath("//ol[@class='stories']/li/h3/a")] == [e.id for e in feed.entries]
        own = {f"{settings.feed_base_url}/{folder}/{name}" for name in FORMAT_TYPES}
        assert {c.text_content() for c in page.xpath("//code[@class='url']")} == own, "copyable feed addresses"
        discovered = {(l.get("type"), l.get("href")) for l in page.xpath("//head/link[@rel='alternate']")}
        assert discovered == {(FORMAT_TYPES[u.rsplit("/", 1)[1]], u) for u in own}
        if code == "km":
            assert KHMER.search(page.findtext(".//section[@class='subscribe']/h2")), "Khmer interface text"
            assert KHMER.search(page.xpath("//ol[@class='stories']//time")[0].text_content()), "Khmer month names"


def test_feeds_link_their_page_without_displacing_the_website(built):
    settings, out, _ = built
    for folder in ("", "khmer", "english/politician"):
        prefix = f"{folder}/" if folder else ""
        page_url = f"{settings.feed_base_url}/{prefix}index.html"
        atom = etree.parse(str(out / prefix / "atom.xml")).getroot()
        # "alternate" and the IANA IRI ending in it name one relation (RFC 4287 §4.2.7.2)
        alternates = [l for l in atom.findall("{http://www.w3.org/2005/Atom}link")
                      if l.get("rel") in ("alternate", "http://www.iana.org/assignments/relation/alternate")]
        home = load_json_feed(out / prefix / "feed.json")["home_page_url"]
        assert alternates[0].get("href") == home and alternates[0].get("hreflang") is None  # the website first
        twins = [a for a in alternates if a.get("href") == page_url]
        assert len(twins) == 1 and twins[0].get("type") == "text/html" and twins[0].get("hreflang")
        combos = [(a.get("type"), a.get("hreflang")) for a in alternates]
        assert len(combos) == len(set(combos)), "RFC 4287 §4.2.7.2: one alternate per type and hreflang"
        rss = parse_xml_feed(out / prefix / "feed.xml")
        assert rss.feed.link == home  # RSS <link> is still the website
        assert parse_xml_feed(out / prefix / "atom.xml").feed.link == home  # and so is Atom's, for feedparser
        assert page_url in [l.href for l in rss.feed.links if l.rel == "alternate"]
        assert (out / prefix / "index.html").is_file()


def test_site_index_lists_every_feed_per_language_in_its_own_script(built):
    settings, out, _ = built
    index = _page(out / "index.html")
    hrefs = set(index.xpath("//a/@href"))
    for folder in _feed_folders(out):
        prefix = f"{folder}/" if folder else ""
        for name in FORMAT_TYPES:
            assert f"{settings.feed_base_url}/{prefix}{name}" in hrefs, f"{prefix}{name}"
        if folder:
            assert f"{prefix}index.html" in hrefs and (out / prefix / "index.html").is_file()
    assert "feeds.opml" in hrefs
    sections = {s.get("lang"): s for s in index.xpath("//section[contains(@class, 'language')]")}
    assert set(sections) == {"en", "km"}
    khmer = sections["km"]
    assert khmer.get("dir") == "ltr" and KHMER.search(khmer.findtext(".//h2"))
    assert KHMER.search(khmer.findtext(".//th")) or KHMER.search(khmer.xpath(".//td/a")[0].text_content())
    assert all(f"{settings.feed_base_url}/khmer/" in a or not a.startswith("http")
               for a in khmer.xpath(".//td[@class='formats']/a/@href"))


def test_pages_are_safe_and_well_formed(built):
    _, out, _ = built
    pages = sorted(out.rglob("index.html"))
    assert len(pages) > 30
    for path in pages:
        raw = path.read_bytes()
        assert raw.startswith(b"<!doctype html>\n<html lang=")
        page = _page(path)
        assert not page.xpath("//script | //iframe | //object | //embed | //form"), path
        assert not page.xpath("//@*[starts-with(name(), 'on')]"), path
        assert not [u for u in page.xpath("//@href | //@src") if u.strip().lower().startswith(("javascript:", "data:"))]
        assert page.xpath("//head/meta[@charset='utf-8']") and page.findtext(".//title")


def test_every_interface_text_has_a_khmer_translation():
    root = templates_dir()
    used = {msgid for _, _, msgid, *_ in extract_from_dir(
        str(root), method_map=[("**.j2", "jinja2.ext:babel_extract")], keywords={"t": None})}
    assert len(used) >= 10
    with (root / "locale" / "km" / "LC_MESSAGES" / "subscribe.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert used - translated == set(), "untranslated; see the header of subscribe.po"
    assert translated - used == set(), "translations no template uses any more"


def test_a_language_without_a_catalogue_is_marked_english_and_rtl_is_honoured(tmp_path: Path):
    site = make_site(tmp_path / "site", {
        "arabic/_posts/2026-11-20-one.md": post("خبر", "نص."),
        "french/_posts/2026-11-21-two.md": post("Nouvelle", "Texte."),
    })
    out = tmp_path / "out"
    build(load_settings(site), out, now=NOW, state_dir=tmp_path / "state")
    arabic = _page(out / "arabic" / "index.html")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    assert arabic.xpath("//section[@class='subscribe']")[0].get("lang") == "en"  # English text, said so
    assert arabic.xpath("//ol[@class='stories']/li")[0].get("dir") == "rtl"
    index = _page(out / "index.html")
    assert {(s.get("lang"), s.get("dir")) for s in index.xpath("//section[contains(@class, 'language')]")} == {
        ("ar", "rtl"), ("fr", "ltr")}


def test_rebuilds_are_byte_identical_and_write_nothing(built, tmp_path: Path):
    settings, out, state = built
    before = all_outputs(out)
    again = build(settings, out, now=NOW, state_dir=state)
    assert again.files_written == ()
    cold = tmp_path / "cold"
    build(settings, cold, now=NOW, state_dir=tmp_path / "state")
    assert all_outputs(cold) == before


def test_a_page_goes_when_its_feed_goes(tmp_path: Path):
    posts = {"english/_posts/2026-11-20-ferry.md": post("Ferry", "Text.", categories="ferries"),
             "english/_posts/2026-11-21-rice.md": post("Rice", "Text.", categories="markets")}
    site = make_site(tmp_path / "site", posts)
    out, state = tmp_path / "out", tmp_path / "state"
    build(load_settings(site), out, now=NOW, state_dir=state)
    assert (out / "english" / "ferries" / "index.html").is_file()
    assert "english/ferries/index.html" in (out / "index.html").read_text(encoding="utf-8")
    (site / "english" / "_posts" / "2026-11-20-ferry.md").unlink()
    build(load_settings(site), out, now=NOW, state_dir=state)
    assert not (out / "english" / "ferries" / "index.html").exists()
    assert "english/ferries/" not in (out / "index.html").read_text(encoding="utf-8")
    assert "ferries" not in (out / "feeds.opml").read_text(encoding="utf-8")


def test_snippet_prints_each_languages_autodiscovery_tags(built, sample_site: Path, capsys: pytest.CaptureFixture):
    settings, out, _ = built
    assert main(["snippet", str(sample_site), "--now", NOW.isoformat()]) == 0
    text = capsys.readouterr().out
    tags = lxml.html.fragments_fromstring(text)
    links = [t for t in tags if isinstance(t, lxml.html.HtmlElement) and t.tag == "link"]
    by_language: dict[str | None, set[str]] = {}
    for link in links:
        assert link.get("rel") == "alternate" and link.get("title")
        href = link.get("href")
        assert FORMAT_TYPES[href.rsplit("/", 1)[1]] == link.get("type")
        assert (out / href[len(settings.feed_base_url) + 1:]).is_file(), f"{href} is not a written feed"
        by_language.setdefault(link.get("hreflang"), set()).add(href)
    assert set(by_language) == {None, "en", "km"} and all(len(v) == 3 for v in by_language.values())
    assert main(["snippet", str(sample_site), "--language", "khmer", "--now", NOW.isoformat()]) == 0
    khmer = [t for t in lxml.html.fragments_fromstring(capsys.readouterr().out) if getattr(t, "tag", None) == "link"]
    assert {l.get("hreflang") for l in khmer} == {"km"} and all(KHMER.search(l.get("title")) for l in khmer)
    assert main(["snippet", str(sample_site), "--language", "klingon"]) == 1
    assert "klingon" in capsys.readouterr().err


def test_the_xsl_stylesheet_shows_both_xml_formats(sample_site: Path, tmp_path: Path):
    config = tmp_path / "xsl.toml"
    config.write_text("[feeds]\nstylesheet = true\n", encoding="utf-8")
    out = tmp_path / "out"
    build(load_settings(sample_site, config), out, now=NOW, state_dir=tmp_path / "state")
    for rel in ("khmer/video/feed.xml", "english/atom.xml", "atom.xml"):
        feed = parse_xml_feed(out / rel)
        doc = etree.parse(str(out / rel))
        href = next(doc.getroot().itersiblings(preceding=True)).get("href")
        transform = etree.XSLT(etree.parse(str((out / rel).parent / href)))
        page = lxml.html.fromstring(str(transform(doc)))
        assert page.findtext(".//h1") == feed.feed.title
        assert [a.get("href") for a in page.xpath("//ol[@class='stories']/li/h3/a")] == [e.id for e in feed.entries]
        assert not page.xpath("//script | //@*[starts-with(name(), 'on')]")
    assert KHMER.search(etree.tostring(etree.parse(str(out / "khmer" / "feed.xsl")), encoding="unicode"))
