"""Show each daemon job's next run, last run, outcome and last error, read from the state folder.

With no SITE and no --state, every state folder under the default location is shown. Exits 0
when the daemon is running and every job's last run went well, 1 when the daemon is not running
or a job's last run failed or was missed, 2 when there is no job state to show.

example:
  syndicate status --state state
  syndicate status examples/site
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from syndicate.commands.common import state_base, state_dir
from syndicate.daemon import jobstate
from syndicate.system.lock import holder

COLUMNS = ("JOB", "KIND", "SCHEDULE", "NEXT RUN", "LAST RUN", "OUTCOME", "TOOK", "ITEMS", "SENT", "LAST ERROR")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", type=Path, nargs="?", help="the site whose default state folder to read")
    p.add_argument("--state", type=Path, metavar="DIR", help="the state folder `run` was given")


def run(args: argparse.Namespace) -> int:
    if args.state is not None or args.site is not None:
        folders = [state_dir(args)]
    else:
        folders = sorted(p.parent for p in state_base().glob(f"*/{jobstate.FILE}"))
    codes = []
    for folder in folders:
        try:
            doc = jobstate.load(folder)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        if not doc.get("jobs"):
            print(f"{folder}: no daemon has run with this state folder", file=sys.stderr)
            continue
        pid = holder(folder)
        print(report(folder, doc, pid))
        codes.append(0 if healthy(doc, pid) else 1)
    if not folders:
        print(f"no state folders under {state_base()}; pass --state DIR", file=sys.stderr)
    return max(codes) if codes else 2


def healthy(doc: dict[str, Any], pid: int | None) -> bool:
    return pid is not None and all(job.get("outcome") in ("ok", "stopped", None) for job in doc["jobs"].values())


def report(folder: Path, doc: dict[str, Any], pid: int | None) -> str:
    """The status text for one state folder: a header line, then one row per job."""
    daemon = doc.get("daemon", {})
    if pid is not None:
        head = f"daemon running (pid {pid or '?'}) since {_time(daemon.get('started'))}"
    elif daemon.get("stopped"):
        head = f"daemon not running; stopped {_time(daemon['stopped'])}"
    else:
        head = f"daemon not running; it did not stop cleanly (pid {daemon.get('pid', '?')})"
    rows = [COLUMNS]
    for job_id, job in doc["jobs"].items():
        items = job.get("items")
        rows.append((
            job_id, job.get("kind", "?"), job.get("schedule", "?"),
            _time(job.get("next_run")) if pid is not None else "-",
            _time(job.get("last_run")), job.get("outcome") or "never run",
            f"{job['duration']:.2f}s" if job.get("duration") is not None else "-",
            "-" if items is None else str(items), str(job.get("digests_sent", "-")),
            f"{_time(job['last_error_at'])}: {job['last_error']}" if job.get("last_error") else "-",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows]
    site = f" ({daemon['site']})" if daemon.get("site") else ""
    return "\n".join([f"{folder}{site}: {head}", *lines])


def _time(iso: str | None) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
