"""The digest ledger: which posts went into which digest of which list, and whether it was sent.

A small SQLite database, `STATE/ledger.sqlite`, in WAL mode so a reader (the CLI) never blocks
the writer (the daemon). Every change runs in one `BEGIN IMMEDIATE` transaction, so two
processes producing the same digest cannot both record it. Times are stored as whole seconds
since the epoch and handed back as aware UTC datetimes.

A digest moves through three states: "produced" (files written, recorded here), "pending" (a
sender has taken it), "sent" (delivered). A digest is never moved back from "sent".
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

Status = Literal["produced", "pending", "sent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (
    list_id      TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    message_id   TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL DEFAULT 'produced' CHECK (status IN ('produced', 'pending', 'sent')),
    paths        TEXT    NOT NULL,
    PRIMARY KEY (list_id, window_end)
);
CREATE TABLE IF NOT EXISTS digest_posts (
    list_id    TEXT    NOT NULL,
    window_end INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    post_id    TEXT    NOT NULL,
    PRIMARY KEY (list_id, window_end, position),
    FOREIGN KEY (list_id, window_end) REFERENCES digests (list_id, window_end) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS digest_posts_by_post ON digest_posts (list_id, post_id);
"""


class LedgerConflict(Exception):
    """Recording a digest would put a post into two digests of the same list."""


@dataclass(frozen=True, slots=True)
class DigestRecord:
    list_id: str
    window_start: datetime  # aware UTC, inclusive
    window_end: datetime  # aware UTC, exclusive
    message_id: str
    post_ids: tuple[str, ...]  # in the digest's order
    paths: dict[str, Path]  # "html", "txt", "eml", "json" -> file
    status: Status = "produced"


class Ledger:
    """`Ledger(state_dir)` opens (creating if needed) `state_dir/ledger.sqlite`.

    Use it as a context manager, or call `close()`. One instance may be shared by threads.
    """

    def __init__(self, state_dir: Path):
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "ledger.sqlite"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a commit is on disk when it returns: "sent" survives a power cut
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def record(self, list_id: str, window_start: datetime, window_end: datetime, message_id: str,
               post_ids: Iterable[str], paths: Mapping[str, Path | str]) -> DigestRecord:
        """Record a produced digest and return it.

        Idempotent: when `list_id` already has a digest ending at `window_end`, that record is
        returned unchanged. Raises LedgerConflict when a post is already in another digest of
        the list (each post reaches each list exactly once).
        """
        post_ids = tuple(post_ids)
        end = _seconds(window_end)
        with self._write() as db:
            existing = self._find(db, list_id, end)
            if existing is not None:
                return existing
            if post_ids:
                marks = ",".join("?" * len(post_ids))
                taken = db.execute(f"SELECT post_id, window_end FROM digest_posts WHERE list_id = ? "
                                   f"AND post_id IN ({marks}) ORDER BY post_id LIMIT 1",
                                   (list_id, *post_ids)).fetchone()
                if taken:
                    raise LedgerConflict(f"{taken[0]} is already in the {list_id} digest ending "
                                         f"{_datetime(taken[1]).isoformat()}")
            db.execute("INSERT INTO digests (list_id, window_start, window_end, message_id, paths) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (list_id, _seconds(window_start), end, message_id,
                        json.dumps({k: str(v) for k, v in sorted(paths.items())})))
            db.executemany("INSERT INTO digest_posts (list_id, window_end, position, post_id) VALUES (?, ?, ?, ?)",
                           [(list_id, end, i, post) for i, post in enumerate(post_ids)])
            return self._find(db, list_id, end)

    def find(self, list_id: str, window_end: datetime) -> DigestRecord | None:
        """The digest of `list_id` whose window ends at `window_end`, if one was recorded."""
        with self._read() as db:
            return self._find(db, list_id, _seconds(window_end))

    def last(self, list_id: str) -> DigestRecord | None:
        """The digest of `list_id` with the latest window end."""
        return self._edge(list_id, "DESC")

    def first(self, list_id: str) -> DigestRecord | None:
        """The digest of `list_id` with the earliest window end: where the list's history starts."""
        return self._edge(list_id, "ASC")

    def contains(self, list_id: str, post_id: str) -> bool:
        """Whether any digest of `list_id` already carries `post_id`."""
        with self._read() as db:
            return db.execute("SELECT 1 FROM digest_posts WHERE list_id = ? AND post_id = ? LIMIT 1",
                              (list_id, post_id)).fetchone() is not None

    def mark_pending(self, message_id: str) -> None:
        """A sender has taken the digest. A sent digest stays sent. KeyError for unknown ids."""
        self._set_status(message_id, "pending", "status = 'produced'")

    def mark_sent(self, message_id: str) -> None:
        """The digest was delivered. KeyError for unknown ids."""
        self._set_status(message_id, "sent", "1")

    def status(self, message_id: str) -> Status:
        """"produced", "pending" or "sent". KeyError for unknown ids."""
        with self._read() as db:
            row = db.execute("SELECT status FROM digests WHERE message_id = ?", (message_id,)).fetchone()
        if row is None:
            raise KeyError(message_id)
        return row[0]

    def unsent(self, list_id: str | None = None) -> list[DigestRecord]:
        """Digests not yet sent (produced or pending), oldest window first; all lists when None."""
        where, args = ("AND list_id = ?", (list_id,)) if list_id is not None else ("", ())
        with self._read() as db:
            rows = db.execute(f"SELECT list_id, window_end FROM digests WHERE status != 'sent' {where} "
                              "ORDER BY window_end, list_id", args).fetchall()
            return [self._find(db, lid, end) for lid, end in rows]

    def _edge(self, list_id: str, order: str) -> DigestRecord | None:
        with self._read() as db:
            row = db.execute(f"SELECT window_end FROM digests WHERE list_id = ? ORDER BY window_end {order} LIMIT 1",
                             (list_id,)).fetchone()
            return self._find(db, list_id, row[0]) if row else None

    def _set_status(self, message_id: str, status: Status, when: str) -> None:
        with self._write() as db:
            if db.execute("SELECT 1 FROM digests WHERE message_id = ?", (message_id,)).fetchone() is None:
                raise KeyError(message_id)
            db.execute(f"UPDATE digests SET status = ? WHERE message_id = ? AND {when}", (status, message_id))

    @staticmethod
    def _find(db: sqlite3.Connection, list_id: str, end: int) -> DigestRecord | None:
        row = db.execute("SELECT window_start, message_id, status, paths FROM digests "
                         "WHERE list_id = ? AND window_end = ?", (list_id, end)).fetchone()
        if row is None:
            return None
        posts = db.execute("SELECT post_id FROM digest_posts WHERE list_id = ? AND window_end = ? ORDER BY position",
                           (list_id, end)).fetchall()
        start, message_id, status, paths = row
        return DigestRecord(list_id, _datetime(start), _datetime(end), message_id, tuple(p for (p,) in posts),
                            {k: Path(v) for k, v in json.loads(paths).items()}, status)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def _seconds(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError(f"the ledger needs aware datetimes, got {when!r}")
    return int(when.timestamp())


def _datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)
