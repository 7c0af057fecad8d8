"""The output plan: every file a build writes (feeds, archive pages, feed pages, site index, OPML,
XSL, news sitemaps), each planned with the digest of everything its bytes depend on.

The one place that decides what is stale: a planned file is made only when the digest the cache
recorded for it differs or the file is gone, and a recorded file no longer planned is removed.
Writes go through `write_if_changed` at a path confined to OUT; the cache (its `outputs`) then
records the digest each file stands for.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from syndicate.system.output import confined, write_if_changed

log = logging.getLogger(__name__)


def inputs_digest(value: object) -> str:
    """What a planned file's bytes depend on, as one string: equal digests mean equal bytes."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


class Record(Protocol):
    """Where each file's digest is kept between builds: the build's cache (pipeline/cache.py)."""

    @property
    def outputs(self) -> dict[str, str]: ...


class OutputPlan:
    """The files of one build. `want` decides, `write` (or a worker's write, then `record`) makes."""

    def __init__(self, cache: Record, out_dir: Path):
        self.cache = cache
        self.out_dir = out_dir
        self._planned: dict[str, str] = {}  # path in OUT -> its inputs, in the order planned
        self._outcome: dict[str, bool | None] = {}  # path -> written (True), unchanged (False), to make (None)

    @property
    def recorded(self) -> dict[str, str]:
        """Path in OUT -> digest of the inputs it was last written from. Looked up each time: a
        cache found damaged while the build reads it starts over with an empty record."""
        return self.cache.outputs

    def is_current(self, rel: str, inputs: str) -> bool:
        # A plain isfile: it only reads; every write goes through `path`, which is confined.
        return self.recorded.get(rel) == inputs and os.path.isfile(os.path.join(self.out_dir, rel))

    def on_disk(self, covers: Callable[[str], bool]) -> bool:
        """Whether every recorded file in `covers` is still there (a build with nothing new to plan)."""
        return all(os.path.isfile(os.path.join(self.out_dir, rel)) for rel in self.recorded if covers(rel))

    def want(self, rel: str, inputs: str) -> bool:
        """Plan a file; True when it must be made (its bytes may differ from the file on disk)."""
        self._planned[rel] = inputs
        current = self.is_current(rel, inputs)
        self._outcome[rel] = False if current else None
        return not current

    def path(self, rel: str) -> Path:
        """Where a planned file goes, for a writer on another process (it then reports to `record`)."""
        return confined(self.out_dir, rel)

    def record(self, rel: str, written: bool) -> None:
        """A wanted file is on disk, `written` or found already holding those bytes."""
        self._outcome[rel] = written
        self.recorded[rel] = self._planned[rel]

    def write(self, rel: str, data: bytes) -> None:
        self.record(rel, write_if_changed(self.path(rel), data))

    def put(self, rel: str, inputs: str, make: Callable[[], bytes]) -> None:
        """Plan a file and make it now if it must be; `make` is not called for a current file."""
        if self.want(rel, inputs):
            self.write(rel, make())

    @property
    def produced(self) -> set[str]:
        return set(self._planned)

    @property
    def written(self) -> list[str]:
        """The files whose bytes changed, in the order planned."""
        return [rel for rel, written in self._outcome.items() if written]

    @property
    def unchanged(self) -> int:
        return sum(written is False for written in self._outcome.values())

    def remove_stale(self, covers: Callable[[str], bool]) -> list[str]:
        """Remove the recorded files this build did not plan (a category emptied or excluded);
        only those `covers` says are this build's, so a daemon channel leaves others' files alone."""
        stale = sorted(rel for rel in set(self.recorded) - set(self._planned) if covers(rel))
        for rel in stale:
            try:
                self.path(rel).unlink()
                log.info("removed %s: no feed produces it any more", rel)
            except FileNotFoundError:
                pass
            del self.recorded[rel]
        return stale
