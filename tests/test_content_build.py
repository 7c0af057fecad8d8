"""Content fidelity across whole builds: nothing of Jekyll's machinery leaks into any output,
and any post at all yields feeds that parse and carry no script."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest
import yaml
from feedcheck import load_json_feed, parse_xml_feed
from hostile_cases import active_content
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sitebuilder import make_site

from syndicate.config import load_settings
from syndicate.pipeline.build import build
from syndicate.text import xml_safe

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
LEAKS = ("{%", "%}", "{{", "}}", "{:", "$DATELINE$")


@pytest.fixture(scope="module")
def sample_out(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("content")
    build(load_settings(sample_site), out, now=NOW)
    return out


def _texts(out: Path) -> dict[str, str]:
    """Every output's text as a subscriber sees it: feed XML entity-decoded, JSON decoded."""
    texts = {}
    for path in out.rglob("*"):
        if path.suffix == ".json":
            texts[str(path)] = "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".xml":
            parsed = parse_xml_feed(path)
            parts = [e.get("title", "") + e.get("summary", "") + "".join(c.value for c in e.get("content", []))
                     for e in parsed.entries]
            texts[str(path)] = path.read_text(encoding="utf-8") + "".join(parts)
    return texts


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for child in children for s in _strings(child)]


def test_no_template_syntax_survives_anywhere(sample_out: Path):
    texts = _texts(sample_out)
    assert len(texts) > 50
    for name, text in texts.items():
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} in {name}"


def test_every_link_and_image_in_feed_content_is_absolute(sample_out: Path):
    for path in sample_out.rglob("feed.json"):
        for item in load_json_feed(path)["items"]:
            html = item.get("content_html", "")
            for url in re.findall(r'(?:href|src)="([^"]*)"', html):
                assert url.startswith(("https://", "http://", "mailto:")), f"{url!r} in {item['id']}"
            assert "<script" not in html
            assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I), item["id"]


# -- any post at all ------------------------------------------------------------------------------
_hostile = st.sampled_from(["]]>", "<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
                            "<a href='javascript:alert(1)'>x</a>", "\x00", "\x0b", "\ufffe", "&amp;",
                            "{% include photo.html file=\"x.jpg\" %}", "$DATELINE$", "{:.pullquote}",
                            "<iframe src='https://evil.example'></iframe>", "\u200b", "<style>p{}</style>"])
_text = st.lists(st.one_of(st.text(max_size=40), _hostile), max_size=12).map("".join)
_title = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_title, body=_text, summary=_text)
def test_any_post_yields_valid_safe_feeds(tmp_path_factory: pytest.TempPathFactory, title: str, body: str,
                                          summary: str):
    root = tmp_path_factory.mktemp("prop")
    front = {"title": title, "summary": summary, "byline": title, "dateline": summary[:20],
             "categories": "news"}
    front_matter = yaml.safe_dump(front, allow_unicode=False)
    site = make_site(root / "site", {"english/_posts/2020-01-01-post.md": f"---\n{front_matter}---\n{body}\n"})
    report = build(load_settings(site), root / "out", now=NOW)
    if not (root / "out" / "feed.xml").exists():
        # only a title made of nothing publishable may stop a post, and then it is reported:
        # a blank one, or one whose every character is markup or a reference ("<?" is a bogus
        # comment to an HTML parser, as it is to a browser)
        assert [p.message for p in report.errors] == ["missing title"]
        assert re.search(r"[<&]", title) or not " ".join(xml_safe(title).split())
        return
    for path in (root / "out").rglob("*.xml"):
        parsed = parse_xml_feed(path)
        raw = path.read_text(encoding="utf-8")
        for entry in parsed.entries:
            content = "".join(c.value for c in entry.get("content", []))
            assert "<script" not in content.lower()
            assert not re.search(r"<[^>]+\son\w+\s*=", content, re.I), content
            assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", content, re.I), content
        assert "\x00" not in raw
    for path in (root / "out").rglob("feed.json"):
        load_json_feed(path)


def test_plain_text_summaries_stay_text_in_rss(tmp_path: Path):
    """RSS readers render <description> as HTML, so a summary that quotes markup is escaped.
    (A summary drawn from a code block is the way markup text reaches one.)"""
    site = make_site(tmp_path / "site", {"english/_posts/2020-01-01-a.md":
                                         "---\ntitle: A\n---\n```\n<script>alert(1)</script> & more\n```\n"})
    build(load_settings(site), tmp_path / "out", now=NOW)
    atom = parse_xml_feed(tmp_path / "out" / "english" / "atom.xml").entries[0]
    assert atom.summary_detail.type == "text/plain" and "<script>" in atom.summary
    raw = (tmp_path / "out" / "english" / "feed.xml").read_text(encoding="utf-8")
    description = re.search(r"<description>([^<]*)</description>\s*<content", raw).group(1)
    # XML-decoded once, the description is HTML whose text is the summary
    html = description.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert lxml.html.fragment_fromstring(html, create_parent="p").text_content() == atom.summary
    assert active_content(html) == []
