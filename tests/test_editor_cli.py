"""What editors and operators see on the command line (issue 15): a clean first run, one grading
of problems with line numbers in `check` and `build`, digest messages in the user's terms, and a
daemon that says why a digest job did nothing and can replay an earlier clock."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT
from test_daemon import Daemon, wait_for

BROKEN = PROJECT / "tests" / "fixtures" / "broken-front-matter.md"
BROKEN_AS = "english/_posts/2026-11-22-broken-front-matter.md"


def syndicate(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "syndicate", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def _problem_lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if re.match(r"(error|warning): ", line)}


# 7. The README's first run is clean; a broken post is reported in English


def test_the_example_site_builds_and_checks_clean(example_site: Path, tmp_path: Path):
    built = syndicate("build", str(example_site), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"))
    assert built.returncode == 0
    assert not _problem_lines(built.stderr), built.stderr
    assert "0 errors, 0 warnings" in built.stdout
    checked = syndicate("check", str(example_site))
    assert checked.returncode == 0 and checked.stdout.endswith("0 errors, 0 warnings\n"), checked.stdout


def test_a_broken_post_is_one_error_with_its_line_in_build_and_check(example_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    shutil.copy(BROKEN, site / BROKEN_AS)
    built = syndicate("build", str(site), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"))
    assert f"error: {BROKEN_AS}:4: front matter" in built.stderr
    assert "; 1 error, 0 warnings;" in built.stdout, built.stdout
    checked = syndicate("check", str(site))
    assert checked.returncode == 1 and checked.stdout.endswith("1 error, 0 warnings\n"), checked.stdout


# 8. One grading, with line numbers, in check and build; an errors-only view


def test_build_prints_each_problem_as_check_does(sample_site: Path, tmp_path: Path):
    # build --verbose lists every problem; by default it prints one line per kind (test_render_includes.py)
    config = str(PROJECT / "examples" / "sample-site.toml")
    built = syndicate("build", str(sample_site), "--config", config, "--out", str(tmp_path / "out"),
                      "--state", str(tmp_path / "state"), "--now", "2026-11-25T00:00:00+00:00", "--verbose")
    checked = syndicate("check", str(sample_site), "--config", config, "--now", "2026-11-25T00:00:00+00:00")
    from_build, from_check = _problem_lines(built.stderr), _problem_lines(checked.stdout)
    assert from_build and from_build <= from_check, sorted(from_build - from_check)[:5]
    # the same problem, the same severity and line: broken media and dangling translations are errors in both
    assert any(re.match(r"error: \S+:\d+: mugshot: not a valid URL", line) for line in from_build)
    assert any(re.match(r"error: \S+:\d+: translation: points to no post", line) for line in from_build)
    errors = sum(line.startswith("error: ") for line in from_build)
    assert re.search(rf"; {errors} errors?, \d+ warnings?;", built.stdout)


def test_check_errors_only_leaves_warnings_out_of_the_list_but_counts_them(sample_site: Path):
    config = str(PROJECT / "examples" / "sample-site.toml")
    full = syndicate("check", str(sample_site), "--config", config)
    errors_only = syndicate("check", str(sample_site), "--config", config, "--errors-only")
    lines = _problem_lines(errors_only.stdout)
    assert lines == {line for line in _problem_lines(full.stdout) if line.startswith("error: ")} and lines
    counts = re.search(r"(\d+) errors?, (\d+) warnings?", full.stdout).groups()
    assert errors_only.stdout.splitlines()[-1].endswith(f"{counts[0]} errors, {counts[1]} warnings (not shown)")
    assert errors_only.returncode == full.returncode == 1


# 9. The digest command in the user's terms


def test_an_impossible_digest_date_is_named_as_such(example_site: Path):
    answer = syndicate("digest", str(example_site), "--language", "english", "--date", "2018-02-30")
    assert answer.returncode == 2
    assert "--date: 2018-02-30: February 2018 has 28 days" in answer.stderr
    assert "fromisoformat" not in answer.stderr
    assert "expected YYYY-MM-DD" in syndicate("digest", str(example_site), "--language", "english",
                                              "--date", "28/07/2018").stderr


def test_digest_says_once_where_it_keeps_its_ledger_and_keeps_library_debug_out_of_verbose(
        sample_site: Path, tmp_path: Path):
    env = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    args = ("digest", str(sample_site), "--language", "khmer", "--date", "2018-07-28", "--out", str(tmp_path / "out"))
    first = syndicate(*args, "-v", env=env)
    assert first.returncode == 0, first.stderr
    state = next((tmp_path / "xdg" / "syndicate").iterdir())
    assert f"keeping the cache and the digest ledger in {state} (choose with --state)" in first.stderr
    assert not re.search(r"^DEBUG: (?!syndicate)", first.stderr, re.M)  # markdown-it wrote ~300 lines here
    assert "markdown_it" not in first.stderr
    again = syndicate(*args, env=env)
    assert "keeping the cache" not in again.stderr


# 13. The daemon says why a digest job did nothing, and replays an earlier clock


@pytest.fixture
def daemon_root(tmp_path: Path, example_site: Path) -> Path:
    shutil.copytree(example_site, tmp_path / "site")
    shutil.copytree(PROJECT / "feeds", tmp_path / "feeds")
    return tmp_path


@pytest.mark.slow
def test_run_now_replays_the_example_site_digests_and_says_why_there_is_none(daemon_root: Path):
    today = Daemon(daemon_root)  # the example's posts are from November 2026: no new post in today's windows
    try:
        wait_for(lambda: "job=khmer-weekly kind=digest" in today.log, 60, "the digest jobs' first run")
    finally:
        assert today.stop()[0] == 0
    assert re.search(r"job=english-daily: no new english posts since \d{4}-\d\d-\d\dT06:00\+07:00", today.log)
    assert not (daemon_root / "out" / "digests").exists()
    shutil.rmtree(daemon_root / "state")
    replay = Daemon(daemon_root, "--now", "2026-11-19T07:00:00+07:00")
    try:
        english = daemon_root / "out" / "digests" / "english" / "daily" / "2026-11-19.eml"
        khmer = daemon_root / "out" / "digests" / "khmer" / "weekly" / "2026-11-16.eml"
        wait_for(lambda: english.is_file() and khmer.is_file(), 60, "the replayed digests")
    finally:
        assert replay.stop()[0] == 0
    assert "A Night Market Returns to the Riverside" in english.read_text(encoding="utf-8")
