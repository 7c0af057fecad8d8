"""One writer per state folder: `run` holds `STATE/lock` for its whole life, `build` while it builds.

The lock is an flock(2) on the file, so the kernel releases it when the holder dies: a crashed
daemon never leaves a stale lock behind. The file holds the holder's PID, for messages only.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI loads this module before anything else: no pathlib at run time
    from pathlib import Path

WAIT = 5.0  # seconds a second writer waits before giving up
_POLL = 0.1


class LockBusy(Exception):
    """Another process holds the state folder; the message names it."""


@contextmanager
def state_lock(state_dir: Path, wait: float = WAIT) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockBusy(f"{path} is held by {_describe(_read_pid(fd))}, which writes to the same "
                               f"state and outputs; waited {wait:g}s. Stop it first, or use another --state")
            time.sleep(_POLL)
        # The lock must stay on this inode, so the PID is written in place rather than renamed in;
        # a reader catching the file between truncate and write just cannot name the holder.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def holder(state_dir: Path) -> int | None:
    """The PID holding the state folder's lock (0 when it cannot be read), or None when it is free."""
    try:
        fd = os.open(state_dir / "lock", os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        if _try_lock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        return _read_pid(fd) or 0
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _describe(pid: int | None) -> str:
    return f"process {pid}" if pid else "another process"
