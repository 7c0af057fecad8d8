"""The persistent build cache in the state folder (SQLite).

What it keeps, per post file keyed by path and (size, mtime_ns):
- the selection Entry of every post, as one marshalled list: loading it costs milliseconds even
  for 100,000 posts, where unpickling 100,000 Post objects would cost seconds. Files changed
  since that list was written are kept beside it as a small list of changes, so a build that
  read one new post does not rewrite the whole index (compacted once the changes grow);
- the full Post header and the rendered HTML, read back only for posts that land in a feed;
- the problems a file had, and what rendering its body repaired or dropped, so every build
  reports them again without reading the file or its rendered HTML;
- the bodies whose rendering read `site.posts`, with that list's digest: they depend on every
  other post, and are rendered again when the list changes (site.py);
and per output file, the digest of the inputs it was last written from.

Everything is keyed by `cache_key` (syndicate version, settings, templates): a cache written by
another version or configuration, or one that cannot be read, is discarded and rebuilt.
"""

from __future__ import annotations

import logging
import marshal
import pickle
import sqlite3
from contextlib import closing
from dataclasses import astuple
from pathlib import Path
from typing import NamedTuple

from syndicate.model import Problem
from syndicate.select import Entry

log = logging.getLogger(__name__)
SCHEMA = 3
Fingerprint = tuple[int, int]  # (size, mtime_ns)
# The index is rewritten whole once the changes kept beside it outgrow this share of it.
COMPACT_SHARE = 1 / 16


class HeaderRecord(NamedTuple):
    """One parsed file, as the cache keeps it."""

    source: str
    fingerprint: Fingerprint
    entry: Entry | None  # None: the file yields no post
    header: bytes  # the pickled Post (or None)
    problems: tuple[Problem, ...]


