"""File-system failures said in the user's terms: one line naming the path and the cause, and an
exit status per cause, for the commands (cli.py) and the daemon's log alike.

Standard library only, and sqlite3 is recognised without importing it: cli.py loads this on
every command.
"""

from __future__ import annotations

import errno
from pathlib import Path

# Exit statuses, beyond 0 (done), 1 (errors in the input, with --strict or in check) and
# 2 (usage or configuration). README.md and docs/daemon.md list them.
EXIT_DISK_FULL = 3
EXIT_READ_ONLY = 4
EXIT_NOT_PERMITTED = 5
EXIT_NOT_A_FOLDER = 6
EXIT_IO_ERROR = 7

_BY_ERRNO = {
    errno.ENOSPC: (EXIT_DISK_FULL, "no space left on the device"),
    errno.EDQUOT: (EXIT_DISK_FULL, "disk quota exceeded"),
    errno.EROFS: (EXIT_READ_ONLY, "read-only file system"),
    errno.EACCES: (EXIT_NOT_PERMITTED, "permission denied"),
    errno.EPERM: (EXIT_NOT_PERMITTED, "operation not permitted"),
    errno.ENOTDIR: (EXIT_NOT_A_FOLDER, "a file is where a folder should be"),
    errno.EEXIST: (EXIT_NOT_A_FOLDER, "a file is where a folder should be"),
    errno.EISDIR: (EXIT_NOT_A_FOLDER, "a folder is where a file should be"),
}
# SQLite's own words (sqlite3.OperationalError carries no errno) -> (status, cause).
_BY_SQLITE_MESSAGE = (
    ("database or disk is full", (EXIT_DISK_FULL, "no space left on the device (database or disk is full)")),
    ("readonly database", (EXIT_READ_ONLY, "cannot write the database (read-only file system or file)")),
    ("unable to open database", (EXIT_NOT_PERMITTED, "cannot open the database (not writable, or not a folder)")),
    ("disk i/o error", (EXIT_IO_ERROR, "disk I/O error")),
)


def describe(exc: BaseException, state_dir: Path | None = None) -> tuple[int, str] | None:
    """(exit status, "path: cause") for a file-system failure, or None for any other exception.

    SQLite names no file: its failures are about the state folder, named by `state_dir`.
    """
    # An OSError about a file, or of a kind only files have; a refused connection is not one.
    if isinstance(exc, OSError) and (exc.errno in _BY_ERRNO or exc.errno is not None and exc.filename is not None):
        status, cause = _BY_ERRNO.get(exc.errno, (EXIT_IO_ERROR, exc.strerror or str(exc)))
        path = exc.filename if exc.filename is not None else "(unnamed file)"
        if exc.errno == errno.ENOTDIR:
            path = _file_in_the_way(Path(path))
        return status, f"{path}: {cause}"
    if type(exc).__module__ == "sqlite3" and type(exc).__name__ in ("OperationalError", "DatabaseError"):
        text = str(exc).lower()
        for words, (status, cause) in _BY_SQLITE_MESSAGE:
            if words in text:
                return status, f"{state_dir or 'the state folder'}: {cause}"
    return None


def _file_in_the_way(path: Path) -> Path:
    """The nearest folder of `path` that is a file: OUT itself, say, rather than OUT/english/feed.xml."""
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            return folder
    return path
