"""A digest stays a message mail systems accept however many posts its window holds (issue 14,
item 12): at most LISTED_AT_MOST titles after the posts in full, fewer when their titles are
long, then one line with the number left and a link to the site; a warning says so."""

from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
from lxml import html as lxml_html
from sitebuilder import CONFIG, make_site, post

from syndicate.config import load_settings
from syndicate.digest import HTML_BUDGET, DigestSpec, produce
from syndicate.digest.pipeline import LISTED_AT_MOST

START = datetime(2018, 7, 27, 6, 0, tzinfo=timezone.utc)  # the window [07-27 06:00, 07-28 06:00)
NOW = datetime(2018, 8, 1, tzinfo=timezone.utc)


def crowded_site(root, count: int, title_length: int):
    posts = {}
    for i in range(count):
        when = START + timedelta(minutes=i)
        title = f"Story {i:04d} " + "x" * max(0, title_length - 11)
        posts[f"english/_posts/{when:%Y-%m-%d}-story-{i:04d}.md"] = post(
            title, f"Paragraph of story {i}.", date=when.strftime("%Y-%m-%d %H:%M:%S +0000"))
    return make_site(root, posts, CONFIG + "site_info__object:\n  english:\n    title: Test Site\n")


def run(site, tmp_path):
    settings = load_settings(site)
    spec = DigestSpec.for_site(settings, "english", "daily", timezone="UTC")
    return produce(settings, spec, out_dir=tmp_path / "out", state_dir=tmp_path / "state", now=NOW,
                   window_end=datetime(2018, 7, 28, 6, tzinfo=timezone.utc))


@pytest.mark.parametrize(("count", "title_length", "listed"), [
    (400, 40, LISTED_AT_MOST),  # many posts: the list stops at LISTED_AT_MOST titles
    (160, 1200, None),  # long titles: fewer still, whatever fits
])
def test_many_posts_in_one_window_make_a_bounded_message(tmp_path, count, title_length, listed):
    result = run(crowded_site(tmp_path / "site", count, title_length), tmp_path)
    assert len(result.post_ids) == count  # every post is carried (and recorded), not all shown
    msg = email.message_from_bytes(result.paths["eml"].read_bytes(), policy=policy.default)
    assert len(msg.get_body(("html",)).get_payload().encode()) <= HTML_BUDGET
    doc = lxml_html.fromstring(result.paths["html"].read_bytes())
    titles = doc.xpath("//a[contains(@class, 'listed-link')]")
    full = len(doc.xpath("//td[contains(@class, 'item ')]"))
    rest = count - full - (len(titles) - 1)
    assert rest > 0 and titles[-1].text_content() == f"{rest} more stories on Test Site"
    assert titles[-1].get("href").startswith("https://news.example.com/")
    if listed is not None:
        assert len(titles) - 1 == listed
    else:
        assert 0 < len(titles) - 1 < LISTED_AT_MOST
    assert [t.get("href") for t in titles[:-1]] == list(result.post_ids[full:full + len(titles) - 1])
    [warning] = [p for p in result.problems if "only counted" in p.message]
    assert f"{rest} only counted" in warning.message
    assert f"{rest} more stories on Test Site: https://news.example.com/" in result.paths["txt"].read_text("utf-8")
