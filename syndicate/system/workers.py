"""Running a pure function over many items on every core, for the heavy stages of a cold
build: parsing front matter, rendering bodies and serialising feeds. Small batches stay
in-process: starting workers costs more than it saves."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def map_parallel(func: Callable[[T], R], items: Sequence[T], *, workers: int, min_items: int) -> list[R]:
    """`[func(x) for x in items]`, spread over `workers` processes when there are enough items.

    `func` must be a module-level function of picklable arguments and results; order is kept.
    """
    if workers < 2 or len(items) < min_items:
        return [func(item) for item in items]
    chunk = max(1, len(items) // (workers * 8))
    with _fork_pool(workers) as pool:
        return list(pool.map(func, items, chunksize=chunk))


_inherited: Sequence = ()  # the items of map_in_background's workers: set only while they run


@contextmanager
def map_in_background(func: Callable[[T], R], items: Sequence[T], *, workers: int, min_items: int,
                      in_process: Callable[[Sequence[T]], list[R]] | None = None) -> Iterator[Callable[[], list[R]]]:
    """Start `[func(x) for x in items]` on forked workers, and yield a function that waits for
    the results: the caller works on meanwhile. The workers inherit `items` (feeds full of
    rendered posts cost more to pickle than to write) and are sent only their positions.
    With fewer than `min_items` items or 2 workers, the work runs in-process at once (a saved
    post's feeds go to disk before anything else is done), by `in_process(items)` when given:
    the same results, done together.
    """
    global _inherited
    if workers < 2 or len(items) < min_items:
        results = in_process(items) if in_process else [func(item) for item in items]
        yield lambda: results
        return
    _inherited = items
    try:
        # A fork pool starts all its workers at the first submit, here, in the calling thread.
        with _fork_pool(min(workers, len(items))) as pool:
            futures = [pool.submit(_call_inherited, (func, i)) for i in range(len(items))]
            yield lambda: [future.result() for future in futures]
    finally:
        _inherited = ()


def _fork_pool(workers: int) -> ProcessPoolExecutor:
    # Loaded here: a rebuild of a few posts never starts workers and need not pay for the imports.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the loaded modules, so they start in milliseconds. Callers that run
    # threads (the daemon) pass workers=1 and never get here.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _call_inherited(task: tuple[Callable, int]) -> object:
    func, index = task
    return func(_inherited[index])


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a build killed with -9: it would hold the state lock (an inherited
    open file) and block every later build. Linux's PR_SET_PDEATHSIG kills it with its parent."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown is all there is
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
