"""`syndicate check`: one test per rule on a tiny site, and the real sample site's broken mugshots."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hostile_cases import make_hostile_site
from sitebuilder import make_site, post

from syndicate.cli import main

NOW = "2026-11-25T00:00:00+00:00"
LANGUAGES = """\
site_info__object:
  english:
    title: The English edition
  khmer:
    title: The Khmer edition
"""
CONFIG = """\
title: Test Site
url: https://news.example.com
timezone: Asia/Phnom_Penh
permalink: /:categories/:title:output_ext
""" + LANGUAGES


def check(site: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, list[str]]:
    code = main(["check", str(site), "--now", NOW, *extra])
    return code, capsys.readouterr().out.splitlines()


def lint(tmp_path: Path, capsys: pytest.CaptureFixture, posts: dict[str, str]) -> tuple[int, list[str]]:
    """Check a site of the plain control post plus `posts`; the lines about `posts` only."""
    good = {"english/_posts/2024-01-01-good.md": post("Good", "Fine.")}
    code, lines = check(make_site(tmp_path / "site", good | posts, CONFIG), capsys)
    return code, [line for line in lines[:-1] if "2024-01-01-good.md" not in line]


def test_clean_site_exits_0_with_a_count(tmp_path: Path, capsys):
    code, lines = lint(tmp_path, capsys, {})
    assert (code, lines) == (0, [])


def test_yaml_error_names_file_and_line(tmp_path: Path, capsys):
    text = "---\ntitle: Broken\ndate: 2024-01-02\ncategories: [politics\n---\nBody.\n"
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-yaml.md": text})
    assert code == 1 and line.startswith("error: english/_posts/2024-01-02-yaml.md:5: front matter is not valid YAML")


def test_missing_title(tmp_path: Path, capsys):
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-untitled.md": post("", "Body.")})
    assert code == 1 and line == "error: english/_posts/2024-01-02-untitled.md: title: missing title"


def test_missing_date(tmp_path: Path, capsys):
    code, [line] = lint(tmp_path, capsys, {"english/_posts/undated.md": post("No date", "Body.")})
    assert code == 1 and line.startswith("error: english/_posts/undated.md: date: missing date")


@pytest.mark.parametrize("value", ["2018-02-30", "2018-13-01", "0018-07-26", "2018-07-26 10:00 +9900"])
def test_impossible_date_names_its_line(tmp_path: Path, capsys, value: str):
    text = f"---\ntitle: When\ndate: {value}\n---\nBody.\n"
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-when.md": text})
    assert code == 1 and line.startswith("error: english/_posts/2024-01-02-when.md:3: date: ")
    assert repr(value) in line


def test_unknown_include_is_a_warning_with_its_line(tmp_path: Path, capsys):
    body = "First paragraph.\n\n{% include ballot-widget.html id=3 %}\n"
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-widget.md": post("Widget", body)})
    assert code == 0 and line.startswith("warning: english/_posts/2024-01-02-widget.md:7: include ballot-widget.html")


def test_translation_to_no_post_is_an_error(tmp_path: Path, capsys):
    text = post("Orphan", "Body.", translation="/khmer/nowhere.html")
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-orphan.md": text})
    assert code == 1 and line == ("error: english/_posts/2024-01-02-orphan.md:3: translation: points to no post: "
                                  "'/khmer/nowhere.html'")


def test_translation_to_a_post_is_clean(tmp_path: Path, capsys):
    posts = {"english/_posts/2024-01-02-pair.md": post("Pair", "Body.", translation="/khmer/pair.html"),
             "khmer/_posts/2024-01-02-pair.md": post("គូ", "Body.", translation="/english/pair.html")}
    assert lint(tmp_path, capsys, posts) == (0, [])


@pytest.mark.parametrize("key", ["image", "mugshot", "thumbnail"])
@pytest.mark.parametrize("value", ['"/img/face.jpg\\";"', "javascript:alert(1)", '"http://"'])
def test_bad_media_url_is_an_error(tmp_path: Path, capsys, key: str, value: str):
    code, [line] = lint(tmp_path, capsys, {"english/_posts/2024-01-02-face.md": post("Face", "B.", **{key: value})})
    assert code == 1 and line.startswith(f"error: english/_posts/2024-01-02-face.md:3: {key}: not a valid URL: ")


def test_two_posts_on_one_url(tmp_path: Path, capsys):
    posts = {"english/_posts/2024-01-02-twin.md": post("One", "Body."),
             "english/_posts/2024-01-02-twin.markdown": post("Two", "Body.")}
    code, [line] = lint(tmp_path, capsys, posts)
    assert code == 1 and line.startswith("error: english/_posts/2024-01-02-twin.md: permalink: has the same URL as "
                                         "english/_posts/2024-01-02-twin.markdown")


def test_language_without_configuration(tmp_path: Path, capsys):
    code, [line] = lint(tmp_path, capsys, {"french/_posts/2024-01-02-bonjour.md": post("Bonjour", "Salut.")})
    assert code == 1 and line.startswith("error: french/_posts/2024-01-02-bonjour.md: language: language 'french' "
                                         "has no configuration (configured: english, khmer)")


def test_language_configured_in_toml_is_clean(tmp_path: Path, capsys):
    site = make_site(tmp_path / "site", {"french/_posts/2024-01-02-bonjour.md": post("Bonjour", "Salut.")}, CONFIG)
    toml = tmp_path / "site.toml"
    toml.write_text('[languages.french]\ncode = "fr"\ntitle = "L\'édition française"\n', encoding="utf-8")
    assert check(site, capsys, "--config", str(toml)) == (0, ["1 file checked: 0 errors, 0 warnings"])


def test_check_writes_nothing(tmp_path: Path, capsys, monkeypatch):
    site = make_site(tmp_path / "site", {"english/_posts/2024-01-02-a.md": post("A", "B.")}, CONFIG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    before = sorted(p for p in tmp_path.rglob("*"))
    check(site, capsys)
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_hostile_site_lists_every_bad_file_and_exits_1(tmp_path: Path, capsys):
    code, lines = check(make_hostile_site(tmp_path), capsys)
    errors = {line.split(":", 2)[1].strip().rsplit("/", 1)[-1] for line in lines if line.startswith("error: ")}
    assert code == 1 and errors == {"2024-03-05-script-front-matter.md", "2024-03-08-yaml-bomb.md",
                                    "2024-03-11-same-slug.md", "2024-03-14-latin1.md"}


def test_sample_site_reports_each_broken_mugshot_and_exits_1(sample_site: Path, capsys):
    # Which posts have a mugshot value with a stray quote or semicolon, read from the files themselves.
    broken = {}
    for path in sample_site.glob("*/_posts/*.md"):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (m := re.match(r"mugshot: (.*[\";].*?)\s*$", text)):
                broken[path.relative_to(sample_site).as_posix()] = (number, m.group(1))
    assert broken  # the sample is known to have some
    code, lines = check(sample_site, capsys)
    assert code == 1
    for source, (number, value) in broken.items():
        assert any(line.startswith(f"error: {source}:{number}: mugshot: not a valid URL: {value!r}")
                   for line in lines), source


def test_sample_site_text_is_sorted_and_counted_and_json_agrees(sample_site: Path, capsys):
    code, lines = check(sample_site, capsys)
    *problems, count = lines
    where = [re.match(r"\w+: ([^:]+)(?::(\d+))?:", line).groups() for line in problems]
    assert where == sorted(where, key=lambda w: (w[0], int(w[1] or 0)))
    errors = sum(line.startswith("error: ") for line in problems)
    posts = len(list(sample_site.glob("*/_posts/*.md")))
    assert count == f"{posts} files checked: {errors} errors, {len(problems) - errors} warnings"
    json_code = main(["check", str(sample_site), "--now", NOW, "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert json_code == code and len(rows) == len(problems)
    assert {row["severity"] for row in rows} == {"error", "warning"}
    assert all(set(row) == {"file", "line", "field", "severity", "message"} for row in rows)
