"""Unit tests for the render pipeline's parts: URLs, sanitising, summaries, IALs, Liquid."""

from __future__ import annotations

import re

import regex

from syndicate.render import RenderContext, absolute_url, render_body, summarize
from syndicate.render.sanitize import sanitize

BASE = "https://projects.example.org/election-2018"
PAGE = f"{BASE}/english/feature/story.html"
ZWSP, ZWNJ, ZWJ, COENG = "\u200b", "\u200c", "\u200d", "\u17d2"


def render(body: str, **context) -> str:
    return render_body(body, RenderContext(BASE, PAGE, "english/_posts/story.md", **context)).html


# absolute_url


def test_absolute_url_resolves_root_relative_under_the_base_path() -> None:
    assert absolute_url("/img/x.jpg", BASE) == f"{BASE}/img/x.jpg"
    assert absolute_url("img/x.jpg", BASE) == f"{BASE}/img/x.jpg"
    assert absolute_url("/img/x.jpg", BASE + "/") == f"{BASE}/img/x.jpg"


def test_absolute_url_repairs_the_broken_mugshot_value() -> None:
    assert absolute_url('/img/mugshot__Om-Pov--400.jpg"; ', BASE) == f"{BASE}/img/mugshot__Om-Pov--400.jpg"
    assert absolute_url(' "https://images.example.org/a.jpg" ', BASE) == "https://images.example.org/a.jpg"


def test_absolute_url_keeps_absolute_and_upgrades_protocol_relative() -> None:
    assert absolute_url("https://gdb.example.org/A_w1023_r1_s.jpg", BASE) == "https://gdb.example.org/A_w1023_r1_s.jpg"
    assert absolute_url("http://example.org/a?b=1&c=2#f", BASE) == "http://example.org/a?b=1&c=2#f"
    assert absolute_url("//cdn.example.org/y.jpg", BASE) == "https://cdn.example.org/y.jpg"


def test_absolute_url_percent_encodes_spaces_and_non_ascii() -> None:
    assert absolute_url("/img/a b.jpg", BASE) == f"{BASE}/img/a%20b.jpg"
    assert absolute_url("/img/ខ.jpg", BASE) == f"{BASE}/img/%E1%9E%81.jpg"


def test_absolute_url_rejects_what_is_not_a_web_url() -> None:
    for value in [
        None,
        42,
        "",
        "   ",
        '";',
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:image/png;base64,AAAA",
        "mailto:someone@example.org",
        "ftp://example.org/x.jpg",
        "http://",
        "Phnom Penh <b>",
    ]:
        assert absolute_url(value, BASE) is None, value


# the sanitiser, through render_body


def test_scripts_styles_and_event_handlers_are_removed() -> None:
    html = render(
        '<script>alert(1)</script>\n\n<style>p{color:red}</style>\n\n'
        '<p onclick="steal()" style="color:red">Text <img src="/x.jpg" onerror="alert(1)"></p>\n\n'
        "<svg onload=alert(1)><script>alert(2)</script></svg>"
    )
    assert "<script" not in html and "alert" not in html
    assert "<style" not in html and "color" not in html
    assert "onclick" not in html and "onerror" not in html and "onload" not in html
    assert f'<img src="{BASE}/x.jpg">' in html


def test_javascript_and_data_urls_are_removed() -> None:
    html = render(
        '[md link](javascript:alert(1)) <a href="javascript:alert(1)">raw link</a> '
        '<a href=" JAVASCRIPT:alert(1)">spaced</a> <a href="data:text/html,hi">data link</a> '
        '<img src="data:image/png;base64,AAAA" alt="d"> <img src="/ok.jpg" srcset="data:x 1x, /ok@2x.jpg 2x">'
    )
    assert not re.search(r'(?:href|src|srcset)="[^"]*(?:javascript|data:)', html, re.I)
    assert "<a" not in html  # Markdown leaves the unsafe link as text; raw links keep their text
    assert "raw link" in html and "data link" in html
    assert "alt=\"d\"" not in html  # an image without a usable src is dropped
    assert f'srcset="{BASE}/ok@2x.jpg 2x"' in html


def test_iframes_become_youtube_links_or_go() -> None:
    html = render(
        '<iframe width="560" src="https://www.youtube.com/embed/Z0aB1cD2eF3?rel=0" allowfullscreen></iframe>\n\n'
        '<iframe src="https://maps.example.com/embed">fallback text</iframe>'
    )
    assert "<iframe" not in html and "maps.example.com" not in html and "fallback" not in html
    assert '<a href="https://www.youtube.com/watch?v=Z0aB1cD2eF3">' in html
    assert '<img src="https://i.ytimg.com/vi/Z0aB1cD2eF3/hqdefault.jpg"' in html


