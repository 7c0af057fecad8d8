"""`syndicate run --config FILE -q | -v`: the daemon builds with the settings file and logs at the
level asked. (`--out`, `--state`, `--feeds` and `--debounce` are exercised by test_daemon.py.)"""

from __future__ import annotations

import json
import shutil

import pytest
from test_daemon import Daemon, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def daemon_root(tmp_path, example_site):
    root = tmp_path
    shutil.copytree(example_site, root / "site")
    (root / "feeds").mkdir()
    (root / "feeds" / "site.toml").write_text('[feed]\nlanguage = "english"\n', encoding="utf-8")
    (root / "syndicate.toml").write_text("[feeds]\nlimit = 1\n", encoding="utf-8")
    return root


def items(root) -> list | None:
    path = root / "out" / "english" / "feed.json"
    return json.loads(path.read_text(encoding="utf-8"))["items"] if path.is_file() else None


def test_config_settings_reach_the_daemons_builds_and_quiet_drops_the_job_lines(daemon_root):
    daemon = Daemon(daemon_root, "--config", "syndicate.toml", "-q")
    try:
        assert len(wait_for(lambda: items(daemon_root), 30, "the first feed build")) == 1
    finally:
        assert daemon.stop()[0] == 0
    assert "job=site kind=feed" not in daemon.log and "INFO" not in daemon.log


def test_verbose_adds_debug_lines_to_the_job_lines(daemon_root):
    daemon = Daemon(daemon_root, "-v")
    try:
        wait_for(lambda: "job=site kind=feed outcome=ok" in daemon.log, 30, "the first feed run's log line")
        assert len(items(daemon_root)) > 1  # no --config: the default limit
    finally:
        assert daemon.stop()[0] == 0
    assert "DEBUG" in daemon.log
