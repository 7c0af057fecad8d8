"""Digests of the real sample site: English and Khmer dailies for 2018-07-28, weeklies ending
2018-07-30. The message, the HTML as an email client gets it, localisation, sizes, determinism."""

from __future__ import annotations

import base64
import email
import json
import quopri
import re
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path

import cssutils
import pytest
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from syndicate.config import load_settings
from syndicate.digest import HTML_BUDGET, DigestSpec, produce
from syndicate.digest.templates import head_stylesheet, stylesheet
from syndicate.digest.window import cutoff_on
from syndicate.pipeline.site import Site

NOW = datetime(2018, 9, 1, tzinfo=timezone.utc)
CASES = {
    "english-daily": ("english", "daily", date(2018, 7, 28)),
    "khmer-daily": ("khmer", "daily", date(2018, 7, 28)),
    "english-weekly": ("english", "weekly", date(2018, 7, 30)),
    "khmer-weekly": ("khmer", "weekly", date(2018, 7, 30)),
}
MERGE_TAGS = ("{{unsubscribe_url}}", "*|UNSUB|*", "%unsubscribe_url%", "{{ unsubscribe_url }}")
ASCII_DIGIT = re.compile(r"[0-9]")


def make(sample_site: Path, root: Path, name: str, **overrides):
    language, period, day = CASES[name]
    settings = load_settings(sample_site)
    spec = DigestSpec.for_site(settings, language, period, **overrides)
    end = cutoff_on(day, spec.cutoff_time, spec.zone(settings))
    return produce(settings, spec, out_dir=root / "out", state_dir=root / "state", now=NOW, window_end=end)


@pytest.fixture(scope="module")
def digests(sample_site, tmp_path_factory):
    root = tmp_path_factory.mktemp("digests")
    return {name: make(sample_site, root, name) for name in CASES}


@pytest.fixture(scope="module")
def entries(sample_site):
    with Site.open(load_settings(sample_site), None) as site:
        return {e.url: e for e in site.entries()}


def message(result):
    return email.message_from_bytes(result.paths["eml"].read_bytes(), policy=policy.default)


def page(result):
    return lxml_html.fromstring(result.paths["html"].read_bytes())


def summary(result):
    return json.loads(result.paths["json"].read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CASES)
def test_eml_is_multipart_alternative_text_then_html(digests, name):
    result = digests[name]
    msg = message(result)
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    for part, fmt in ((text, "txt"), (html, "html")):
        assert part.get_content_charset() == "utf-8"
        # The smaller encoding on the wire: quoted-printable for English, base64 for Khmer.
        assert part["Content-Transfer-Encoding"] == {"english": "quoted-printable", "khmer": "base64"}[CASES[name][0]]
        content = result.paths[fmt].read_bytes()
        other = (base64.encodebytes(content) if part["Content-Transfer-Encoding"] == "quoted-printable"
                 else quopri.encodestring(content))
        assert len(part.get_payload().encode()) < len(other.replace(b"\n", b"\r\n"))
        assert part.get_content().replace("\r\n", "\n") == result.paths[fmt].read_text(encoding="utf-8")
    assert b"\r\n" in result.paths["eml"].read_bytes() and b"\n" not in result.paths["eml"].read_bytes().replace(b"\r\n", b"")


@pytest.mark.parametrize("name", CASES)
def test_eml_headers(digests, sample_site, name):
    result, language = digests[name], CASES[name][0]
    msg = message(result)
    assert msg["Subject"] == result.subject == summary(result)["subject"]
    assert msg["From"].addresses[0].addr_spec == "newsroom@projects.voanews.com"
    # RFC 2047 decoding joins adjacent encoded words (Python's address parser adds a space).
    raw = email.message_from_bytes(result.paths["eml"].read_bytes())
    site_name = load_settings(sample_site).language(language).title
    assert str(make_header(decode_header(raw["From"]))) == f"{site_name} <newsroom@projects.voanews.com>"
    assert str(make_header(decode_header(raw["Subject"]))) == result.subject
    # Encoded words end between grapheme clusters, and ASCII words stay plain, so the spaces
    # around them are real: Python's address parser, which puts a space between two encoded
    # words, shows whole letters and the " | " as it is.
    shown = msg["From"].addresses[0].display_name
    assert shown.replace(" ", "") == site_name.replace(" ", "") and (" | " in shown) == (" | " in site_name)
    for word in re.findall(r"=\?utf-8\?[bq]\?[^?]*\?=", result.paths["eml"].read_text("ascii").split("\r\n\r\n")[0]):
        text = str(make_header(decode_header(word)))
        assert not re.match(r"[\u17b4-\u17d3]", text) and not text.endswith("\u17d2"), text
    assert msg["To"].addresses[0].addr_spec == f"digest-{language}@projects.voanews.com"
    assert parsedate_to_datetime(msg["Date"]) == result.window_end  # the window's end, not the wall clock
    stamp = result.window_end.strftime("%Y%m%dT%H%M%S")
    assert msg["Message-ID"] == f"<{name}.{stamp}@projects.voanews.com>" == result.message_id
    assert str(make_header(decode_header(raw["List-Id"]))) == f"{site_name} <{name}.projects.voanews.com>"
    assert msg["List-Unsubscribe"] == "<{{unsubscribe_url}}>"
    assert msg["List-Unsubscribe-Post"] is None  # RFC 8058 one-click needs an https URL, not a merge tag
    assert msg["Content-Language"] == {"english": "en", "khmer": "km"}[language]