def test_links_are_made_absolute_and_dead_anchors_unwrapped() -> None:
    html = render(
        "{:#here}\nA paragraph with [up](../other.html), [root](/english/a.html), "
        '[mail](mailto:desk@example.org), [live](#here), [dead](#nowhere) and <a href="#gone" class="f">raw</a>.'
    )
    assert f'<a href="{BASE}/english/other.html">up</a>' in html
    assert f'<a href="{BASE}/english/a.html">root</a>' in html
    assert '<a href="mailto:desk@example.org">mail</a>' in html
    assert f'<a href="{PAGE}#here">live</a>' in html  # readers resolve a bare #here against the feed
    assert "#nowhere" not in html and "#gone" not in html
    assert " dead and raw." in html


def test_page_relative_images_resolve_against_the_page() -> None:
    folder = f"{BASE}/english/feature"
    assert sanitize('<img src="map.png" srcset="map.png 1x, map@2x.png 2x">', BASE, PAGE) == (
        f'<img src="{folder}/map.png" srcset="{folder}/map.png 1x, {folder}/map@2x.png 2x">')


def test_tags_off_the_list_go_and_their_text_stays() -> None:
    # all three are allowed by nh3's own default list, not by ours
    assert sanitize("<article><p>a</p></article><details><summary>s</summary>d</details><center>c</center>",
                    BASE, PAGE) == "<p>a</p>sdc"


def test_an_image_without_a_usable_source_goes_without_a_trace() -> None:
    assert sanitize('<p>a<img src="javascript:x" alt="d">b</p>', BASE, PAGE) == "<p>ab</p>"


def test_liquid_delimiters_become_references_even_when_all_five_are_there() -> None:
    assert sanitize("<p>{{ a }} {% b %} {: c}</p>", BASE, PAGE) == (
        "<p>&#123;{ a }&#125; &#123;% b %&#125; &#123;: c}</p>")


def test_a_live_anchor_changes_only_its_href_and_drops_the_pages_own_fragment() -> None:
    html = sanitize('<p id="x">t</p><a href="#x">write href="#x" here</a>', BASE, PAGE + "#top")
    assert html == f'<p id="x">t</p><a href="{PAGE}#x">write href="#x" here</a>'


def test_classes_and_ids_survive_for_pullquotes_and_footnotes() -> None:
    html = render("{:.pullquote.voa__hide-mobile}\n“Quote.”\n\n{:.annotation.right#footnote1}\nNote.")
    assert '<p class="pullquote voa__hide-mobile">“Quote.”</p>' in html
    assert '<p class="annotation right" id="footnote1">Note.</p>' in html


def test_xml_illegal_characters_are_removed_and_nbsp_is_numeric() -> None:
    html = render("a\x00b\x01c\x0bd\x7fe\ud800f\ufffeg\uffffh\n\n<div>&#1;&#xFFFF;&nbsp;i</div>")
    assert "abcdefgh" in html
    assert "<div>&#160;i</div>" in html


def test_zero_width_characters_pass_through_untouched() -> None:
    text = f"ក{ZWSP}ខ{ZWNJ}គ{ZWJ}ឃ"
    html = render(f"{text}\n\n*{text}*\n\n[{text}](/x.html)\n\n<p>{text}</p>")
    assert html.count(text) == 4
    assert "&#8203;" not in html and "&#x200b;" not in html.lower()


def test_typographic_quotes_pass_through_and_straight_ones_curl_as_in_kramdown() -> None:
    html = render("“Curly” and ‘single’ stay; \"straight\" and it's curl.")
    assert "<p>“Curly” and ‘single’ stay; “straight” and it’s curl.</p>" in html


def test_each_quote_and_symbol_is_decided_as_kramdown_decides_it() -> None:
    # kramdown does not pair quotes: a straight one that opens a quote closed by a curly one curls
    # (the sample site has both). Its symbols are --- -- ... << >> only: "...." is "…." there.
    html = render('He said "the turnout is a surprise.” Why?.... (c) -- "[a link](https://x.org)" '
                  "the '80s *\"emphasis\"*")
    assert ("<p>He said “the turnout is a surprise.” Why?…. (c) – “<a href=\"https://x.org\">a link</a>” "
            "the ’80s <em>“emphasis”</em></p>") in html


def test_raw_html_blocks_stay_html() -> None:
    html = render('<div class="note">Raw <strong>HTML</strong> *not Markdown*</div>\n\nAfter.')
    assert '<div class="note">Raw <strong>HTML</strong> *not Markdown*</div>' in html


# $DATELINE$


