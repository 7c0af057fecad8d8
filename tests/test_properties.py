"""Properties over generated input: whatever an editor writes, reading never raises, and a build
never raises and writes only feeds that validate and run no script."""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from feedcheck import load_json_feed, parse_xml_feed
from hostile_cases import active_content, html_in_feed
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sitebuilder import CONFIG

from syndicate.collect.fields import BadPost, post_date
from syndicate.collect.jekyll import read_document, scan
from syndicate.config import load_settings
from syndicate.front_matter import YamlProblem, load_yaml, split_front_matter
from syndicate.pipeline.build import build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
SLOW = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FAST = settings(max_examples=300, deadline=None, database=None)

# Text as editors paste it: any script, plus the characters and fragments that break feeds.
NASTY = st.sampled_from(["]]>", "<![CDATA[", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                         "javascript:alert(1)", "&", "&amp;", "&#0;", "\x00", "\x0b", "\x1b", "\x85", "\ufeff",
                         "\ufffe", "\r\n", "\r", "{{ page.title }}", "{% include map.html %}", "{% if x %}",
                         "{:.pullquote}", "$DATELINE$", "/", "..", "../..", "*", "&a", "ព័ត៌មាន", "سلام"])
TEXT = st.lists(st.one_of(st.text(max_size=20), NASTY), max_size=6).map("".join)
DATES = st.one_of(st.dates().map(str), st.datetimes().map(str), TEXT, st.integers(), st.just("2018-02-30"),
                  st.just("2018-07-26 10:00:00 +0700"), st.just("0001-01-01 00:00:00 +14:00"))
SCALAR = st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), DATES)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXT, inner, max_size=3)), max_leaves=12)
KEYS = st.sampled_from(["categories", "category", "tags", "image", "mugshot", "thumbnail", "translation",
                        "language", "permalink", "slug", "youtube", "summary", "byline", "published", "updated",
                        "dateline", "cutline", "credit"])
WORDS = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=12).filter(str.strip)
TITLE = st.one_of(WORDS, WORDS, TEXT, VALUE)
# Mostly posts that can be published, so the build gets to render and write them.
FRONT_MATTER = st.builds(
    lambda title, date, extra: yaml.safe_dump({**extra, "title": title, **({"date": date} if date else {})},
                                              allow_unicode=True, default_flow_style=None),
    TITLE, st.one_of(st.none(), st.none(), DATES), st.dictionaries(KEYS, VALUE, max_size=6))
HEADER = st.one_of(FRONT_MATTER, FRONT_MATTER, FRONT_MATTER, TEXT)  # YAML of any shape, or any text at all
BODY = st.lists(st.one_of(TEXT, st.sampled_from(["\n\n", "# Heading\n", "> quote\n", "* item\n", "[a](b)",
                                                "<p onclick=x>", "</div>", "```\n", "{% raw %}"])),
                max_size=12).map("".join)
DATED_NAME = st.builds("{}-{}.md".format, st.dates(date(1990, 1, 1), NOW.date()), st.from_regex(r"\A[a-z0-9-]{1,12}\Z"))
NAME = st.one_of(DATED_NAME, DATED_NAME, st.just("2024-01-01-fixed.md"),
                 st.text(min_size=1, max_size=12).map(lambda s: f"{s}.md"))


def encode(text: str, mangle: int) -> bytes:
    """The file's bytes: plain, with a BOM, with CRLF, or with a byte that is not UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    return (data, b"\xef\xbb\xbf" + data, data.replace(b"\n", b"\r\n"), data[:7] + b"\xff" + data[7:])[mangle]


@FAST
@given(st.binary(max_size=400) | HEADER.map(lambda h: f"---\n{h}\n---\n".encode("utf-8", "surrogatepass")))
def test_reading_any_file_never_raises(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        posts = Path(tmp) / "english" / "_posts"
        posts.mkdir(parents=True)
        (posts / "2024-01-01-x.md").write_bytes(data)
        settings_ = load_settings(Path(tmp))
        [file] = scan(settings_)
        doc = read_document(file, settings_)
        # A file yields a post or says why not; only `published: false` is silent.
        assert doc.header.post is not None or doc.header.problems or b"published" in data


# Jekyll's own YAML_FRONT_MATTER_REGEXP (jekyll/document.rb), in Python's dialect.
JEKYLL_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
FRONT_MATTER_PIECES = st.sampled_from(["---", "...", "\n", " ", "\t", "key: v", "-", ".", "---\n", "\n---",
                                       "\n...", "\n--- \n", "x---", "é"])


@FAST
@given(st.lists(FRONT_MATTER_PIECES, max_size=14).map("".join))
def test_front_matter_is_split_where_jekyll_splits_it(text: str):
    match = JEKYLL_FRONT_MATTER.match(text)
    expected = match and (match.group(1), text[match.end():], text.count("\n", 0, match.end()) + 1)
    assert split_front_matter(text) == expected


@FAST
@given(st.text(max_size=300))
def test_yaml_loading_raises_only_yaml_problems(text: str):
    try:
        load_yaml(text)
    except YamlProblem as exc:
        assert str(exc)


@FAST
@given(VALUE)
def test_post_dates_are_aware_and_in_range_or_refused(value):
    try:
        when = post_date(value, "2024-01-01", timezone.utc, "x.md")
    except BadPost as exc:
        assert exc.problem.field == "date"
    else:
        assert when.tzinfo is not None and 1000 <= when.astimezone(timezone.utc).year <= 9998


@SLOW
@given(st.lists(st.tuples(NAME, HEADER, BODY, st.sampled_from([0, 0, 0, 1, 2, 3])), min_size=1, max_size=4))
def test_build_never_raises_and_every_output_validates(posts: list[tuple[str, str, str, int]]):
    with tempfile.TemporaryDirectory() as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        (site / "english" / "_posts").mkdir(parents=True)
        (site / "_config.yml").write_text(CONFIG, encoding="utf-8")
        for name, header, body, mangle in posts:
            path = site / "english" / "_posts" / name.replace("/", "_").replace("\x00", "")
            path.write_bytes(encode(f"---\n{header}\n---\n{body}", mangle))
        report = build(load_settings(site), out, now=NOW, state_dir=Path(tmp) / "state")
        event(f"posts published: {min(report.posts_published, 2)}+")
        for path in out.rglob("*"):
            assert path.resolve().is_relative_to(out.resolve())
            if path.suffix == ".xml":
                parse_xml_feed(path)
                assert [bad for html in html_in_feed(path) for bad in active_content(html)] == []
            elif path.suffix == ".json":
                feed = load_json_feed(path)
                assert [bad for item in feed["items"] for bad in active_content(item.get("content_html", ""))] == []
