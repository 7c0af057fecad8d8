"""The digest view and its HTML, from real posts of the sample site: escaping, right-to-left,
subject templates, merge-tag safety checks."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from lxml import html as lxml_html

from syndicate.config import load_settings
from syndicate.digest import DigestError, DigestSpec
from syndicate.digest.compose import build_view
from syndicate.digest.inline import inline_css
from syndicate.digest.templates import render_html, render_text, stylesheet
from syndicate.digest.window import window_for_day
from syndicate.i18n import localizer
from syndicate.pipeline.site import Site
from syndicate.sources import templates_dir

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def settings(sample_site):
    return load_settings(sample_site)


@pytest.fixture(scope="module")
def posts(settings):
    """The rendered posts of the English 2018-07-28 digest window."""
    window = window_for_day(date(2018, 7, 28), "daily", DigestSpec.for_site(settings, "english").cutoff_time,
                            settings.timezone)
    with Site.open(settings, None) as site:
        chosen = sorted((e for e in site.entries() if e.language == "english" and e.timestamp in window),
                        key=lambda e: -e.timestamp)
        return [site.rendered(site.post(e.source)) for e in chosen]


def view_of(posts, settings, spec=None, **change):
    spec = spec or DigestSpec.for_site(settings, "english")
    loc = localizer(settings.language(spec.language).code, templates_dir() / "messages", spec.labels)
    window = window_for_day(date(2018, 7, 28), spec.period, spec.cutoff_time, settings.timezone)
    return build_view(posts, settings=settings, spec=spec, window=window, tz=settings.timezone, loc=loc,
                      archive_url="https://example.org/a.html", **change)


def email_html(view) -> str:
    return inline_css(render_html(view), stylesheet(), (view.unsubscribe,))


def test_post_text_is_escaped_never_markup(posts, settings):
    first = posts[0]
    hostile = dataclasses.replace(first, summary=HOSTILE, post=dataclasses.replace(first.post, title=HOSTILE))
    out = email_html(view_of([hostile, *posts[1:]], settings))
    doc = lxml_html.fromstring(out)
    assert not doc.xpath("//script")
    assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert doc.xpath("//a[contains(@class, 'item-title-link')]")[0].text_content() == HOSTILE
    assert "&lt;script&gt;" in out


def test_right_to_left_language_sets_dir_and_alignment(posts, settings):
    english = settings.languages["english"]
    rtl = dataclasses.replace(settings, languages={**settings.languages,
                                                   "english": dataclasses.replace(english, direction="rtl")})
    doc = lxml_html.fromstring(email_html(view_of(posts, rtl)))
    assert doc.get("dir") == "rtl"
    cells = doc.xpath("//td[contains(@class, 'text')]")
    assert cells and all("text-align:right" in c.get("style").replace(" ", "") for c in cells)
    ltr = lxml_html.fromstring(email_html(view_of(posts, settings)))
    assert all("text-align:left" in c.get("style").replace(" ", "") for c in ltr.xpath("//td[contains(@class, 'text')]"))


def test_subject_template_from_config_gets_site_date_and_count(posts, settings):
    spec = DigestSpec.for_site(settings, "khmer", subject_template="{{ count }} | {{ date }}\n{{ site }}")
    view = view_of(posts, settings, spec)
    assert view.subject == "២ | ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨ " + settings.language("khmer").title  # one line


@pytest.mark.parametrize("template", ["{{ site.__class__.__mro__ }}", "{{ site", "{{ sight }}"])
def test_a_bad_or_unsafe_subject_template_is_refused(posts, settings, template):
    spec = DigestSpec.for_site(settings, "english", subject_template=template)
    with pytest.raises(DigestError, match="subject template"):
        view_of(posts, settings, spec)


def test_max_items_lists_the_rest_by_title(posts, settings):
    view = view_of(posts, settings, DigestSpec.for_site(settings, "english", max_items=1))
    doc = lxml_html.fromstring(email_html(view))
    assert [a.get("href") for a in doc.xpath("//a[contains(@class, 'listed-link')]")] == [p.post.url for p in posts[1:]]
    assert "More in this digest" in render_text(view)


def test_translation_links_name_the_other_language(posts, settings):
    with_translation = [p for p in posts if p.post.translation]
    assert with_translation
    doc = lxml_html.fromstring(email_html(view_of(with_translation, settings)))
    link = doc.xpath("//a[@hreflang='km']")[0]
    assert link.text_content() == "Read in Khmer"
    assert link.get("href") == with_translation[0].post.translation.url


@pytest.mark.parametrize("tag", ["", "x\ny", 'a"b', "<a>", "a&b"])
def test_unsafe_merge_tags_are_refused(settings, tag):
    with pytest.raises(DigestError, match="merge tag"):
        DigestSpec.for_site(settings, "english", unsubscribe=tag)


@pytest.mark.parametrize(("change", "message"), [
    ({"period": "monthly"}, "period"), ({"period": 10}, "period"), ({"cutoff": "6am"}, "cutoff"),
    ({"list_id": "a b"}, "list id"), ({"list_address": "nobody"}, "email address"),
])
def test_bad_specs_are_refused_with_the_reason(settings, change, message):
    with pytest.raises(DigestError, match=message):
        DigestSpec.for_site(settings, "english", **change)