def test_dateline_placeholder_becomes_a_span_or_disappears() -> None:
    assert render("$DATELINE$ Text.", dateline="Phnom Penh, Cambodia").startswith(
        '<p><span class="dateline">PHNOM PENH, CAMBODIA —</span> Text.</p>'
    )
    assert render("$DATELINE$  Text.", dateline=None) == "<p>Text.</p>\n"
    assert render("$DATELINE$ Text.", dateline="  ") == "<p>Text.</p>\n"
    escaped = render("$DATELINE$ Text.", dateline="*Takeo* <b>")
    assert escaped.startswith('<p><span class="dateline">*TAKEO* &lt;B&gt; —</span>')


# kramdown IALs


def test_block_ial_after_applies_to_previous_before_to_next_and_alone_to_nothing() -> None:
    html = render("One.\n{:.after}\n\n{:.before}\nTwo.\n\n{:.alone}\n\nThree.\n{:#a}\n{:.b}\n")
    assert '<p class="after">One.</p>' in html
    assert '<p class="before">Two.</p>' in html
    assert '<p id="a" class="b">Three.</p>' in html
    assert "alone" not in html and "{:" not in html


def test_block_ial_on_headings_lists_and_quotes() -> None:
    html = render("{:#learnMore}\n#### Data ####\n\n* a\n* b\n{:.list}\n\n> Quote\n{:.q}\n\n{:ref: .unused}\n")
    assert '<h4 id="learnMore">Data</h4>' in html
    assert '<ul class="list">' in html
    assert '<blockquote class="q">' in html
    assert "ref" not in html


def test_span_ials_apply_to_the_span_before_them() -> None:
    html = render("### [Education](#education){:.scrollIntoView} ###\n\n*em*{:.x} `code`{: .c} ![i](/i.png){:#img}")
    assert f'<h3 id="education"><a href="{PAGE}#education" class="scrollIntoView">Education</a></h3>' in html
    assert '<em class="x">em</em>' in html and '<code class="c">code</code>' in html
    assert f'<img src="{BASE}/i.png" alt="i" id="img">' in html


def test_headings_get_the_ids_of_jekylls_gfm_kramdown() -> None:
    # Jekyll reads Markdown with kramdown's GFM parser: ids keep digits and every script's
    # letters and marks (a Khmer heading is not "section"), and drop the zero-width space.
    html = render("# Peace First\n\n# Peace First\n\n## 2018: “Election”\n\n### ការ\u200bបោះឆ្នោត")
    assert '<h1 id="peace-first">' in html and '<h1 id="peace-first-1">' in html
    assert '<h2 id="2018-election">' in html and '<h3 id="ការបោះឆ្នោត">' in html


# Liquid


def test_includes_with_lines_tabs_and_unquoted_values() -> None:
    body = (
        "Intro.\n{%\n\tinclude photo-large.html\n\n\tfile=\"/img/a.jpg\"\n\tcaption=\"Two\n\tlines <em>here</em>\"\n"
        '\tcredit="(VOA)"\n\tadd_padding = true\n%}Text right after.'
    )
    rendered = render_body(body, RenderContext(BASE, PAGE, "english/_posts/story.md"))
    assert rendered.html == (
        "<p>Intro.</p>\n"
        f'<figure class="photo"><img src="{BASE}/img/a.jpg" alt="Two lines here">'
        '<figcaption>Two lines <em>here</em> <span class="credit">(VOA)</span></figcaption></figure>\n'
        "<p>Text right after.</p>\n"
    )
    assert rendered.problems == ()
    assert [media.url for media in rendered.media] == [f"{BASE}/img/a.jpg"]


def test_dropped_includes_are_reported_with_name_file_and_line() -> None:
    body = (
        "Text.\n\n{% include window.html\n\tcaption=\"x\"\n%}\n\n"
        "{% include map.html %}\n{% include promo-video.html tag=\"a\" %}"
    )
    rendered = render_body(body, RenderContext(BASE, PAGE, "english/_posts/story.md", body_line=20))
    assert [(p.severity, p.source, p.line) for p in rendered.problems] == [
        ("warning", "english/_posts/story.md", 22),
        ("warning", "english/_posts/story.md", 26),
        ("warning", "english/_posts/story.md", 27),
    ]
    names = ["window.html", "map.html", "promo-video.html"]
    assert all(name in problem.message for name, problem in zip(names, rendered.problems, strict=True))
    assert rendered.html == "<p>Text.</p>\n"


