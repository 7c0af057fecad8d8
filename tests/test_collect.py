"""The collector's Jekyll semantics, one case per test, on small sites written by the tests."""

from __future__ import annotations

import locale
from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedcheck import load_json_feed, parse_xml_feed
from sitebuilder import CONFIG, make_site, post

from syndicate.collect.jekyll import read_header, scan
from syndicate.collect.permalink import permalink_path
from syndicate.config import ConfigError, load_settings
from syndicate.languages import language_code
from syndicate.pipeline.build import build
from syndicate.pipeline.site import Site

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def collect(site: Path, config: Path | None = None) -> dict:
    settings = load_settings(site, config)
    return {f.source: read_header(f, settings) for f in scan(settings)}


@pytest.mark.parametrize("style, expected", [
    ("date", "/world/asia/2018/07/26/hun-sen.html"),
    ("pretty", "/world/asia/2018/07/26/hun-sen/"),
    ("ordinal", "/world/asia/2018/207/hun-sen.html"),
    ("none", "/world/asia/hun-sen.html"),
    ("/:categories/:title:output_ext", "/world/asia/hun-sen.html"),
    ("/:year/:i_month/:i_day/:short_year/:title/", "/2018/7/26/18/hun-sen/"),
])
def test_permalink_styles(style: str, expected: str):
    when = datetime(2018, 7, 26, 9, 5)
    assert permalink_path(style, date=when, slug="hun-sen", categories=("World", "asia")) == expected


def test_categories_from_folder_string_and_list(tmp_path: Path):
    site = make_site(tmp_path, {
        "english/_posts/2018-07-26-a.md": post(categories="profile politician"),
        "english/_posts/2018-07-27-b.md": post(categories="[profile, 2018]", tags="election vote"),
        "news/english/_posts/2018-07-28-c.md": post(category="analysis"),
    })
    headers = collect(site)
    a = headers["english/_posts/2018-07-26-a.md"].post
    assert a.categories == ("profile", "politician") and a.folder_categories == ("english",)
    assert a.path == "/english/profile/politician/a.html"
    b = headers["english/_posts/2018-07-27-b.md"].post
    assert b.categories == ("profile", "2018") and b.tags == ("election", "vote")
    c = headers["news/english/_posts/2018-07-28-c.md"].post
    assert c.folder_categories == ("news", "english") and c.path == "/news/english/analysis/c.html"
    assert c.language == "news"  # no `language:`: the first path category


def test_dates_from_front_matter_file_name_and_time_zone(tmp_path: Path):
    site = make_site(tmp_path, {
        "_posts/2018-07-26-from-name.md": post(),
        "_posts/2018-07-26-date-only.md": post(date="2018-07-20"),
        "_posts/2018-07-26-with-offset.md": post(date="2018-07-20 10:30:00 +0200"),
        "_posts/2018-07-26-naive-time.md": post(date="2018-07-20 10:30:00"),
    })
    h = collect(site)
    tz = "Asia/Phnom_Penh"
    assert h["_posts/2018-07-26-from-name.md"].post.date.isoformat() == "2018-07-26T00:00:00+07:00"
    assert str(h["_posts/2018-07-26-from-name.md"].post.date.tzinfo) == tz
    assert h["_posts/2018-07-26-date-only.md"].post.date.isoformat() == "2018-07-20T00:00:00+07:00"
    assert h["_posts/2018-07-26-with-offset.md"].post.date.isoformat() == "2018-07-20T10:30:00+02:00"
    assert h["_posts/2018-07-26-naive-time.md"].post.date.isoformat() == "2018-07-20T10:30:00+07:00"


def test_time_zone_override_from_toml(tmp_path: Path):
    site = make_site(tmp_path / "site", {"_posts/2018-07-26-a.md": post()})
    config = tmp_path / "c.toml"
    config.write_text('[site]\ntimezone = "UTC"\nbase_url = "https://mirror.example.net/x/"\n', encoding="utf-8")
    p = collect(site, config)["_posts/2018-07-26-a.md"].post
    assert p.date.isoformat() == "2018-07-26T00:00:00+00:00"
    assert p.url == "https://mirror.example.net/x/a.html"


