"""What email clients get from digests of the real sample site (issue 13): Khmer links, the
language on the wrapper, dark mode for Outlook.com and Gmail, the Outlook and iOS markup, links
a screen reader can use, the preheader filler, summaries, subjects, the archived web copy,
unsubscribe headers, the footer, and plain text."""

from __future__ import annotations

import email
import re
from datetime import date, datetime, timezone
from email import policy

import cssutils
import pytest
import regex
from lxml import html as lxml_html

from syndicate.config import load_settings
from syndicate.digest import DigestError, DigestSpec, produce
from syndicate.digest.templates import head_stylesheet, stylesheet
from syndicate.digest.window import cutoff_on
from syndicate.pipeline.site import Site

NOW = datetime(2018, 9, 1, tzinfo=timezone.utc)
CASES = {"english-daily": ("english", "daily", date(2018, 7, 28)), "khmer-daily": ("khmer", "daily", date(2018, 7, 28)),
         "khmer-weekly": ("khmer", "weekly", date(2018, 7, 30))}
UNSUBSCRIBE = "https://example.org/unsubscribe?list=km&id=*|UNIQID|*"
ADDRESS = "330 Independence Ave SW, Washington, DC 20237, USA"


def make(sample_site, root, name, **overrides):
    language, period, day = CASES[name]
    settings = load_settings(sample_site)
    spec = DigestSpec.for_site(settings, language, period, **overrides)
    return produce(settings, spec, out_dir=root / "out", state_dir=root / "state", now=NOW,
                   window_end=cutoff_on(day, spec.cutoff_time, spec.zone(settings)))


@pytest.fixture(scope="module")
def digests(sample_site, tmp_path_factory):
    root = tmp_path_factory.mktemp("clients")
    return {name: make(sample_site, root, name) for name in CASES}


def page(result, fmt="html"):
    return lxml_html.fromstring(result.paths[fmt].read_bytes())


def styled(doc, css_class):
    return doc.xpath(f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")


def declarations(element) -> dict[str, str]:
    return {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in element.get("style", "").split(";") if ":" in d)}


# 1. Khmer links
def test_khmer_links_have_no_underline_to_cut_subscripts_but_a_border_below(digests):
    links = [a for c in ("link", "listed-link", "footer-link") for a in styled(page(digests["khmer-weekly"]), c)]
    assert links
    for a in links:
        style = declarations(a)
        assert style["text-decoration"] == "none" and "text-underline-offset" not in style
        assert style["border-bottom"].startswith("1px solid") and style["padding-bottom"] == "2px"
    english = styled(page(digests["english-daily"]), "link")
    assert english and all(declarations(a)["text-decoration"] == "underline" for a in english)


# 2. lang and dir on the wrapper, for webmail that drops <html>
@pytest.mark.parametrize("name", CASES)
def test_language_and_direction_are_repeated_on_the_wrapper(digests, name):
    doc = page(digests[name])
    wrapper = doc.body[0]
    assert (wrapper.get("lang"), wrapper.get("dir")) == (doc.get("lang"), doc.get("dir")) == (
        {"english": "en", "khmer": "km"}[CASES[name][0]], "ltr")
    assert all(el.getparent() is not None for el in doc.body.iter())  # everything visible is inside it
    assert len(doc.body) == 1


# 3. Dark mode
def test_dark_mode_for_outlook_and_the_color_scheme_property(digests):
    doc = page(digests["khmer-daily"])
    head = doc.xpath("//head/style")[0].text
    assert ":root { color-scheme: light dark; supported-color-schemes: light dark; }" in head
    sheet = cssutils.parseString(head)
    selectors = " ".join(r.selectorText for r in sheet if r.type == r.STYLE_RULE)
    # Every colour the prefers-color-scheme block sets, Outlook.com's data-ogsc/ogsb rules set too.
    media = [r for r in cssutils.parseString(stylesheet()) if r.type == r.MEDIA_RULE and "dark" in r.media.mediaText][0]
    for rule in (r for r in media if r.type == r.STYLE_RULE):
        for prop in rule.style:
            if prop.name in ("color", "background-color"):
                marker = "[data-ogsc]" if prop.name == "color" else "[data-ogsb]"
                for sel in rule.selectorText.split(","):
                    if sel.strip() not in (".item-image", ".image-link"):  # no text of their own
                        assert f"{marker} {sel.strip()}" in selectors, (marker, sel)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _inverted(hex_colour: str) -> str:
    return "#" + "".join(f"{255 - int(hex_colour[i:i + 2], 16):02x}" for i in (1, 3, 5))


