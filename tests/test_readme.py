"""The README's two set-up commands stay true: CI runs the second one exactly, and the first
one's build works on the bundled example site."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from conftest import PROJECT
from feedcheck import load_json_feed, parse_xml_feed

from syndicate.config import load_settings
from syndicate.pipeline.build import build


def _commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (PROJECT / "README.md").read_text(encoding="utf-8"), re.S)
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    build_cmd, test_cmd = _commands()
    assert "syndicate build examples/site" in build_cmd and "pip install" in build_cmd
    assert "pytest" in test_cmd and "pip install" in test_cmd
    # A fresh clone without ../shared must get a green run: the sample-site tests skip there.
    assert "SYNDICATE_REQUIRE_SAMPLE" not in test_cmd
    ci_lines = (PROJECT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_cmd in ci_lines, ".ci/run must run the README's test command exactly"
    # ... while CI turns those skips into failures before it runs that command.
    assert ci_lines.index("export SYNDICATE_REQUIRE_SAMPLE=1") < ci_lines.index(test_cmd)


def test_the_example_site_builds_into_valid_feeds_in_both_languages(example_site: Path, tmp_path: Path):
    report = build(load_settings(example_site), tmp_path, now=datetime(2026, 11, 25, tzinfo=timezone.utc))
    # a new user's first run is clean (a broken post is a test fixture: tests/test_editor_cli.py)
    assert report.problems == ()
    for language, code in (("english", "en"), ("khmer", "km")):
        feed = parse_xml_feed(tmp_path / language / "feed.xml")
        assert feed.feed.language == code and len(feed.entries) >= 4
        assert load_json_feed(tmp_path / language / "feed.json")["language"] == code
    assert not any("Unpublished" in e.title for e in parse_xml_feed(tmp_path / "feed.xml").entries)


def _github_anchor(heading: str) -> str:
    """GitHub's id for a Markdown heading: lower case, punctuation but - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_documentation_links_written_into_outputs_resolve():
    # Feeds carry links to this repository's docs (JSON Feed's extension "about"); each must
    # name a file that exists and a heading in it.
    links = set()
    for path in (PROJECT / "syndicate").rglob("*.py"):
        links |= set(re.findall(r"github\.com/syndicate-feeds/syndicate/blob/main/([\w./-]+)(?:#([\w-]+))?",
                                path.read_text(encoding="utf-8")))
    assert links
    for rel, anchor in links:
        doc = PROJECT / rel
        assert doc.is_file(), rel
        headings = re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.M)
        assert not anchor or anchor in {_github_anchor(h) for h in headings}, (rel, anchor)
