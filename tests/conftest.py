"""Shared fixtures. The real sample site lives beside the project, never inside it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
# Beside the project; mutmut runs the tests from a copy in PROJECT/mutants/, one level deeper.
SAMPLE_SITE = next((p / "shared" / "sample-site" for p in PROJECT.parents[:2] if (p / "shared" / "sample-site").is_dir()),
                   PROJECT.parent / "shared" / "sample-site")
EXAMPLE_SITE = PROJECT / "examples" / "site"
SEED_POST = "english/_posts/2018-07-26-hun-sen-circles-opponents-abroad-and-at-home.md"


class NoSkipsInCI:
    """Under CI (CI=true, as .ci/run sets) a skipped test fails the run: CI installs everything
    the tests skip without, so a skip there is a test that silently stopped running."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _note(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.skipped.append(f"{report.nodeid}: {reason}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skipped and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.skipped:
            terminalreporter.section("skipped under CI=true: each one fails the run", red=True)
            for line in self.skipped:
                terminalreporter.line(line)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true":
        config.pluginmanager.register(NoSkipsInCI(), "no-skips-in-ci")


@pytest.fixture(autouse=True)
def _logging_left_as_found():
    """A command run in-process with -v or -q sets logger levels for the process; later tests
    (the daemon's, which check what is logged at each level) must not inherit them."""
    root, ours = logging.getLogger(), logging.getLogger("syndicate")
    levels, handlers = (root.level, ours.level), list(root.handlers)
    yield
    root.setLevel(levels[0])
    ours.setLevel(levels[1])
    root.handlers[:] = handlers


@pytest.fixture(scope="session")
def sample_site() -> Path:
    """The real bilingual site; skipped when absent unless SYNDICATE_REQUIRE_SAMPLE=1."""
    if not (SAMPLE_SITE / "_config.yml").is_file():
        if os.environ.get("SYNDICATE_REQUIRE_SAMPLE") == "1":
            pytest.fail(f"SYNDICATE_REQUIRE_SAMPLE=1 but the sample site is missing at {SAMPLE_SITE}")
        pytest.skip(f"the shared sample site is not at {SAMPLE_SITE}")
    return SAMPLE_SITE


@pytest.fixture(scope="session")
def example_site() -> Path:
    return EXAMPLE_SITE