def test_every_text_colour_reads_on_its_background_and_after_gmails_forced_inversion(digests):
    # Gmail's apps invert light messages themselves (fully on iOS); the light palette must read
    # both ways: WCAG AA, 4.5:1, for every text colour on the column's white and the page's grey.
    for name in ("english-daily", "khmer-weekly"):
        doc = page(digests[name])
        for element in doc.body.iter():
            colour = declarations(element).get("color", "") if isinstance(element.tag, str) else ""
            if not colour or "preheader" in element.get("class", ""):
                continue  # the preheader is hidden on purpose in the background's colour
            background = "#eeeeec" if element.xpath("ancestor::td[contains(@class, 'outer-cell')]") == [] else "#ffffff"
            for fg, bg in ((colour, background), (_inverted(colour), _inverted(background))):
                assert _contrast(fg, bg) >= 4.5, (element.get("class"), fg, bg)


# 4. The column, Outlook for Windows
@pytest.mark.parametrize("name", CASES)
def test_ghost_table_and_div_column_and_outlook_settings(digests, name):
    result = digests[name]
    raw = result.paths["html"].read_text(encoding="utf-8")
    doc = page(result)
    container = styled(doc, "container")[0]
    assert container.tag == "div" and declarations(container)["max-width"] == "600px"
    assert '<!--[if mso]><table role="presentation" align="center" width="600"' in raw
    assert "<o:PixelsPerInch>96</o:PixelsPerInch>" in raw and 'xmlns:o="urn:schemas-microsoft-com:office:office"' in raw
    font = {"english": "'Segoe UI', Arial, sans-serif", "khmer": "'Khmer UI', 'Leelawadee UI', sans-serif"}[CASES[name][0]]
    assert re.search(r"<!--\[if mso\]>.*font-family: " + re.escape(font) + r" !important;.*<!\[endif\]-->", raw, re.S)
    with_line_height = [el for el in doc.iter() if isinstance(el.tag, str) and "line-height" in declarations(el)]
    assert with_line_height
    for el in with_line_height:
        assert declarations(el).get("mso-line-height-rule") == "exactly", el.get("class")


# 5. Links a screen reader can use
@pytest.mark.parametrize("name", CASES)
def test_each_story_has_one_link_for_screen_readers_and_short_alt_text(digests, name):
    result = digests[name]
    doc = page(result)
    shown = len(styled(doc, "item"))
    assert shown
    for url in result.post_ids[:shown]:
        links = doc.xpath("//a[@href=$url]", url=url)
        exposed = [a for a in links if a.get("aria-hidden") != "true"]
        assert len(links) >= 2 and len(exposed) == 1 and "item-title-link" in exposed[0].get("class")
        assert all(a.get("tabindex") == "-1" for a in links if a not in exposed)
    for img in doc.xpath("//img"):
        assert 0 < len(img.get("alt")) <= 100


# 6. Preheader filler, iOS data detectors, mobile padding of the empty digest
def test_apple_data_detectors_are_restyled_and_every_padded_cell_tightens_on_mobile():
    assert re.search(r"a\[x-apple-data-detectors\] \{ color: inherit !important; text-decoration: none !important;",
                     head_stylesheet())
    sheet = cssutils.parseString(stylesheet())
    padded = {r.selectorText for r in sheet if r.type == r.STYLE_RULE and r.style.getPropertyValue("padding")
              and r.style.getPropertyValue("padding").split()[-1] == "24px"}
    mobile = [r for r in sheet if r.type == r.MEDIA_RULE and "max-width" in r.media.mediaText][0]
    tightened = {s.strip() for r in mobile if r.type == r.STYLE_RULE for s in r.selectorText.split(",")
                 if r.style.getPropertyValue("padding-left") == "16px"}
    assert ".empty" in padded and padded <= tightened


def test_preheader_filler_keeps_body_text_out_of_the_preview(digests):
    preheader = styled(page(digests["khmer-daily"]), "preheader")[0].text_content()
    visible = preheader.rstrip("\u034f\u200c\u00a0")
    assert visible and len(preheader) - len(visible) >= 200  # inbox previews show at most ~200 characters


