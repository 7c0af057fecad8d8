"""A progress bar for long builds on a terminal; silent anywhere else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from syndicate.pipeline.site import Progress

SHOW_FROM = 2000  # smaller sites finish before a bar would be worth drawing


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as RichProgress  # only on a terminal: rich costs import time

    with RichProgress(transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < SHOW_FROM and stage == "read":
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update