class Cache:
    def __init__(self, path: Path | None, key: str):
        self.path = path
        self.key = key
        self._entries: dict[str, tuple[Fingerprint, Entry | None]] | None = {}  # None: not decoded yet
        self._entries_blob = b""
        # Source -> (fingerprint, entry tuple or None) or, for a removed file, None: what changed
        # since the index blob was written. Applied over it when the index is decoded.
        self._changes: dict[str, tuple | None] = {}
        self._problems: dict[str, list[tuple]] = {}  # source -> its problems, as plain tuples
        self._render_problems: dict[str, list[tuple]] = {}  # source -> what rendering its body found
        self._post_list_readers: dict[str, str] = {}  # source -> digest of the `site.posts` its body read
        self.outputs: dict[str, str] = {}  # output path relative to OUT -> inputs digest
        self.state: dict[str, object] = {}
        self._db: sqlite3.Connection | None = None
        self._dirty_entries = False
        if path is not None:
            self._open()

    # -- loading -------------------------------------------------------------------------------
    def _open(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect()
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema") != SCHEMA or meta.get("key") != self.key:
                self._reset("written by another version or configuration" if meta else None)
                return
            self._entries, self._entries_blob = None, meta["entries"]
            self._changes = marshal.loads(meta["changes"])
            self._problems = marshal.loads(meta["problems"])
            self._render_problems = marshal.loads(meta["render_problems"])
            self._post_list_readers = marshal.loads(meta["post_list_readers"])
            self.outputs = marshal.loads(meta["outputs"])
            self.state = marshal.loads(meta["state"])
        except Exception as exc:  # a cache is never trusted: any damage means start over
            log.warning("cache %s unreadable (%s); rebuilding it", self.path, exc)
            self._reset(None, remove=True)

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread off: the daemon keeps a cache open across builds, which run on its
        # scheduler's thread or its watcher's, one at a time (Daemon._serial).
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # A rollback journal, not WAL: one process uses the cache at a time (the state lock), and
        # WAL writes a cold build's 30 MB twice, once to the log and once more at the checkpoint.
        # A commit is atomic either way; FULL also syncs the journal's header, so that not even
        # a power cut can leave a torn database.
        db.execute("PRAGMA journal_mode=TRUNCATE")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
            CREATE TABLE IF NOT EXISTS posts (source TEXT PRIMARY KEY, size INT, mtime_ns INT,
                                              header BLOB, rendered BLOB);
        """)
        return db

    def _reset(self, reason: str | None, remove: bool = False) -> None:
        if reason:
            log.info("cache %s %s; starting afresh", self.path, reason)
        if self._db is not None:
            self._db.close()
        if remove and self.path is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):  # -wal, -shm: from caches kept in WAL mode by earlier builds
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._db = self._connect()
        self._db.executescript("DELETE FROM meta; DELETE FROM posts;")
        self._entries, self.outputs, self.state, self._changes = {}, {}, {}, {}
        self._problems, self._render_problems, self._post_list_readers = {}, {}, {}
        self._entries_blob = b""  # nothing on disk: the first commit writes the whole index
        self._dirty_entries = True

    @property
    def entries(self) -> dict[str, tuple[Fingerprint, Entry | None]]:
        """Every file's fingerprint and entry (None: the file had no post). Decoded on first use:
        a build with nothing to do never needs them."""
        if self._entries is None:
            try:
                self._entries = self._decode_entries()
            except Exception as exc:  # damaged since it was written: parse every file again
                log.warning("cache %s has an unreadable index (%s); rebuilding it", self.path, exc)
                self._reset(None)
        return self._entries

    def _decode_entries(self) -> dict[str, tuple[Fingerprint, Entry | None]]:
        # tuple.__new__ skips Entry._make's checks, a third of the time for 100,000 entries:
        # marshal gives back exactly the tuples commit() wrote, and the cache key covers the code.
        make = tuple.__new__
        entries = {src: (fp, make(Entry, e) if e else None) for src, fp, e in marshal.loads(self._entries_blob)}
        for src, change in self._changes.items():
            if change is None:
                entries.pop(src, None)
            else:
                entries[src] = (change[0], make(Entry, change[1]) if change[1] else None)
        return entries

    # -- per post ------------------------------------------------------------------------------
    def header(self, source: str, fp: Fingerprint) -> bytes:
        """The pickled Post (or None) of an unchanged file whose entry the index holds."""
        row = self._row(source, fp, "header")
        if row is None:
            raise KeyError(f"{source}: not in the cache")
        return row

    def rendered(self, source: str, fp: Fingerprint) -> object | None:
        row = self._row(source, fp, "rendered")
        return pickle.loads(row) if row is not None else None

    def _row(self, source: str, fp: Fingerprint, column: str) -> bytes | None:
        if self._db is None:
            return None
        row = self._db.execute(f"SELECT {column} FROM posts WHERE source=? AND size=? AND mtime_ns=?",
                               (source, fp[0], fp[1])).fetchone()
        return row[0] if row and row[0] is not None else None

    @property
    def problem_sources(self) -> set[str]:
        return set(self._problems)

    def problems(self, source: str) -> list[Problem]:
        return [Problem(*p) for p in self._problems.get(source, ())]

    def render_problems(self, source: str) -> list[Problem]:
        """What rendering the file as it is now found (nothing when it has not been rendered)."""
        return [Problem(*p) for p in self._render_problems.get(source, ())]

    def post_list_read(self, source: str) -> str | None:
        """The digest of the `site.posts` the file's body was rendered with, when it read it."""
        return self._post_list_readers.get(source)

    def put_headers(self, records: list[HeaderRecord]) -> None:
        """Remember freshly parsed files: their entries in the index, their headers as rows."""
        for r in records:
            self.entries[r.source] = (r.fingerprint, r.entry)
            self._changes[r.source] = (r.fingerprint, tuple(r.entry) if r.entry else None)
            self._problems.pop(r.source, None)
            self._render_problems.pop(r.source, None)  # the body changed too: rendered again when needed
            self._post_list_readers.pop(r.source, None)
            if r.problems:
                self._problems[r.source] = [astuple(p) for p in r.problems]
        if records:
            self._dirty_entries = True
        if self._db is not None:
            self._db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?, NULL)",
                                 [(r.source, r.fingerprint[0], r.fingerprint[1], r.header) for r in records])

    def put_rendered(self, source: str, fp: Fingerprint,
                     rendered: tuple[str, str, tuple[Problem, ...], str | None]) -> None:
        """Keep a post's (html, summary, problems, digest of the `site.posts` it read); the
        problems and the digest also go in the index."""
        if rendered[2]:
            self._render_problems[source] = [astuple(p) for p in rendered[2]]
        else:
            self._render_problems.pop(source, None)
        if rendered[3] is not None:
            self._post_list_readers[source] = rendered[3]
        else:
            self._post_list_readers.pop(source, None)
        self._dirty_entries = True
        if self._db is not None:
            self._db.execute("UPDATE posts SET rendered=? WHERE source=? AND size=? AND mtime_ns=?",
                             (pickle.dumps(rendered, 5), source, fp[0], fp[1]))

    def forget(self, sources: set[str]) -> None:
        """Drop files that are gone from the site."""
        for source in sources:
            del self.entries[source]
            self._changes[source] = None
            self._problems.pop(source, None)
            self._render_problems.pop(source, None)
            self._post_list_readers.pop(source, None)
        if sources:
            self._dirty_entries = True
        if sources and self._db is not None:
            self._db.executemany("DELETE FROM posts WHERE source=?", [(s,) for s in sources])

    # -- saving --------------------------------------------------------------------------------
    def begin(self) -> None:
        if self._db is not None and not self._db.in_transaction:
            self._db.execute("BEGIN")

    def commit(self) -> None:
        """Save the index, output digests and state in the same transaction as the rows."""
        if self._db is None:
            return
        self.begin()
        meta = {"schema": SCHEMA, "key": self.key, "outputs": marshal.dumps(self.outputs),
                "state": marshal.dumps(self.state)}
        if self._dirty_entries:
            if not self._entries_blob or len(self._changes) > len(self.entries) * COMPACT_SHARE:
                self._entries_blob = meta["entries"] = marshal.dumps(
                    [(src, fp, tuple(e) if e else None) for src, (fp, e) in sorted(self.entries.items())])
                self._changes = {}
            meta["changes"] = marshal.dumps(self._changes)
            meta["problems"] = marshal.dumps(self._problems)
            meta["render_problems"] = marshal.dumps(self._render_problems)
            meta["post_list_readers"] = marshal.dumps(self._post_list_readers)
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        self._db.execute("COMMIT")
        self._dirty_entries = False

    def close(self) -> None:
        if self._db is not None:
            with closing(self._db):
                pass
            self._db = None
