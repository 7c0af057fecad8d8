"""kill -9 at random moments during `build` and `digest`: afterwards every output is a complete
version (the old or the new, never a torn or mixed file), no temporary file is left once the
next run is through, and the SQLite state (build cache, digest ledger) is consistent."""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from feedcheck import all_outputs, load_json_feed, parse_xml_feed

PROJECT = Path(__file__).resolve().parents[1]
POSTS = 2000
KILLS = 50
FLIPPED = 40  # newest posts per language rewritten before each run, so each run has new bytes to write
NOW = "2024-07-01T00:00:00+00:00"  # after the corpus's last post (benchmarks/corpus.py END_DATE)
VERSION = re.compile(r"\(v(\d+)\)$")


@dataclass(frozen=True)
class Command:
    name: str
    args: Callable[[Path, Path, Path, int], list[str]]  # (site, out, state, run number) -> argv


def _build(site: Path, out: Path, state: Path, run: int) -> list[str]:
    return ["build", str(site), "--out", str(out), "--state", str(state), "--now", NOW, "-q"]


def _digest(site: Path, out: Path, state: Path, run: int) -> list[str]:
    # Ten weekly windows, each attempted five times: first runs and repeats from the ledger.
    end = date(2024, 6, 27) - timedelta(weeks=9 - run % 10)
    return ["digest", str(site), "--language", "english", "--period", "weekly", "--date", end.isoformat(),
            "--out", str(out), "--state", str(state), "--now", NOW, "-q"]


