"""Each daemon job's schedule and last run, kept in `STATE/jobs.json` for `syndicate status`.

The daemon is the only writer; every write replaces the whole file atomically, so `status` reads
either the old or the new state. The update functions are pure: document and values in, new
document out; `JobBoard` adds the file and a lock for the scheduler's threads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from syndicate.system.output import write_if_changed

FILE = "jobs.json"
Outcome = Literal["ok", "error", "missed", "stopped"]


@dataclass(frozen=True, slots=True)
class JobRun:
    job: str
    started: datetime
    duration: float
    outcome: Outcome
    items: int | None = None  # posts in the feeds written or the digests produced; None: nothing rebuilt
    files_changed: int = 0
    digests_sent: int = 0
    error: str | None = None
    undelivered: bool = False  # the run failed only in handing digests to the mail server


def started(doc: dict[str, Any], jobs: dict[str, tuple[str, str]], *, pid: int, site: str, out: str,
            now: datetime) -> dict[str, Any]:
    """The document at daemon start: `jobs` maps id -> (kind, schedule); history of kept jobs survives."""
    old = doc.get("jobs", {})
    return {
        "daemon": {"pid": pid, "site": site, "out": out, "started": now.isoformat(), "stopped": None},
        "jobs": {job: {**old.get(job, {}), "kind": kind, "schedule": schedule, "next_run": None}
                 for job, (kind, schedule) in sorted(jobs.items())},
    }


def with_run(doc: dict[str, Any], run: JobRun) -> dict[str, Any]:
    job = dict(doc["jobs"].get(run.job, {}))
    job.update(last_run=run.started.isoformat(),
               **{k: v for k, v in asdict(run).items() if k not in ("job", "started", "error")})
    if run.error is not None:  # kept after later successes, so status still shows the last failure
        job.update(last_error=run.error, last_error_at=run.started.isoformat())
    return {**doc, "jobs": {**doc["jobs"], run.job: job}}


def with_delivered(doc: dict[str, Any], jobs: list[str], when: datetime) -> dict[str, Any]:
    """Digest jobs whose last run failed only at delivery, once the retry job has delivered every
    digest they left: their outcome is ok again (the failure stays in last_error), so `status`
    does not report a list that is fine until its next scheduled run, a day or a week later."""
    changed = {job: {**doc["jobs"][job], "outcome": "ok", "undelivered": False, "delivered_late": when.isoformat()}
               for job in jobs
               if doc["jobs"].get(job, {}).get("outcome") == "error" and doc["jobs"][job].get("undelivered")}
    return {**doc, "jobs": {**doc["jobs"], **changed}} if changed else doc


def with_next_runs(doc: dict[str, Any], next_runs: dict[str, datetime | None]) -> dict[str, Any]:
    jobs = {job: {**info, "next_run": _iso(next_runs.get(job))} for job, info in doc["jobs"].items()}
    return {**doc, "jobs": jobs}


def stopped(doc: dict[str, Any], now: datetime) -> dict[str, Any]:
    return with_next_runs({**doc, "daemon": {**doc["daemon"], "stopped": now.isoformat()}}, {})


def load(state_dir: Path) -> dict[str, Any]:
    """The saved document; empty when there is none. Raises ValueError naming the file when damaged."""
    path = state_dir / FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs", {}), dict):
        raise ValueError(f"{path}: not a job state file")
    return doc


class JobBoard:
    """The daemon's copy of the document, saved after every change."""

    def __init__(self, state_dir: Path, doc: dict[str, Any]):
        self.path = state_dir / FILE
        self.doc = doc
        self._lock = threading.Lock()
        self._save()

    def update(self, change: Callable[..., dict[str, Any]], *args: Any) -> None:
        with self._lock:
            self.doc = change(self.doc, *args)
            self._save()

    def _save(self) -> None:
        write_if_changed(self.path, json.dumps(self.doc, indent=2, ensure_ascii=False).encode() + b"\n")


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None
