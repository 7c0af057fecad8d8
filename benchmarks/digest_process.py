"""Time a whole `syndicate digest` process on a generated site with a warm state.

    python benchmarks/digest_process.py --posts 10000 [--repeat 5] [--keep DIR]

Generates a corpus (not timed), builds it once (not timed), then runs the weekly English digest
of the newest week `--repeat` times, each from a fresh copy of the state the build left (its
cache warm, no ledger: the digest is written, not found already sent). Prints the median and
range of the wall time and of the CPU time (user + system, from the kernel's accounting of the
child), the peak RSS and the machine's load: CPU time is what the other processes on a shared
machine disturb least. The target is 0.5 s (wall).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402
import run  # noqa: E402

TARGET_SECONDS = 0.5


def timed(command: list[str]) -> tuple[float, float, float]:
    """(wall s, user + system CPU s, peak RSS MB) of one run of `command`, which must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def spread(values: list[float], unit: str = "s") -> str:
    return f"{statistics.median(values):.2f} {unit} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="leave the corpus and its outputs in this folder")
    args = parser.parse_args()
    with run.workspace(args.keep, args.posts) as work:
        code = run.freeze_code(work / "code")
        site, state = work / "site", work / "state"
        run.log(f"{args.posts} posts: generating corpus in {site}")
        corpus.generate(site, args.posts, args.seed)
        run.log("  building once, to leave a warm state (not timed)")
        run.repeated(run.build_command(site, work / "out", state), 1)
        out, digest_state = work / "digest-out", work / "digest-state"
        command = run.syndicate("digest", str(site), "--language", "english", "--period", "weekly",
                                "--date", run.newest_date(site, "english"), "--out", str(out),
                                "--state", str(digest_state), "--quiet")
        load_before = os.getloadavg()[0]
        walls, cpus, rss = [], [], []
        for _ in range(args.repeat):
            run.fresh(out, digest_state)
            digest_state.mkdir()
            shutil.copy2(state / "cache.sqlite", digest_state / "cache.sqlite")
            wall, cpu, peak = timed(command)
            run.log(f"  digest {wall:.2f} s wall, {cpu:.2f} s CPU")
            walls.append(wall), cpus.append(cpu), rss.append(peak)
        verdict = "ok" if statistics.median(walls) <= TARGET_SECONDS else "MISS"
        print(f"syndicate source digest {code}; {run.load_note(load_before)}\n")
        print("| posts | digest process, wall | CPU (user + sys) | peak RSS | target |")
        print("| --- | --- | --- | --- | --- |")
        print(f"| {args.posts:,} | {spread(walls)} | {spread(cpus)} | {max(rss):.0f} MB "
              f"| ≤{TARGET_SECONDS} s: {verdict} |")


if __name__ == "__main__":
    main()