COMMANDS = [Command("build", _build), Command("digest", _digest)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("corpus") / "site"
    subprocess.run([sys.executable, str(PROJECT / "benchmarks" / "corpus.py"), "--posts", str(POSTS),
                    "--out", str(site), "--seed", "7"], check=True, capture_output=True)
    return site


class Flipper:
    """Rewrites the newest posts' titles to `<title> (vN)`: every run publishes new bytes."""

    def __init__(self, site: Path):
        newest = [path for folder in sorted(site.glob("*/_posts"))
                  for path in sorted(folder.glob("*.md"))[-FLIPPED:]]
        self.originals = {path: path.read_text(encoding="utf-8") for path in newest}

    def restore(self) -> None:
        """Put the posts back as they were: the corpus is shared by the module's tests, and a
        title left as `<title> (v51)` would read as a second version once the next test flips it
        and a plain-text digest wraps the title between the two tags."""
        for path, text in self.originals.items():
            path.write_text(text, encoding="utf-8")

    def flip(self, version: int) -> None:
        for path, text in self.originals.items():
            path.write_text(re.sub(r"^title: (.*)$", rf"title: \1 (v{version})", text, count=1, flags=re.M),
                            encoding="utf-8")


class Verifier:
    """Checks every output file, parsing each version of a file only once."""

    def __init__(self, out: Path):
        self.out = out
        self.seen: dict[Path, tuple[int, int, int]] = {}

    def check(self) -> int:
        """Every output complete; the number of files that changed since the last check."""
        changed = 0
        for path in sorted(self.out.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue  # a temporary file is not published; the next run removes it
            st = path.stat()
            if self.seen.get(path) != (st.st_ino, st.st_size, st.st_mtime_ns):
                complete(path)
                self.seen[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
                changed += 1
        return changed


def complete(path: Path) -> None:
    """Fail unless `path` is a whole file of its format, written from one version of the site."""
    data = path.read_bytes()
    if path.suffix in (".xml", ".opml"):
        root = lxml.etree.fromstring(data)  # raises on a torn file
        titles = [t.text or "" for t in root.iter("title", "{http://www.w3.org/2005/Atom}title")]
    elif path.suffix == ".json":
        doc = json.loads(data)
        titles = [item.get("title", "") for item in doc.get("items", []) if isinstance(item, dict)]
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), f"{path}: truncated"
        titles = [a.text_content() for a in lxml.html.fromstring(data).iter("a")]
    elif path.suffix == ".eml":
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert not message.defects and data.rstrip().endswith(b"--"), f"{path}: truncated"
        titles = []
    elif path.suffix == ".txt":
        titles = data.decode("utf-8").splitlines()
    else:
        pytest.fail(f"unexpected output {path}")
    versions = {m.group(1) for t in titles if (m := VERSION.search(t.strip()))}
    assert len(versions) <= 1, f"{path}: items from versions {sorted(versions)} in one file"


def consistent_state(state: Path) -> None:
    for db_path in state.glob("*.sqlite"):
        with sqlite3.connect(db_path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), db_path
            assert db.execute("PRAGMA foreign_key_check").fetchall() == [], db_path
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "digest_posts" in tables:
                twice = db.execute("SELECT list_id, post_id FROM digest_posts GROUP BY list_id, post_id "
                                   "HAVING COUNT(*) > 1").fetchall()
                assert twice == [], f"posts recorded in two digests of one list: {twice[:3]}"
                for (paths,) in db.execute("SELECT paths FROM digests"):
                    for file in json.loads(paths).values():
                        complete(Path(file))  # a recorded digest's files are all there


def run(command: Command, site: Path, out: Path, state: Path, number: int,
        kill_after: float | None = None) -> float:
    """Run the command, in seconds; with `kill_after`, SIGKILL it and its worker processes then,
    as a supervisor stopping its process group does, unless it is done. A run that ends by itself
    must succeed."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([sys.executable, "-m", "syndicate", *command.args(site, out, state, number)],
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return time.monotonic() - started
        stderr.seek(0)
        assert process.returncode == 0, f"run {number} exited {process.returncode}: {stderr.read().decode()}"
    return time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_kill_9_never_leaves_a_torn_output(command: Command, corpus: Path, tmp_path: Path,
                                           request: pytest.FixtureRequest):
    out, state = tmp_path / "out", tmp_path / "state"
    flipper = Flipper(corpus)
    request.addfinalizer(flipper.restore)
    rng = random.Random(20261125)
    verifier = Verifier(out)
    for number in (0, 1):  # a cold run, then a warm one whose duration spans the kill times
        flipper.flip(number)
        seconds = run(command, corpus, out, state, number)
    verifier.check()
    for number in range(2, KILLS + 2):
        flipper.flip(number)
        run(command, corpus, out, state, number, kill_after=rng.uniform(0.05, 1.0) * seconds)
        verifier.check()
        consistent_state(state)
    # A run after the storm completes, cleans up after the killed writers and matches a run
    # that never saw a kill.
    run(command, corpus, out, state, KILLS + 1)
    assert sorted(p.name for p in out.rglob(".*.tmp")) == []
    consistent_state(state)
    survivor = all_outputs(out)
    if command.name == "build":
        run(command, corpus, tmp_path / "fresh-out", tmp_path / "fresh-state", KILLS + 1)
        assert survivor == all_outputs(tmp_path / "fresh-out")
    else:  # a digest's window depends on the ledger's history, so the repeat is the reference
        run(command, corpus, out, state, KILLS + 1)
        assert survivor == all_outputs(out)
    for path in out.rglob("*"):
        if path.suffix == ".xml":
            parse_xml_feed(path)
        elif path.suffix == ".json" and "digests" not in path.parts:
            load_json_feed(path)


@pytest.mark.slow
def test_kill_9_of_the_build_alone_frees_the_state(corpus: Path, tmp_path: Path):
    """`kill -9 PID` (or the OOM killer) stops the build but not its worker processes."""
    argv = [sys.executable, "-m", "syndicate", "build", str(corpus), "--out", str(tmp_path / "out"),
            "--state", str(tmp_path / "state"), "--now", NOW, "-q"]
    build = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    children = Path(f"/proc/{build.pid}/task/{build.pid}/children")
    deadline = time.monotonic() + 120  # a bound on waiting for a cold build's workers, not a speed test
    try:
        while not (workers := children.read_text().split()) and build.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert workers, "the cold build of the corpus should parse its posts on worker processes"
        build.send_signal(signal.SIGKILL)
        build.wait()
        again = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)  # the orphaned workers, which kept the group
        except ProcessLookupError:
            pass
