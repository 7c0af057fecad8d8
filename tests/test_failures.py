"""File-system failures of build and digest on the sample site: one `error:` line naming the
path and the cause, a distinct exit status, never a traceback. Full and read-only disks are
real tmpfs mounts (root only; skipped elsewhere); the other cases run everywhere."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicate.cli import main
from syndicate.system import output
from syndicate.system.failures import EXIT_DISK_FULL, EXIT_NOT_A_FOLDER, EXIT_NOT_PERMITTED, EXIT_READ_ONLY

NOW = "2018-08-01T12:00:00+07:00"
DIGEST = ["digest", "--language", "english", "--period", "weekly", "--date", "2018-07-30"]


def _mount(where: Path, *options: str) -> None:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 200 KB file system: the sample site's feeds do not fit, nor does its cache."""
    disk = tmp_path / "tiny"
    _mount(disk, "size=200k")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "ro"
    _mount(disk, "size=1m")
    (disk / "out").mkdir()
    (disk / "state").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def _run(command: list[str], site: Path, out: Path, state: Path, capsys) -> tuple[int, str]:
    status = main([command[0], str(site), *command[1:], "--out", str(out), "--state", str(state), "--now", NOW, "-q"])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    return status, lines[0]


@pytest.mark.parametrize("command", [["build"], DIGEST], ids=["build", "digest"])
def test_a_full_output_disk(sample_site: Path, tiny_disk: Path, tmp_path: Path, capsys, command: list[str]):
    if command is DIGEST:  # a digest is small: fill the disk first
        (tiny_disk / "filler").write_bytes(b"x" * 190_000)
    status, line = _run(command, sample_site, tiny_disk / "out", tmp_path / "state", capsys)
    assert status == EXIT_DISK_FULL
    assert line.startswith(f"error: {tiny_disk / 'out'}/") and line.endswith(": no space left on the device")


@pytest.mark.parametrize("command", [["build"], DIGEST], ids=["build", "digest"])
def test_a_full_state_disk(sample_site: Path, tiny_disk: Path, tmp_path: Path, capsys, command: list[str]):
    status, line = _run(command, sample_site, tmp_path / "out", tiny_disk / "state", capsys)
    assert (status, line) == (EXIT_DISK_FULL, f"error: {tiny_disk / 'state'}: no space left on the device "
                                              "(database or disk is full)")


@pytest.mark.parametrize("command", [["build"], DIGEST], ids=["build", "digest"])
def test_read_only_output_and_state(sample_site: Path, read_only_disk: Path, tmp_path: Path, capsys,
                                    command: list[str]):
    status, line = _run(command, sample_site, read_only_disk / "out", tmp_path / "state", capsys)
    assert status == EXIT_READ_ONLY
    assert line.startswith(f"error: {read_only_disk / 'out'}/") and line.endswith(": read-only file system")
    status, line = _run(command, sample_site, tmp_path / "out", read_only_disk / "state", capsys)
    assert (status, line) == (EXIT_READ_ONLY, f"error: {read_only_disk / 'state' / 'lock'}: read-only file system")


@pytest.mark.parametrize("command", [["build"], DIGEST], ids=["build", "digest"])
def test_output_or_state_that_is_a_file(sample_site: Path, tmp_path: Path, capsys, command: list[str]):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    status, line = _run(command, sample_site, a_file, tmp_path / "state", capsys)
    assert (status, line) == (EXIT_NOT_A_FOLDER, f"error: {a_file}: a file is where a folder should be")
    status, line = _run(command, sample_site, tmp_path / "out", a_file, capsys)
    assert (status, line) == (EXIT_NOT_A_FOLDER, f"error: {a_file}: a file is where a folder should be")


def test_an_output_folder_that_cannot_be_written(sample_site: Path, tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch):
    """chmod does not stop root, so the refusal is the kernel's answer, simulated."""
    def refuse(*args, dir: str, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", dir)

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    status, line = _run(["build"], sample_site, tmp_path / "out", tmp_path / "state", capsys)
    assert status == EXIT_NOT_PERMITTED
    assert line.startswith(f"error: {tmp_path / 'out'}") and line.endswith(": permission denied")


def test_a_write_that_fails_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """write() and fsync() say ENOSPC without a file name; the error must carry it, across a
    worker process too (the exception is pickled with its arguments)."""
    import pickle

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(OSError) as caught:
        output.write_if_changed(tmp_path / "feed.xml", b"<rss/>")
    assert pickle.loads(pickle.dumps(caught.value)).filename == str(tmp_path / "feed.xml")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_only_file_system_failures_are_described():
    from syndicate.system.failures import EXIT_IO_ERROR, describe

    assert describe(OSError(errno.EIO, "Input/output error", "/srv/out/feed.xml")) == (
        EXIT_IO_ERROR, "/srv/out/feed.xml: Input/output error")
    assert describe(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) is None  # a bug: traceback
    assert describe(ValueError("no")) is None
