"""output.py: the guard that keeps every path inside OUT, the atomic write that skips identical
bytes, and the sweep of temporary files left by killed writers. Fast on purpose: the mutation
run (docs/testing.md) runs these for every mutant of output.py."""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syndicate.system.output import UnsafePath, confined, remove_stale_temps, write_if_changed


@pytest.mark.parametrize("relative", ["feed.xml", "english/feed.xml", "english/../khmer/atom.xml", "", ".", "a/.."])
def test_paths_inside_out_are_kept(tmp_path, relative):
    assert confined(tmp_path, relative) == Path(os.path.abspath(tmp_path / relative))


@pytest.mark.parametrize("relative", ["..", "../x", "a/../../x", "/etc/passwd", "../" + "out-sibling/feed.xml"])
def test_paths_that_escape_out_are_refused(tmp_path, relative):
    out = tmp_path / "out"
    with pytest.raises(UnsafePath, match=f"{relative!r} is outside {out}"):
        confined(out, relative)


def test_a_folder_whose_name_starts_like_out_is_still_outside(tmp_path):
    with pytest.raises(UnsafePath):
        confined(tmp_path / "out", "../out-other/feed.xml")


def test_confined_works_from_a_relative_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert confined(Path("out"), "a/b.xml") == tmp_path / "out" / "a" / "b.xml"
    with pytest.raises(UnsafePath):
        confined(Path("out"), "../b.xml")


def test_write_if_changed_writes_only_new_bytes(tmp_path):
    path = tmp_path / "deep" / "er" / "feed.xml"
    assert write_if_changed(path, b"one") is True
    assert path.read_bytes() == b"one"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    mtime = path.stat().st_mtime_ns
    assert write_if_changed(path, b"one") is False
    assert path.stat().st_mtime_ns == mtime
    assert write_if_changed(path, b"two") is True  # same size, other bytes
    assert write_if_changed(path, b"three") is True
    assert path.read_bytes() == b"three"
    assert sorted(p.name for p in path.parent.iterdir()) == ["feed.xml"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "feed.xml"
    path.write_bytes(b"old")

    def broken(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space left on device") as raised:
        write_if_changed(path, b"new")
    assert raised.value.filename == str(path)  # the error names the file it was writing
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_stale_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    (tmp_path / "english").mkdir()
    left = tmp_path / "english" / f".feed.xml.{dead_pid}.abc123.tmp"
    live = tmp_path / f".atom.xml.{os.getpid()}.def456.tmp"
    init = tmp_path / ".feed.json.1.x.tmp"  # pid 1 is never ours to judge dead
    unrelated = [tmp_path / "feed.xml", tmp_path / f".feed.xml.{dead_pid}.tmp", tmp_path / f"x.{dead_pid}.a.tmp"]
    for path in (left, live, init, *unrelated):
        path.write_bytes(b"")
    assert remove_stale_temps(tmp_path) == [f"english/.feed.xml.{dead_pid}.abc123.tmp"]
    assert not left.exists() and live.exists() and init.exists() and all(p.exists() for p in unrelated)
    assert remove_stale_temps(tmp_path / "no-such-folder") == []


LIVE_WRITER = """
import ctypes, signal, sys, time
signal.signal(signal.SIGHUP, signal.SIG_DFL)  # whatever the test runner ignores
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME: the name /proc/PID/stat shows
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("name", ["python3", "w) Z (x"])  # a name with ") Z " must not read as a zombie
def test_a_live_writer_is_left_alone_and_not_signalled(tmp_path, name):
    writer = subprocess.Popen([sys.executable, "-c", LIVE_WRITER, name], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        (tmp_path / f".feed.xml.{writer.pid}.abc.tmp").write_bytes(b"")
        assert remove_stale_temps(tmp_path) == []
        with pytest.raises(subprocess.TimeoutExpired):  # asked with signal 0, never sent a real one
            writer.wait(timeout=0.5)
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def test_another_users_writer_counts_as_alive(tmp_path, monkeypatch):
    def not_permitted(pid, signal):
        raise PermissionError(pid)

    monkeypatch.setattr(os, "kill", not_permitted)
    (tmp_path / ".feed.xml.4242.abc.tmp").write_bytes(b"")
    assert remove_stale_temps(tmp_path) == []


def test_a_writer_whose_state_cannot_be_read_counts_as_alive(tmp_path, monkeypatch):
    """Off Linux there is no /proc: a process that answers signal 0 is taken as alive."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    monkeypatch.setattr(os, "kill", lambda pid, signal: None)  # pretends it still exists
    (tmp_path / f".feed.xml.{int(dead.stdout)}.abc.tmp").write_bytes(b"")
    assert remove_stale_temps(tmp_path) == []


def test_a_zombie_writer_counts_as_dead(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        while _state(child.pid) != "Z":  # exited, not reaped yet
            time.sleep(0.01)
        (tmp_path / f".feed.xml.{child.pid}.abc.tmp").write_bytes(b"")
        assert remove_stale_temps(tmp_path) == [f".feed.xml.{child.pid}.abc.tmp"]
    finally:
        child.wait()


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return fh.read().rpartition(b")")[2].split()[0].decode()


def test_the_temporary_file_is_beside_the_target_named_for_its_writer(tmp_path, monkeypatch):
    """Beside it, so the rename is atomic (same file system); named so remove_stale_temps knows it."""
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    path = tmp_path / "english" / "feed.xml"
    write_if_changed(path, b"data")
    ((temp, target),) = renames
    assert target == path and temp.parent == path.parent
    assert re.fullmatch(rf"\.feed\.xml\.{os.getpid()}\.\w+\.tmp", temp.name)


def test_each_stale_temporary_is_logged_and_one_gone_meanwhile_stops_nothing(tmp_path, monkeypatch, caplog):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    names = [f".{name}.{int(dead.stdout)}.abc.tmp" for name in ("atom.xml", "feed.json", "feed.xml")]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    real_unlink, calls = os.unlink, []

    def another_sweeper_first(path):  # the first file goes just before this sweep reaches it
        calls.append(path)
        real_unlink(path)
        if len(calls) == 1:
            raise FileNotFoundError(path)

    monkeypatch.setattr(os, "unlink", another_sweeper_first)
    with caplog.at_level(logging.INFO, logger="syndicate.system.output"):
        removed = remove_stale_temps(tmp_path)
    assert len(calls) == 3 and len(removed) == 2 and not list(tmp_path.iterdir())
    assert [r.getMessage() for r in caplog.records] == [f"removed {name}, left by a writer that was stopped"
                                                       for name in removed]


def test_a_failed_write_keeps_the_errors_number_and_an_error_naming_a_file_as_it_is(tmp_path, monkeypatch):
    path = tmp_path / "feed.xml"
    own = OSError(errno.EACCES, "Permission denied", "/elsewhere/x")

    def refused(*_):
        raise own

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(OSError) as raised:
        write_if_changed(path, b"new")
    assert raised.value is own  # already names its file: not renamed after the target

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as raised:
        write_if_changed(path, b"new")
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(path))


def test_an_interrupted_write_leaves_no_temporary_and_the_interruption_goes_on(tmp_path, monkeypatch):
    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_if_changed(tmp_path / "feed.xml", b"new")
    assert list(tmp_path.iterdir()) == []