def test_other_liquid_is_resolved_or_removed() -> None:
    body = (
        "{% comment %}note{% endcomment %}[About]({{ site.baseurl }}/about.html) {{ page.title }}\n\n"
        "{% if page.x %}{% if y %}nested{% endif %}hidden{% else %}other{% endif %}shown\n\n"
        "{% raw %}{{ literal }}{% endraw %}"
    )
    rendered = render_body(body, RenderContext(BASE, PAGE, "english/_posts/story.md"))
    assert f'<a href="{BASE}/about.html">About</a>' in rendered.html
    assert "hidden" not in rendered.html and "nested" not in rendered.html and "other" not in rendered.html
    assert "<p>shown</p>" in rendered.html
    assert "<p>&#123;{ literal }&#125;</p>" in rendered.html
    assert [p.message for p in rendered.problems] == [
        "Liquid expression page.title dropped",
        "Liquid if block dropped: it cannot be evaluated outside Jekyll",
    ]


def test_videos_link_a_youtube_thumbnail() -> None:
    rendered = render_body(
        '{% include video-large.html youtube="z0AbBN9LD9Q" caption="Cap" credit="(VOA)" %}\n'
        '{% include video.html youtube="https://www.youtube.com/watch?v=Q9w8E7r6T5y" %}',
        RenderContext(BASE, PAGE, "english/_posts/story.md"),
    )
    assert rendered.html == (
        '<figure class="video"><a href="https://www.youtube.com/watch?v=z0AbBN9LD9Q">'
        '<img src="https://i.ytimg.com/vi/z0AbBN9LD9Q/hqdefault.jpg" alt="Cap"></a>'
        '<figcaption>Cap <span class="credit">(VOA)</span></figcaption></figure>\n'
        '<figure class="video"><a href="https://www.youtube.com/watch?v=Q9w8E7r6T5y">'
        '<img src="https://i.ytimg.com/vi/Q9w8E7r6T5y/hqdefault.jpg" alt="Video"></a></figure>\n'
    )
    assert rendered.media[0].link == "https://www.youtube.com/watch?v=z0AbBN9LD9Q"


# summaries


def test_summary_is_the_first_plain_paragraph_without_the_dateline() -> None:
    html = (
        '<p class="annotation">Side note.</p><figure><figcaption>Caption</figcaption></figure>'
        '<p><span class="dateline">BANGKOK —</span> First <em>real</em> paragraph &amp; more.</p><p>Second.</p>'
    )
    assert summarize(html, "en", 280) == "First real paragraph & more."
    assert summarize('<p class="pullquote">Only a quote.</p>', "en", 280) == "Only a quote."
    assert summarize("<h2>Title</h2><ul><li>one</li><li>two</li></ul>", "en", 280) == "Title one two"
    assert summarize("  Plain   text,\nno markup. ", "en", 280) == "Plain text, no markup."


def test_english_summary_cuts_at_a_word_boundary() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert summarize(text, "en", 43) == text
    assert summarize(text, "en", 42) == "The quick brown fox jumps over the lazy…"
    assert summarize(text, "en", 22) == "The quick brown fox…"
    assert summarize("He said, “Those who fled", "en", 12) == "He said…"
    for limit in range(1, len(text)):
        cut = summarize(text, "en", limit)
        kept = cut[:-1]
        assert len(cut) <= limit and cut.endswith("…") and text.startswith(kept)
        if limit > len("The…"):  # once the first word fits, cuts fall between words
            assert text[len(kept)] == " ", limit


def test_khmer_summary_cuts_at_zero_width_space() -> None:
    words = ["ប្រជាពលរដ្ឋ", "នៅ", "ភូមិ", "នេះ", "ធ្វើ", "ស្រែ", "ហើយ", "ចិញ្ចឹម", "គោ"]
    text = ZWSP.join(words) + "។"
    for limit in range(len(words[0]) + 1, len(text)):
        cut = summarize(text, "km", limit)[:-1]
        assert len(cut) + 1 <= limit
        assert text.startswith(cut) and text[len(cut)] == ZWSP, (limit, cut)


def test_summary_never_cuts_inside_a_grapheme_cluster() -> None:
    khmer = "ក្សត្រិយានីស្រស់ស្អាតណាស់"  # no spaces or ZWSP: every cut is a fallback cut
    family = "👩\u200d👩\u200d👧"
    for text, language in [(khmer, "km"), ("é" * 30 + family * 5, "en"), ("漢字仮名交じり文" * 5, "ja")]:
        boundaries = {match.end() for match in regex.finditer(r"\X", text)}
        for limit in range(1, len(text)):
            cut = summarize(text, language, limit)[:-1]
            assert len(cut) < limit and text.startswith(cut)
            assert len(cut) == 0 or len(cut) in boundaries, (text, limit)
            assert not cut.endswith(COENG)


def test_summary_of_a_rendered_body() -> None:
    rendered = render_body(
        "{:.pullquote}\n“Quote first.”\n\n$DATELINE$ The lead paragraph is long enough to be cut somewhere.",
        RenderContext(BASE, PAGE, "s", dateline="Takeo", summary_limit=30),
    )
    assert rendered.summary == "The lead paragraph is long…"
