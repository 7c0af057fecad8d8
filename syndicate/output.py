"""Writing outputs: atomically (temp file in the same folder, then rename) and only when changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True
