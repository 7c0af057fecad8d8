"""Where the time of a build goes, phase by phase, and how each phase grows with the site.

    python benchmarks/phases.py --posts 1000 10000 50000 100000 [--keep DIR]

For each size: generate a corpus (not timed), then in this one process, on one core (workers=1,
so that the parse and render are timed here), time each phase's wall time:
- a cold build (empty state): each phase's time per post, in µs;
- a rebuild after one new post, as the CLI does it (open, scan, decode the index);
- the same new post handled as the daemon does it (the site kept open, told the new path).
A phase is a function of syndicate's own, timed with everything it calls (wrapped by this script).
The point is how each phase grows from one size to the next: per-post cost that stays flat is
linear. Times are wall times: on a machine shared with other work they are inflated. With
`--cpu` they are this process's CPU time (user + system, all its threads), which such a machine
disturbs far less; waits on the disk (fsync) are then left out.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))
import corpus  # noqa: E402
import run  # noqa: E402

import syndicate.pipeline.build  # noqa: E402
import syndicate.pipeline.site  # noqa: E402
from syndicate.config import load_settings  # noqa: E402
from syndicate.pipeline.build import build, build_site, warm  # noqa: E402
from syndicate.pipeline.cache import Cache  # noqa: E402
from syndicate.pipeline.site import Site  # noqa: E402
from syndicate.select import Timeline  # noqa: E402

# (phase, where syndicate looks the function up, its name there, how it grows on the daemon's path)
PHASES = (
    ("scan every post folder", syndicate.pipeline.site, "scan", "O(all); the daemon: O(changed)"),
    ("look at the changed paths (daemon)", Site, "refresh", "O(changed)"),
    ("parse front matter, decode the index", Site, "load", "O(all) once; then O(changed)"),
    ("order entries per feed (timeline)", Timeline, "__init__", "O(all log all) once; then O(changed log all)"),
    ("feeds and what they carry (specs, select, digests)", syndicate.pipeline.build, "_plan", "O(feeds x limit)"),
    ("render bodies", Site, "render", "O(posts in rewritten feeds)"),
    ("serialise and write feeds", syndicate.pipeline.build, "_write_feeds", "O(rewritten feeds x limit)"),
    ("pages, site index, OPML", syndicate.pipeline.build, "write_subscriber_files", "O(feeds)"),
    ("problems for the report", Site, "post_problems", "O(feeds x limit)"),
    ("cache commit", Cache, "commit", "O(changed); the index rewritten at 1/16 changed"),
)
_spent: dict[str, float] = {}
_clock = {"now": time.perf_counter, "kind": "wall time"}  # --cpu: time.process_time


def _timed(name: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = _clock["now"]()
        try:
            return func(*args, **kwargs)
        finally:
            _spent[name] = _spent.get(name, 0.0) + _clock["now"]() - start
    return wrapper


for _name, _owner, _attr, _ in PHASES:
    setattr(_owner, _attr, _timed(_name, getattr(_owner, _attr)))


def profile(action) -> tuple[dict[str, float], float]:
    """Seconds in each phase (with what it calls), and in all."""
    _spent.clear()
    start = _clock["now"]()
    action()
    return dict(_spent), _clock["now"]() - start


def bench_size(posts: int, work: Path, seed: int) -> dict:
    site_dir = work / "site"
    run.log(f"{posts} posts: generating corpus in {site_dir}")
    corpus.generate(site_dir, posts, seed)
    settings, now = load_settings(site_dir), datetime.now(timezone.utc)
    cold, cold_total = profile(lambda: build(settings, work / "out", now=now, state_dir=work / "state"))
    run.log(f"  cold {cold_total:.2f} s")
    corpus.add_post(site_dir, seed + 1)
    plus_one, plus_one_total = profile(lambda: build(settings, work / "out", now=now, state_dir=work / "state"))
    run.log(f"  +1 (CLI) {plus_one_total:.2f} s")
    site = Site.open(settings, work / "state")
    build_site(site, work / "out", now=now)
    warm(site, now)
    new = corpus.add_post(site_dir, seed + 2)
    daemon, daemon_total = profile(lambda: (site.refresh([str(new)]), build_site(site, work / "out", now=now)))
    site.close()
    run.log(f"  +1 (daemon) {daemon_total:.3f} s")
    return {"posts": posts, "cold": cold, "cold_total": cold_total, "plus_one": plus_one,
            "plus_one_total": plus_one_total, "daemon": daemon, "daemon_total": daemon_total}


def tables(rows: list[dict]) -> str:
    sizes = [f"{row['posts']:,}" for row in rows]
    lines = [f"Cold build on one core, µs per post ({_clock['kind']}):", "",
             "| phase | " + " | ".join(sizes) + " | how it grows |", "|---" * (len(rows) + 2) + "|"]
    for name, _, _, growth in PHASES:
        if name.endswith("(daemon)"):
            continue
        cells = [f"{row['cold'].get(name, 0) / row['posts'] * 1e6:.0f}" for row in rows]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
    lines.append("| the whole build | "
                 + " | ".join(f"{row['cold_total'] / row['posts'] * 1e6:.0f}" for row in rows) + " | |")
    lines += ["", f"One new post, ms ({_clock['kind']}): the CLI / the daemon (site kept open):", "",
              "| phase | " + " | ".join(sizes) + " |", "|---" * (len(rows) + 1) + "|"]
    for name, _, _, _ in PHASES:
        cells = [f"{row['plus_one'].get(name, 0) * 1000:.0f} / {row['daemon'].get(name, 0) * 1000:.1f}" for row in rows]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| the whole build | " + " | ".join(
        f"{row['plus_one_total'] * 1000:.0f} / {row['daemon_total'] * 1000:.0f}" for row in rows) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000], help="corpus sizes")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--keep", metavar="DIR", help="keep corpora and outputs in DIR/<posts>/")
    parser.add_argument("--cpu", action="store_true", help="time CPU (user + system) instead of wall time")
    args = parser.parse_args(argv)
    if args.cpu:
        _clock.update(now=time.process_time, kind="CPU time, user + system")
    rows = []
    for posts in args.posts:
        with run.workspace(args.keep, posts) if args.keep else tempfile.TemporaryDirectory() as work:
            rows.append(bench_size(posts, Path(work), args.seed))
    print(tables(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
