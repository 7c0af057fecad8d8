"""CPU time of the work the daemon does for one saved post, edit and deletion, in one process:
the site kept open and told which file changed (what `syndicate run` does now), beside a whole
build from the state folder (what it did before: open, scan every post, decode the index).

    python benchmarks/save_cpu.py SITE [--changes 5]

SITE is a corpus.py site; its state goes to a temporary folder (a cold build first, not
timed). Each change is applied once and timed both ways, alternately, on copies of the same
state, so both do the same work on the same files. CPU time (user + system of this process)
is what a loaded, shared machine inflates least; the wall time is printed beside it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))
import corpus  # noqa: E402

from syndicate.config import load_settings  # noqa: E402
from syndicate.pipeline.build import build, build_site, warm  # noqa: E402
from syndicate.pipeline.site import Site  # noqa: E402


def timed(action) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = action()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--changes", type=int, default=5, help="posts saved, then edited, then deleted")
    args = parser.parse_args(argv)
    settings, now = load_settings(args.site), datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="syndicate-save-cpu-") as tmp:
        work = Path(tmp)
        build(settings, work / "out-live", now=now, state_dir=work / "live")
        shutil.copytree(work / "live", work / "whole")
        shutil.copytree(work / "out-live", work / "out-whole")
        site = Site.open(settings, work / "live")
        build_site(site, work / "out-live", now=now)
        warm(site, now)
        saved: list[Path] = []
        rows = {kind: {"live": [], "whole": []} for kind in ("save", "edit", "delete")}

        def change(kind: str, i: int) -> Path:
            if kind == "save":
                saved.append(corpus.add_post(args.site, 500 + i))
            elif kind == "edit":
                corpus.save_atomically(saved[i], saved[i].read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1))
            else:
                saved[i].unlink()
            return saved[i]

        for kind in rows:
            for i in range(args.changes):
                path = change(kind, i)
                live = timed(lambda path=path: (site.refresh([str(path)]), build_site(site, work / "out-live", now=now))[1])
                whole = timed(lambda: build(settings, work / "out-whole", now=now, state_dir=work / "whole"))
                assert live[2].files_written == whole[2].files_written, (live[2].files_written, whole[2].files_written)
                rows[kind]["live"].append(live[:2])
                rows[kind]["whole"].append(whole[:2])
                print(f"{kind} {path.name}: kept open {live[0] * 1000:.0f} ms CPU ({live[1] * 1000:.0f} wall), "
                      f"whole build {whole[0] * 1000:.0f} ms CPU ({whole[1] * 1000:.0f} wall)", file=sys.stderr)
        site.close()
    posts = sum(1 for _ in args.site.glob("*/_posts/*.md"))
    print(f"{posts:,} posts; medians (ranges) of {args.changes} changes each, ms of CPU time (wall time)")
    print()
    print("| change | site kept open, told the path (now) | whole build from the state (before) |")
    print("| --- | --- | --- |")
    for kind, ways in rows.items():
        cells = []
        for way in ("live", "whole"):
            cpu = [c * 1000 for c, _ in ways[way]]
            wall = [w * 1000 for _, w in ways[way]]
            cells.append(f"{statistics.median(cpu):.0f} ({min(cpu):.0f}–{max(cpu):.0f}); wall {statistics.median(wall):.0f}")
        print(f"| {kind} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