# 7. The editor's summary first
def test_the_editors_summary_comes_first(digests, sample_site):
    result = digests["khmer-weekly"]
    summaries = [p.text_content() for p in styled(page(result), "summary")]
    with Site.open(load_settings(sample_site), None) as site:
        by_url = {e.url: e for e in site.entries()}
        posts = [site.post(by_url[url].source) for url in result.post_ids[:len(summaries)]]
    edited = [(s, p) for s, p in zip(summaries, posts, strict=True) if p.summary]
    assert edited  # the sample's editors wrote most of them
    for shown, post in edited:
        assert shown == " ".join(post.summary.split())


# 8. The subject
def test_subject_leads_with_the_top_headline_or_the_site_when_asked(sample_site, tmp_path, digests):
    result = digests["khmer-daily"]
    title = page(result).xpath("//a[contains(@class, 'item-title-link')]")[0].text_content()
    assert result.subject.startswith(title) and result.subject.endswith("ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨")
    site_first = make(sample_site, tmp_path, "khmer-daily", subject_headline=False)
    assert site_first.subject.startswith(load_settings(sample_site).language("khmer").title)


# 10. The archived copy
@pytest.mark.parametrize("tag", ["{{unsubscribe_url}}", UNSUBSCRIBE])
def test_the_web_copy_has_no_unsubscribe_link_and_is_what_view_in_browser_opens(sample_site, tmp_path, tag):
    result = make(sample_site, tmp_path, "khmer-daily", unsubscribe=tag)
    email_html, web = (result.paths[f].read_text(encoding="utf-8") for f in ("html", "web"))
    assert "unsubscribe" not in web.lower() and "UNIQID" not in web and "{{" not in web
    assert 'href="' + tag.replace("&", "&amp;") + '"' in email_html
    archive = styled(page(result), "footer-link")[1].get("href")
    assert archive.endswith("/digests/khmer/daily/2018-07-28.web.html")
    assert web.count("<a ") == email_html.count("<a ") - 1


# 11. Unsubscribe headers and the footer
def test_https_unsubscribe_with_mailto_gets_one_click_and_the_footer_has_address_and_preferences(sample_site, tmp_path):
    result = make(sample_site, tmp_path, "khmer-daily", unsubscribe=UNSUBSCRIBE,
                  unsubscribe_mailto="mailto:leave@example.org?subject=unsubscribe", postal_address=ADDRESS,
                  preferences_url="https://example.org/preferences?list=km&x=1")
    msg = email.message_from_bytes(result.paths["eml"].read_bytes(), policy=policy.default)
    assert msg["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>, <mailto:leave@example.org?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    footer = styled(page(result), "footer")[0]
    assert ADDRESS in footer.text_content()
    assert footer.xpath(".//a/@href") [-2:] == ["https://example.org/preferences?list=km&x=1", UNSUBSCRIBE]
    text = result.paths["txt"].read_text(encoding="utf-8")
    assert ADDRESS in text and text.rstrip().endswith(UNSUBSCRIBE)


def test_one_click_needs_https_and_unsafe_urls_are_refused(sample_site, tmp_path):
    plain = make(sample_site, tmp_path, "khmer-daily", unsubscribe="http://example.org/u?a=1&b=2")
    msg = email.message_from_bytes(plain.paths["eml"].read_bytes(), policy=policy.default)
    assert msg["List-Unsubscribe"] == "<http://example.org/u?a=1&b=2>" and msg["List-Unsubscribe-Post"] is None
    settings = load_settings(sample_site)
    for bad in ({"unsubscribe": "https://example.org/u?a=1&b=\"x\""}, {"unsubscribe_mailto": "leave@example.org"},
                {"preferences_url": "javascript:alert(1)"}):
        with pytest.raises(DigestError):
            DigestSpec.for_site(settings, "khmer", **bad)


# 14. Plain text
def test_plain_text_has_no_signature_delimiter_and_khmer_wraps_between_words(digests):
    for result in digests.values():
        lines = result.paths["txt"].read_text(encoding="utf-8").split("\n")
        assert "-- " not in lines
        unsubscribe = next(i for i, line in enumerate(lines) if "{{unsubscribe_url}}" in line)
        assert unsubscribe == len(lines) - 2  # the last line, after no signature
    lines = digests["khmer-weekly"].paths["txt"].read_text(encoding="utf-8").split("\n")
    seen = [regex.sub(r"\u200b", "", line) for line in lines if not re.search(r"https?://", line)]
    assert max(len(regex.findall(r"\X", line)) for line in seen) <= 72
    wrapped = [line for line in lines if line.endswith("\u200b")]
    assert wrapped  # Khmer summaries break after a zero-width space, between words
