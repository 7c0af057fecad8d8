"""The code stays clean by the rules in pyproject.toml ([tool.ruff]): no unused or undefined
names, sorted imports, none of flake8-bugbear's likely bugs."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "syndicate", "tests", "benchmarks"],
                            cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
