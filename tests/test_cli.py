"""The command line as a whole: every command is listed, documented with an example, and loads."""

from __future__ import annotations

import subprocess
import sys

import pytest

from syndicate import cli


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_has_help_with_an_example(name: str):
    help_text = cli.parser(name)._subparsers._group_actions[0].choices[name].format_help()
    assert "example" in help_text.lower() and f"syndicate {name}" in help_text


def test_top_level_help_lists_every_command_without_loading_them():
    # A fresh interpreter: importing the CLI must not import the digest or daemon stacks.
    code = ("import sys; from syndicate import cli; cli.parser(); "
            "print(sorted(m for m in sys.modules if m.startswith(('premailer', 'apscheduler', 'feedgen'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    listed = cli.parser().format_help()
    assert all(name in listed for name in cli.COMMANDS)


def test_a_site_without_includes_renders_without_loading_python_liquid(tmp_path, example_site):
    # Only a site's own `_includes/` templates need python-liquid, a tenth of a second to import.
    out, state = tmp_path / "out", tmp_path / "state"
    code = ("import sys; from syndicate.cli import main; "
            f"main(['build', {str(example_site)!r}, '--out', {str(out)!r}, '--state', {str(state)!r}, '-q']); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'liquid', 'markdown_it'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not (example_site / "_includes").exists()
    assert loaded.strip() == "['markdown_it']"  # bodies were rendered, without the Liquid engine
    assert "content_html" in (out / "feed.json").read_text(encoding="utf-8")


def test_a_profiled_run_leaves_its_profile(tmp_path, example_site):
    # The console script leaves without the interpreter's teardown (cli.entry), but a profiler
    # writes its report at exit: under one, the command must exit normally.
    profile = tmp_path / "build.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "syndicate", "build", str(example_site),
                    "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"), "-q"], check=True)
    assert (tmp_path / "out" / "feed.xml").is_file()
    assert profile.stat().st_size > 0
