"""Every hostile case of issue 7 point 2, one test each: what a subscriber or editor gets when
the hostile fixture site (tests/hostile_cases.py) is built."""

from __future__ import annotations

import email
import email.policy
import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from feedcheck import all_outputs, load_json_feed, parse_xml_feed
from hostile_cases import (
    HOSTILE_SITE,
    HUGE_BODY_BYTES,
    MANY_CATEGORIES,
    SECRET,
    active_content,
    html_in_feed,
    make_hostile_site,
)
from sitebuilder import make_site, post

from syndicate.cli import main
from syndicate.config import ConfigError, load_settings
from syndicate.model import BuildReport, Problem
from syndicate.pipeline.build import build
from syndicate.system.output import confined

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
POSTS = "english/_posts/"


@dataclass
class Built:
    site: Path
    out: Path
    state: Path
    report: BuildReport

    def problems(self, name: str) -> list[Problem]:
        return [p for p in self.report.problems if p.source.endswith("/" + name)]

    def items(self, feed: str = "english/feed.xml") -> list[feedparser.FeedParserDict]:
        return parse_xml_feed(self.out / feed).entries

    def titled(self, title: str) -> list[feedparser.FeedParserDict]:
        return [item for item in self.items() if item.title == title]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("hostile")
    site = make_hostile_site(root)
    report = build(load_settings(site), root / "out", now=NOW, state_dir=root / "state")
    return Built(site, root / "out", root / "state", report)


def test_every_output_validates_and_nothing_runs_script(built: Built):
    outputs = sorted(p for p in built.out.rglob("*") if p.is_file())
    assert len(outputs) > 20
    for path in outputs:
        if path.suffix == ".xml":
            parse_xml_feed(path)
            fragments = html_in_feed(path)
        elif path.suffix == ".json":
            feed = load_json_feed(path)
            fragments = [item.get("content_html", "") for item in feed["items"]]
        elif path.suffix == ".html":
            fragments = [path.read_text(encoding="utf-8")]
        else:
            continue
        assert [f for fragment in fragments for f in active_content(fragment)] == [], path


def test_byte_order_mark_is_invisible(built: Built):
    assert built.titled("BOM first") and built.problems("2024-03-02-bom.md") == []


def test_crlf_line_endings_read_as_newlines(built: Built):
    [item] = built.titled("Line endings from Windows")
    assert item.content[0].value.count("<p>") == 2 and "\r" not in item.content[0].value


def test_invalid_utf8_is_skipped_and_named(built: Built):
    [problem] = built.problems("2024-03-14-latin1.md")
    assert (problem.severity, problem.line) == ("error", 8) and "not UTF-8" in problem.message
    assert built.titled("Latin-1 file") == []


def test_control_characters_are_removed_with_a_warning(built: Built):
    # one warning for the front matter (read by every build), one for the body (read when rendered)
    header, body = sorted(built.problems("2024-03-15-control.md"), key=lambda p: p.line)
    assert header.severity == "warning" and header.line == 2 and header.message.startswith("2 control")
    assert body.severity == "warning" and body.line > 2 and body.message.startswith("3 control")
    assert built.titled("Bell and vertical tab")
    for rel, data in all_outputs(built.out).items():
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xc2[\x80-\x9f]", data), rel


def test_cdata_terminator_stays_text(built: Built):
    [item] = built.titled("Markup ]]> in a title")  # the CDATA opener is HTML markup: sanitised away
    assert "early: ]]&gt; and then" in item.content[0].value


def test_script_in_front_matter_becomes_plain_text_and_bad_media_is_named(built: Built):
    [item] = built.titled("Scripts in the front matter")
    assert item.author == "Mean Editor" and item.summary == "A summary with and bold"
    fields = {p.field for p in built.problems("2024-03-05-script-front-matter.md")}
    assert fields == {"image", "thumbnail"}