@pytest.mark.parametrize("name", CASES)
def test_posts_are_the_languages_in_the_window_newest_first(digests, entries, name):
    result, (language, period, day) = digests[name], CASES[name]
    assert result.window_end == datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc)
    assert result.window_end - result.window_start == timedelta(days=1 if period == "daily" else 7)
    expected = [e for e in entries.values() if e.language == language
                and result.window_start.timestamp() <= e.timestamp < result.window_end.timestamp()]
    assert set(result.post_ids) == {e.url for e in expected} and expected
    times = [entries[p].timestamp for p in result.post_ids]
    assert times == sorted(times, reverse=True)
    assert summary(result)["items"] == list(result.post_ids)


@pytest.mark.parametrize("name", CASES)
def test_html_is_a_finished_client_proof_email(digests, name):
    result = digests[name]
    doc = page(result)
    head, media = doc.findall(".//style")  # digest-head.css as it is, then the @media rules
    assert head.getparent().tag == media.getparent().tag == "head"
    assert head.text.strip() == head_stylesheet().strip()
    rules = list(cssutils.parseString(media.text))
    assert rules and all(r.type == r.MEDIA_RULE for r in rules)
    assert not doc.findall(".//script")
    assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
    links = doc.xpath("//@href | //@src")
    assert links and all(re.match(r"https?://", link) or link == "{{unsubscribe_url}}" for link in links)
    assert doc.get("lang") == {"english": "en", "khmer": "km"}[CASES[name][0]] and doc.get("dir") == "ltr"
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert "prefers-color-scheme: dark" in media.text
    for img in doc.findall(".//img"):
        assert img.get("width") == "552" and img.get("alt")
    sent = len(message(result).get_body(("html",)).get_payload().encode())  # as sent
    assert sent < HTML_BUDGET == 102_000
    assert summary(result)["bytes"]["html_as_sent"] == sent


def test_every_rule_outside_media_is_inlined_and_classes_stay(digests):
    sheet = cssutils.parseString(stylesheet())
    for result in digests.values():
        doc = page(result)
        for rule in sheet:
            if rule.type != rule.STYLE_RULE:
                continue
            names = {p.name for p in rule.style}
            for selector in rule.selectorText.split(","):
                for element in CSSSelector(selector.strip())(doc):
                    style = element.get("style", "")
                    missing = [n for n in names if not re.search(rf"(^|;)\s*{re.escape(n)}\s*:", style)]
                    assert not missing, f"{selector} {missing} not inlined into <{element.tag} class={element.get('class')}>"
        assert doc.xpath("//*[contains(concat(' ', @class, ' '), ' item ')]")  # classes kept for @media


def test_khmer_text_and_its_zero_width_spaces_survive_without_entities(digests, entries, sample_site):
    result = digests["khmer-weekly"]
    raw = result.paths["html"].read_text(encoding="utf-8")
    assert "&#" not in raw  # no numeric entities: Khmer stays UTF-8
    with Site.open(load_settings(sample_site), None) as site:
        for url in result.post_ids:
            rendered = site.rendered(site.post(entries[url].source))
            assert rendered.post.title in raw
            assert (rendered.post.summary or rendered.summary).replace("&", "&amp;") in raw
    assert raw.count("\u200b") > 100