def test_bad_config_names_file_and_key(tmp_path: Path):
    site = make_site(tmp_path / "site", {})
    config = tmp_path / "c.toml"
    config.write_text('[feeds]\nlimit = 0\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.toml: feeds\.limit"):
        load_settings(site, config)
    config.write_text('[site]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.toml: site\.timezone: unknown time zone"):
        load_settings(site, config)


@pytest.mark.parametrize("key, code", [("english", "en"), ("khmer", "km"), ("Khmer ", "km"), ("french", "fr"),
                                       ("arabic", "ar"), ("vi", "vi")])
def test_language_keys_map_to_iso_codes(key: str, code: str):
    assert language_code(key) == code


def test_unpublished_future_and_broken_posts(tmp_path: Path):
    site = make_site(tmp_path, {
        "english/_posts/2018-07-26-ok.md": post(),
        "english/_posts/2018-07-26-draft.md": post(published="false"),
        "english/_posts/2030-01-01-future.md": post(),
        "english/_posts/2018-07-26-no-title.md": post(title=""),
        "english/_posts/2018-07-26-bad-date.md": post(date="'not a date'"),
        "english/_posts/2018-07-26-latin1.md": "---\ntitle: caf\xe9\n---\n",
        "english/_posts/notes.txt": "not a post",
        "english/_posts/README.md": post(),  # no date in the name: Jekyll skips it
    })
    (site / "english/_posts/2018-07-26-latin1.md").write_bytes("---\ntitle: café\n---\n".encode("latin-1"))
    report = build(load_settings(site), tmp_path / "out", now=NOW)
    by_file = {p.source: p for p in report.problems}
    assert "missing title" in by_file["english/_posts/2018-07-26-no-title.md"].message
    assert "not a date" in by_file["english/_posts/2018-07-26-bad-date.md"].message
    assert "UTF-8" in by_file["english/_posts/2018-07-26-latin1.md"].message
    assert "english/_posts/2018-07-26-draft.md" not in by_file
    links = [e.link for e in parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries]
    assert links == ["https://news.example.com/english/ok.html"]
    # the future post appears once the clock reaches it
    build(load_settings(site), tmp_path / "out", now=datetime(2030, 1, 2, tzinfo=timezone.utc))
    assert len(parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries) == 2


def test_translation_resolves_to_the_other_language_post(tmp_path: Path):
    site = make_site(tmp_path, {
        "english/_posts/2018-07-26-story.md": post(translation="/khmer/story.html", language="english"),
        "khmer/_posts/2018-07-26-story.md": post(title="រឿង", translation="/english/story.html",
                                                 language="khmer"),
        "english/_posts/2018-07-27-lonely.md": post(translation="/khmer/missing.html"),
    })
    with Site.open(load_settings(site), None) as s:
        story = s.post("english/_posts/2018-07-26-story.md")
        lonely = s.post("english/_posts/2018-07-27-lonely.md")
        problems = s.post_problems(s.entries())
    assert story.translation.url == "https://news.example.com/khmer/story.html"
    assert story.translation.code == "km" and story.translation.language == "khmer"
    assert lonely.translation is None
    assert [(p.source, p.field) for p in problems if "missing" in p.message] == [
        ("english/_posts/2018-07-27-lonely.md", "translation")]


def test_category_slugs_stay_inside_out_and_never_merge(tmp_path: Path):
    site = make_site(tmp_path, {
        "english/_posts/2018-07-26-a.md": post(categories="[../../etc, 'Hot Topics', hot-topics, ការបោះឆ្នោត]"),
    })
    out = tmp_path / "out"
    report = build(load_settings(site), out, now=NOW)
    folders = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("feed.xml"))
    assert all(not f.startswith("..") for f in folders)
    assert "english/etc" in folders and "english/ការបោះឆ្នោត" in folders
    hot = [f for f in folders if f.startswith("english/hot-topics")]
    assert len(hot) == 2  # "Hot Topics" and "hot-topics" keep separate feeds
    assert any("share a folder name" in p.message for p in report.problems)
    assert not (tmp_path / "etc").exists()


def test_xml_illegal_characters_are_removed(tmp_path: Path):
    # raw control characters in the file, and YAML escapes that decode to them
    raw_text = '---\ntitle: Bell\x07 and \x1bescape\nsummary: "nul \\x00 here \\x0c"\n---\nBody\x0b text\n'
    site = make_site(tmp_path, {"english/_posts/2018-07-26-a.md": raw_text})
    build(load_settings(site), tmp_path / "out", now=NOW)
    raw = (tmp_path / "out" / "english" / "feed.xml").read_bytes()
    assert b"\x07" not in raw and b"\x1b" not in raw and b"\x00" not in raw
    entry = parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries[0]
    assert entry.title == "Bell and escape"
    assert entry.summary == "nul here"


def test_builds_never_touch_the_process_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def refuse(*args):
        raise AssertionError(f"setlocale{args} called during a build")

    monkeypatch.setattr(locale, "setlocale", refuse)
    site = make_site(tmp_path, {"english/_posts/2018-07-26-a.md": post()})
    build(load_settings(site), tmp_path / "out", now=NOW)
    assert "<pubDate>Thu, 26 Jul 2018 00:00:00 +0700</pubDate>" in (
        tmp_path / "out" / "english" / "feed.xml").read_text(encoding="utf-8")


def test_generic_site_without_site_info_uses_title_and_description(tmp_path: Path):
    site = make_site(tmp_path, {"_posts/2018-07-26-a.md": post()}, config=CONFIG)
    build(load_settings(site), tmp_path / "out", now=NOW)
    feed = parse_xml_feed(tmp_path / "out" / "feed.xml").feed
    assert feed.title == "Test Site" and feed.subtitle == "A site made by a test."


def test_a_build_with_nothing_to_do_reports_the_same_problems(tmp_path: Path):
    site = make_site(tmp_path, {"english/_posts/2018-07-26-ok.md": post(),
                                "english/_posts/2018-07-27-bad.md": "---\ntitle: [unclosed\n---\n"})
    settings = load_settings(site)
    first = build(settings, tmp_path / "out", now=NOW, state_dir=tmp_path / "state")
    again = build(settings, tmp_path / "out", now=NOW, state_dir=tmp_path / "state")
    assert again.extra.get("nothing_changed") and again.files_written == ()
    assert again.problems == first.problems and len(again.errors) == 1
    assert again.posts_published == first.posts_published == 1


def test_a_youtube_post_without_image_gets_the_thumbnail_and_a_link_to_the_video(tmp_path: Path):
    site = make_site(tmp_path, {"english/_posts/2018-07-26-a.md": post(youtube="XhPqnrEVaXc")})
    build(load_settings(site), tmp_path / "out", now=NOW)
    thumb, watch = "https://i.ytimg.com/vi/XhPqnrEVaXc/hqdefault.jpg", "https://www.youtube.com/watch?v=XhPqnrEVaXc"
    rss = parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries[0]
    assert rss.media_content[0]["url"] == thumb and rss.media_thumbnail[0]["url"] == thumb
    assert rss.media_player["url"] == watch
    atom = parse_xml_feed(tmp_path / "out" / "english" / "atom.xml").entries[0]
    assert {(l.rel, l.href) for l in atom.links} >= {("enclosure", thumb), ("related", watch)}
    item = load_json_feed(tmp_path / "out" / "english" / "feed.json")["items"][0]
    assert item["image"] == thumb and item["attachments"][0]["url"] == watch


@pytest.mark.parametrize("key, value, message", [
    ("site_info__object", ["english", "khmer"], "site_info__object: expected a mapping (key: value lines), got list"),
    ("exclude", 5, "exclude: expected a list of names, got int 5"),
    ("exclude", "vendor", "exclude: expected a list of names, got str 'vendor'"),
    ("title", {"en": "x"}, "title: expected a string, got dict"),
    ("site_info__object", {"english": {"analytics": ["en"]}},
     "site_info__object.english.analytics: expected a mapping (key: value lines), got list"),
])
def test_config_yml_value_of_the_wrong_type_is_an_error_naming_file_and_key(
        sample_site: Path, tmp_path: Path, capsys, key: str, value: object, message: str):
    """The sample site's own _config.yml with one value of the wrong type: exit 2 and one line."""
    import yaml

    from syndicate.cli import main

    config = yaml.safe_load((sample_site / "_config.yml").read_text(encoding="utf-8"))
    config[key] = value
    site = make_site(tmp_path / "site", {"english/_posts/2018-07-26-a.md": post()}, yaml.safe_dump(config))
    for command in (["build", str(site), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state")],
                    ["check", str(site)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err == f"error: {site / '_config.yml'}: {message}" + err.split(message, 1)[1]
        assert err.count("\n") == 1 and "Traceback" not in err