def test_category_names_become_distinct_folders_inside_out(built: Built):
    folders = {p.parent.relative_to(built.out).as_posix() for p in built.out.rglob("feed.xml")}
    english = {f.split("/", 1)[1] for f in folders if f.startswith("english/")}
    # a/b, .., ../../escape, Hot Topics, hot-topics, POLITICS (= politics), នយោបាយ, and c000...c049
    assert len(english) == 7 + 50
    assert {"a-b", "politics", "នយោបាយ", "hot-topics"} <= english
    for path in built.out.rglob("*"):
        assert confined(built.out, path.relative_to(built.out).as_posix()) == path.absolute()
    [clash] = [p for p in built.report.problems if p.source == "english/" and p.field == "categories"]
    assert "'Hot Topics' and 'hot-topics' share a folder name" in clash.message
    [item] = built.titled("Category names that are not folder names")
    assert "/../" not in item.link and "/./" not in item.link


def test_language_written_as_a_path_is_that_language(built: Built):
    assert built.titled("A language written as a path")
    assert {p.name for p in built.out.iterdir() if p.is_dir()} == {"english", "khmer"}


def test_capitalised_category_shares_the_lower_case_feed(built: Built):
    titles = {item.title for item in built.items("english/politics/feed.xml")}
    assert {"A plain good post", "Category names that are not folder names"} <= titles


def test_five_hundred_categories_are_capped(built: Built):
    [item] = built.titled("Five hundred categories")
    assert len(item.tags) == 50
    [problem] = built.problems("2024-03-16-many-categories.md")
    assert problem.message.startswith(f"{MANY_CATEGORIES} categories, over the limit of 50")


def test_a_two_megabyte_post_is_published_by_default(built: Built):
    """A long live blog is a real post: the default limit guards memory, not editors."""
    assert built.problems("2024-03-17-huge.md") == []
    [item] = built.titled("A two-megabyte body")
    assert item.content[0].value.count("word") == HUGE_BODY_BYTES // 5


def test_a_post_over_a_lowered_size_limit_is_named_by_build_and_check(built: Built, tmp_path: Path, capsys):
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nmax_post_bytes = 1_000_000\n", encoding="utf-8")
    report = build(load_settings(built.site, config), tmp_path / "out", now=NOW)
    [problem] = [p for p in report.problems if p.source.endswith("2024-03-17-huge.md")]
    assert problem.severity == "warning" and "over the limit of 1,000,000 bytes" in problem.message
    assert "A two-megabyte body" not in {i.title for i in parse_xml_feed(tmp_path / "out" / "english" / "feed.xml").entries}
    main(["check", str(built.site), "--config", str(config), "--now", NOW.isoformat()])
    [line] = [line for line in capsys.readouterr().out.splitlines() if "max_post_bytes" in line]
    size = (built.site / "english/_posts/2024-03-17-huge.md").stat().st_size
    assert line == (f"warning: english/_posts/2024-03-17-huge.md: not read: {size:,} bytes, "
                    "over the limit of 1,000,000 bytes (limits.max_post_bytes)")


def test_yaml_bomb_is_refused_with_its_line(built: Built):
    [problem] = built.problems("2024-03-08-yaml-bomb.md")
    assert problem.severity == "error" and problem.line == 6 and "expands to more than" in problem.message