def test_khmer_subject_and_dates_use_khmer_digits(digests):
    daily, weekly = digests["khmer-daily"], digests["khmer-weekly"]
    assert daily.subject.endswith("ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨")
    assert weekly.subject.endswith("២៤ – ៣០ កក្កដា ២០១៨")
    assert not ASCII_DIGIT.search(daily.subject + weekly.subject)
    dateline = page(daily).xpath("//p[contains(@class, 'dateline')]")[0].text_content()
    assert dateline.endswith("ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨")
    assert "ព័ត៌មានសង្ខេបប្រចាំថ្ងៃ" in page(daily).text_content()  # the label comes from km.toml


def test_english_subject_and_labels(digests):
    daily = digests["english-daily"]
    # The top story's title leads (the From name is the site's already), then the edition.
    assert daily.subject == "Government Confirms Blocking 15 Independent News Sites Over Poll “Disruption” · July 28, 2018"
    text = daily.paths["txt"].read_text(encoding="utf-8")
    assert "Daily digest · July 28, 2018 · 2 stories" in text
    for url in daily.post_ids:
        assert f"Read more: {url}" in text
    assert "Read in Khmer: https://projects.voanews.com/cambodia-election-2018/khmer/" in text
    assert "Unsubscribe: {{unsubscribe_url}}" in text


def test_preheader_is_hidden_and_first(digests):
    doc = page(digests["english-daily"])
    first = doc.body[0][0]  # in the wrapper that repeats lang and dir for webmail
    assert doc.body[0].get("lang") == "en" and doc.body[0].get("dir") == "ltr"
    assert "preheader" in first.get("class") and "display:none" in first.get("style").replace(" ", "")
    # Then invisible filler, so the preview shows no body text after it.
    text, filler = first.text_content()[:-240], first.text_content()[-240:]
    assert text == summary(digests["english-daily"])["preheader"]
    assert filler == "\u034f\u200c\u00a0" * 80


@pytest.mark.parametrize("tag", MERGE_TAGS)
def test_merge_tags_survive_byte_for_byte(sample_site, tmp_path, tag):
    result = make(sample_site, tmp_path, "khmer-daily", unsubscribe=tag)
    raw = result.paths["html"].read_text(encoding="utf-8")
    assert f'href="{tag}"' in raw
    assert f": {tag}\n" in result.paths["txt"].read_text(encoding="utf-8")
    assert message(result)["List-Unsubscribe"] == f"<{tag}>"


def test_outputs_are_byte_identical_without_the_ledger_too(digests, sample_site, tmp_path):
    again = make(sample_site, tmp_path, "khmer-weekly")  # a fresh state folder and output folder
    for fmt, path in digests["khmer-weekly"].paths.items():
        assert again.paths[fmt].read_bytes() == path.read_bytes(), fmt


def test_a_digest_too_big_for_gmail_lists_the_rest_by_title(sample_site, tmp_path):
    settings = load_settings(sample_site)
    spec = DigestSpec.for_site(settings, "khmer", 365 * 86400)  # the whole Khmer archive
    result = produce(settings, spec, out_dir=tmp_path / "out", state_dir=tmp_path / "state", now=NOW,
                     window_end=cutoff_on(date(2018, 8, 10), spec.cutoff_time, settings.timezone))
    info = summary(result)
    assert info["bytes"]["html_as_sent"] <= HTML_BUDGET
    assert 0 < info["shown_in_full"] < len(info["items"]) == len(result.post_ids)
    doc = page(result)
    listed = doc.xpath("//a[contains(@class, 'listed-link')]/@href")
    assert listed == list(result.post_ids[info["shown_in_full"]:])
    assert len(doc.xpath("//td[contains(@class, 'item ')]")) == info["shown_in_full"]


def test_json_sizes_are_the_files_sizes(digests):
    for result in digests.values():
        sizes = summary(result)["bytes"]
        for fmt in ("html", "txt", "eml"):
            assert sizes[fmt] == result.paths[fmt].stat().st_size
        assert summary(result)["window"] == {"start": result.window_start.isoformat(),
                                             "end": result.window_end.isoformat()}


def test_paths_follow_language_period_and_date(digests, tmp_path):
    paths = digests["khmer-weekly"].paths
    assert {fmt: p.parts[-4:] for fmt, p in paths.items()} == {
        fmt: ("digests", "khmer", "weekly", f"2018-07-30.{fmt}") for fmt in ("html", "txt", "eml", "json")} | {
        "web": ("digests", "khmer", "weekly", "2018-07-30.web.html")}
