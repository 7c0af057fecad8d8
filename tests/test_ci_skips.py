"""Under CI=true a skipped test fails the run and is named (tests/conftest.py); elsewhere a skip
is only counted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parent / "conftest.py"

pytest_plugins = ["pytester"]

TESTS = """
import pytest

def test_runs():
    pass

def test_needs_a_tool():
    pytest.skip("the tool is not installed")

@pytest.mark.xfail(reason="known", strict=True)
def test_known_bug():
    assert False
"""


@pytest.mark.parametrize(("ci", "code"), [("true", 1), ("", 0)])
def test_a_skip_fails_the_run_only_under_ci(pytester: pytest.Pytester, monkeypatch, ci, code):
    monkeypatch.setenv("CI", ci)
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_tool=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == code
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    named = "test_tool.py::test_needs_a_tool: Skipped: the tool is not installed"
    assert (named in result.stdout.str()) == bool(ci)


def test_ci_sets_what_the_tests_read_and_installs_what_they_need():
    lines = (CONFTEST.parent.parent / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    test_command = next(i for i, line in enumerate(lines) if "pytest" in line)
    assert lines.index("export CI=true") < test_command
    assert lines.index("export SYNDICATE_REQUIRE_SAMPLE=1") < test_command
    # .ci/run installs each missing package by name: `missing+=(chromium)` … `apt-get install "${missing[@]}"`
    installs = set(re.findall(r"missing\+=\(([^)]*)\)", "\n".join(lines)))
    assert {"chromium", "fonts-khmeros", "openssl", "jekyll"} <= {w for group in installs for w in group.split()}
    assert any("apt-get install" in line and '"${missing[@]}"' in line for line in lines)