def test_yaml_bomb_is_bounded_in_memory(built: Built, tmp_path: Path):
    """Every value of the bomb is used where a walk would expand it (title, date, categories);
    a child process with 1 GB of address space must finish and name the file."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
            "from syndicate.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "check", str(built.site), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert any(p["file"].endswith("yaml-bomb.md") for p in json.loads(done.stdout))


def test_symbolic_links_out_of_the_site_are_not_followed(built: Built):
    [problem] = built.problems("2024-03-18-secret.md")
    assert problem.message == "a symbolic link to outside the site: not followed"
    assert not [rel for rel, data in all_outputs(built.out).items() if SECRET.encode() in data]


def test_non_markdown_files_in_posts_are_ignored(built: Built):
    ignored = ("notes.txt", "2024-03-12-not-markdown.html", "2024-03-12-caption.json")
    assert [p for p in built.report.problems if p.source.endswith(ignored)] == []
    assert not {"An HTML file in _posts", "A data file in _posts"} & {i.title for i in built.items()}


def test_empty_file_is_a_warning(built: Built):
    [problem] = built.problems("2024-03-09-empty.md")
    assert (problem.severity, problem.message) == ("warning", "empty file: nothing to publish")


def test_front_matter_only_is_published_without_a_body(built: Built):
    [item] = built.titled("Front matter and nothing else")
    assert built.problems("2024-03-10-front-matter-only.md") == []
    assert "content" not in item and item.link.endswith("/english/politics/front-matter-only.html")


def test_duplicate_slug_on_one_date_publishes_one_and_names_the_other(built: Built):
    same = [i for i in built.items() if i.link.endswith("/english/politics/same-slug.html")]
    assert [i.title for i in same] == ["Same slug, second file"]  # .markdown sorts before .md
    [problem] = built.problems("2024-03-11-same-slug.md")
    assert problem.severity == "error" and "2024-03-11-same-slug.markdown" in problem.message
    khmer = [i for i in built.items("khmer/feed.xml") if i.link.endswith("/same-slug.html")]
    assert len(khmer) == 1  # the same date and slug in another folder is another URL


def test_rebuild_leaves_every_output_byte_identical(built: Built):
    before = all_outputs(built.out)
    (built.site / "english" / "_posts" / "2024-03-01-plain.md").touch()  # force a real rebuild
    report = build(load_settings(built.site), built.out, now=NOW, state_dir=built.state)
    assert report.files_written == () and all_outputs(built.out) == before


@pytest.mark.parametrize("strict", [False, True])
def test_build_command_exits_0_or_1_when_strict(built: Built, tmp_path: Path, capsys, strict: bool):
    args = ["build", str(built.site), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"),
            "--now", NOW.isoformat(), "--quiet"]
    assert main(args + ["--strict"] * strict) == int(strict)
    assert "yaml-bomb.md:6: front matter expands" in capsys.readouterr().err


@pytest.mark.slow
def test_daemon_publishes_the_good_posts_of_a_hostile_site(built: Built, tmp_path: Path):
    out = tmp_path / "out"
    daemon = subprocess.Popen([sys.executable, "-m", "syndicate", "run", str(built.site), "--out", str(out),
                               "--state", str(tmp_path / "state"), "-q"],
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120  # a bound on waiting, not a speed assertion
        while not (out / "english" / "feed.xml").is_file() and daemon.poll() is None:
            assert time.monotonic() < deadline, "the daemon wrote no feed"
            time.sleep(0.2)
    finally:
        daemon.send_signal(signal.SIGTERM)  # it stops once the build under way is done
        try:
            _, err = daemon.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            daemon.kill()
            pytest.fail(f"the daemon did not stop within 300 s of SIGTERM: {daemon.communicate()[1]}")
    assert daemon.returncode == 0, err
    assert "A plain good post" in {i.title for i in parse_xml_feed(out / "english" / "feed.xml").entries}
    assert not (out / "english" / "feed.xml").read_bytes().count(SECRET.encode())


def test_digest_of_the_hostile_site_is_safe_and_complete(built: Built, tmp_path: Path):
    """A 30-day digest over every hostile post: it carries the good ones and runs no script."""
    code = main(["digest", str(built.site), "--language", "english", "--period", str(30 * 86400),
                 "--date", "2024-03-25", "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"),
                 "--now", NOW.isoformat(), "--quiet"])
    files = {p.suffix: p for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert code == 0 and {".html", ".txt", ".eml", ".json"} <= set(files)
    html = files[".html"].read_text(encoding="utf-8")
    assert active_content(html) == [] and "A plain good post" in html and SECRET not in html
    message = email.message_from_bytes(files[".eml"].read_bytes(), policy=email.policy.default)
    assert message["Subject"] and not message.defects


# -- limits ([limits] in the TOML file) --------------------------------------------------------------
def test_post_count_limit_keeps_the_newest_and_warns_once(tmp_path: Path):
    posts = {f"english/_posts/2024-01-{day:02d}-day-{day}.md": post(f"Day {day}", "Body.") for day in range(1, 11)}
    site = make_site(tmp_path / "site", posts)
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nmax_posts = 4\n", encoding="utf-8")
    report = build(load_settings(site, config), tmp_path / "out", now=NOW)
    titles = [i.title for i in parse_xml_feed(tmp_path / "out" / "feed.xml").entries]
    assert titles == ["Day 10", "Day 9", "Day 8", "Day 7"]
    [problem] = report.problems
    assert problem.source.endswith("2024-01-06-day-6.md") and "more than 4 posts (limits.max_posts)" in problem.message


def test_category_limit_is_configurable(tmp_path: Path):
    site = make_site(tmp_path / "site", {"english/_posts/2024-01-01-many.md": post(
        "Many", "Body.", categories=" ".join(f"c{i}" for i in range(9)))})
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nmax_categories = 3\n", encoding="utf-8")
    report = build(load_settings(site, config), tmp_path / "out", now=NOW)
    assert [t.term for t in parse_xml_feed(tmp_path / "out" / "feed.xml").entries[0].tags] == ["c0", "c1", "c2"]
    assert [p.message for p in report.problems] == [
        "9 categories, over the limit of 3 (limits.max_categories): only the first 3 are used"]


@pytest.mark.parametrize("text, message", [
    ("[limits]\nmax_posts = 0\n", "limits.max_posts: expected a whole number of at least 1, got 0"),
    ("[limits]\nmax_bytes = 10\n", "limits.max_bytes: unknown limit"),
])
def test_bad_limits_name_file_and_key(tmp_path: Path, text: str, message: str):
    config = tmp_path / "limits.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{config}: {message}")):
        load_settings(make_site(tmp_path / "site", {}), config)


def test_yaml_bomb_in_config_is_a_config_error(tmp_path: Path):
    bomb = (HOSTILE_SITE / "english" / "_posts" / "2024-03-08-yaml-bomb.md").read_text(encoding="utf-8")
    site = make_site(tmp_path / "site", {}, config=bomb.split("---")[1].replace("\nI", "\nl"))
    with pytest.raises(ConfigError, match="expands to more than"):
        load_settings(site)


def test_categories_too_long_for_a_folder_name_are_shortened_uniquely_and_stably(tmp_path: Path, capsys):
    latin, latin_too = "a" * 299 + "b", "a" * 299 + "c"  # 300 bytes each, alike but for the last letter
    khmer = "ក" * 100  # 100 Khmer letters: 300 bytes of UTF-8
    site = make_site(tmp_path / "site", {
        "english/_posts/2024-01-01-long.md": post("Long", "Body.", categories=f"{latin} {latin_too} short"),
        "khmer/_posts/2024-01-01-long.md": post("វែង", "Body.", categories=khmer),
    })
    out, state = tmp_path / "out", tmp_path / "state"
    build_args = ["build", str(site), "--out", str(out), "--state", str(state), "--now", NOW.isoformat()]
    assert main(build_args) == 0
    folders = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("feed.xml"))
    assert len(folders) == 1 + 2 + 3 + 1  # site, two languages, three English and one Khmer category
    for path in out.rglob("*"):
        assert all(len(part.encode()) <= 255 for part in path.relative_to(out).parts), path
    long_folders = [f for f in folders if len(f.encode()) > 100]
    assert len(long_folders) == 3 and all(re.search(r"-[0-9a-f]{8}$", f) for f in long_folders)
    assert any(f.startswith("khmer/កក") for f in long_folders)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(build_args) == 0  # the same names on the next build
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    capsys.readouterr()
    assert main(["check", str(site), "--now", NOW.isoformat()]) == 0
    shortened = [line for line in capsys.readouterr().out.splitlines() if "too long for a folder name" in line]
    assert len(shortened) == 3
    assert any(f"published in '{long_folders[0]}/'" in line for line in shortened)


def test_character_references_to_controls_are_dropped_not_fatal(built: Built):
    # `&#1;` in a title decodes to a character that XML cannot carry; it once crashed the RSS writer
    # and with it the whole build.
    titles = [e.title for e in parse_xml_feed(built.out / "english" / "feed.xml").entries]
    assert "Character references to controls" in titles
    item = next(i for i in load_json_feed(built.out / "english" / "feed.json")["items"]
                if i["title"] == "Character references to controls")
    assert [a["name"] for a in item["authors"]] == ["Ref Editor"]
    assert item["summary"] == "A summary with \ufffd and in it"  # HTML decodes &#0; so
