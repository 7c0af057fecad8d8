"""`syndicate digest`: the paths it prints, exit codes, and docs that keep up with its options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syndicate import cli
from syndicate.commands import digest as digest_cmd

DOCS = Path(__file__).resolve().parent.parent / "docs" / "digests.md"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["digest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_paths_it_wrote_and_repeats_byte_for_byte(sample_site, tmp_path, capsys):
    args = (str(sample_site), "--language", "khmer", "--date", "2018-07-28", "--out", str(tmp_path / "out"),
            "--state", str(tmp_path / "state"), "--now", "2018-08-01T00:00:00+00:00")
    code, out, _ = run(capsys, *args)
    assert code == 0
    paths = [Path(line) for line in out.splitlines()]
    assert [p.name for p in paths] == [f"2018-07-28.{ext}" for ext in ("html", "txt", "eml", "json", "web.html")]
    assert all(p.is_file() and p.parent == tmp_path / "out" / "digests" / "khmer" / "daily" for p in paths)
    before = {p: p.read_bytes() for p in paths}
    assert run(capsys, *args)[:2] == (0, out)
    assert {p: p.read_bytes() for p in paths} == before


def test_a_window_still_open_is_an_error(sample_site, tmp_path, capsys):
    code, out, err = run(capsys, str(sample_site), "--language", "english", "--date", "2018-07-28",
                         "--out", str(tmp_path), "--state", str(tmp_path / "s"), "--now", "2018-07-28T05:00:00+00:00")
    assert (code, out) == (2, "")
    assert "has not closed" in err


def test_an_empty_window_writes_nothing(sample_site, tmp_path, capsys):
    code, out, err = run(capsys, str(sample_site), "--language", "english", "--date", "2018-06-01",
                         "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s"))
    assert (code, out) == (0, "")
    assert "no digest for english-daily" in err
    assert not (tmp_path / "out").exists()


def test_custom_period_and_categories(sample_site, tmp_path, capsys):
    code, out, _ = run(capsys, str(sample_site), "--language", "english", "--period", str(3 * 86400),
                       "--date", "2018-07-30", "--category", "Feature", "--out", str(tmp_path / "out"),
                       "--state", str(tmp_path / "s"))
    assert code == 0
    assert out.splitlines()[0].endswith("digests/english/3d/2018-07-30.html")
    html = Path(out.splitlines()[0]).read_text(encoding="utf-8")
    assert "/english/feature/" in html and "/english/hun-sen/" not in html  # the category filter held


def test_lists_with_their_own_ids_get_their_own_folders(sample_site, tmp_path, capsys):
    common = (str(sample_site), "--language", "english", "--date", "2018-07-28", "--out", str(tmp_path / "out"),
              "--state", str(tmp_path / "s"))
    default = run(capsys, *common)[1].splitlines()
    feature = run(capsys, *common, "--list-id", "english-feature", "--category", "feature")[1].splitlines()
    assert default[0].endswith("digests/english/daily/2018-07-28.html")
    assert feature[0].endswith("digests/english/daily/english-feature/2018-07-28.html")
    assert "<english-feature.20180728T060000@" in Path(feature[2]).read_text(encoding="ascii")
    assert Path(default[0]).is_file()


def test_bad_period_is_a_usage_error(sample_site, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["digest", str(sample_site), "--language", "english", "--period", "monthly"])
    assert exit_.value.code == 2


def test_help_has_an_example():
    assert "example:\n  syndicate digest " in digest_cmd.__doc__


def test_docs_describe_every_option():
    text = DOCS.read_text(encoding="utf-8")
    options = re.findall(r"--[a-z-]+", cli.parser(every=True)._subparsers._group_actions[0].choices["digest"].format_help())
    missing = sorted({o for o in options if o != "--help"} - set(re.findall(r"--[a-z-]+", text)))
    assert not missing, f"docs/digests.md does not mention {missing}"
