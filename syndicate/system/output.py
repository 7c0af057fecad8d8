"""Writing outputs: atomically (temp file in the same folder, then rename) and only when changed."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
# `.feed.xml.<pid>.<random>.tmp`: the writer's process id tells a live write from a dead one's.
_TEMP = re.compile(r"^\..+\.(\d+)\.\w+\.tmp$")


class UnsafePath(ValueError):
    """An output path that would land outside the output folder."""


def confined(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, refusing any path that escapes `out_dir`."""
    root = Path(os.path.abspath(out_dir))
    target = Path(os.path.abspath(root / relative))
    if target != root and root not in target.parents:
        raise UnsafePath(f"{relative!r} is outside {root}")
    return target


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that. True when written.

    Readers see the complete old file or the complete new one, never a mix: the bytes go to a
    temporary file beside the target, are flushed to disk, and replace it in one rename.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:  # write() and fsync() name no file
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return True


def remove_stale_temps(out_dir: Path) -> list[str]:
    """Delete the temporary files of writers killed mid-write (their process is gone), so they
    never pile up; a live writer's file is left alone. Paths removed, relative to `out_dir`."""
    removed = []
    for dirpath, _, names in os.walk(out_dir):
        for name in names:
            match = _TEMP.match(name)
            if match and not _alive(int(match.group(1))):
                path = os.path.join(dirpath, name)
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    continue
                removed.append(os.path.relpath(path, out_dir))
                log.info("removed %s, left by a writer that was stopped", removed[-1])
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has exited but was not reaped yet: a build's worker killed with its
    parent stays one until init gets round to it, and writes nothing more."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rpartition(b")")[2].split()[0] == b"Z"
    except (OSError, IndexError):  # no /proc (not Linux), or gone meanwhile
        return False
